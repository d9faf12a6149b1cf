//! The shell code `pyv activate`/`deactivate` print for the `pyv` shell function to evaluate.
//!
//! Activation exports `VIRTUAL_ENV`, puts the environment's `bin` first on PATH and prefixes the
//! prompt (`(myenv) `), remembering in variables what it changed: `PYV_ACTIVATED_ENV` (name),
//! `_PYV_VIRTUAL_ENV` (the `VIRTUAL_ENV` pyv set, so a foreign one is recognised),
//! `_PYV_AUTO` (activated by the directory hook), `_PYV_PS1_PREFIX` (the exact prefix added;
//! fish keeps the original `fish_prompt` as `_pyv_old_fish_prompt`) and `_PYV_OLD_PYTHONHOME`.
//! Deactivation removes exactly the PATH entry and prompt prefix it added, so PATH and the
//! prompt come back byte for byte when nothing else changed them, and later changes the user
//! made survive. `PYV_VIRTUALENV_DISABLE_PROMPT` or `VIRTUAL_ENV_DISABLE_PROMPT` turns the
//! prompt prefix off. This module only builds text: it never touches the environment.
//!
//! Like pyenv-virtualenv, activation also selects the environment: it exports `PYV_VERSION`
//! (the alias `myenv`, or `<version>/envs/<name>` without one), so `pyv version`, `which`,
//! `exec`, `versions` and the shims use it, and `_PYV_ACTIVATED_VERSION` with that value, so
//! the origin reads "activated virtualenv". A `PYV_VERSION` that was set before is kept in
//! `_PYV_OLD_PYV_VERSION` and restored on deactivation, unless the user changed
//! `PYV_VERSION` meanwhile (`pyv shell 3.12` after activating): then theirs stays. Both are set
//! last and restored last, so fish's `--on-variable PYV_VERSION` hook sees a settled state.

use pyv_core::env_vars::EnvVars;
use std::env;

use super::Env;
use crate::shell::Shell;

/// What the calling shell has active, read from its exported variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Active {
    None,
    /// Activated by pyv (by hand, or by the directory hook when `auto`).
    Pyv {
        name: String,
        dir: String,
        auto: bool,
    },
    /// `VIRTUAL_ENV` that pyv did not set (e.g. `source .venv/bin/activate`).
    Foreign {
        dir: String,
    },
}

/// The calling shell's state, as the variables exported to us show it.
#[derive(Debug, Clone)]
pub struct State {
    pub active: Active,
    pub path: String,
}

impl State {
    pub fn from_env() -> State {
        let var = |n: &str| env::var(n).ok().filter(|v| !v.is_empty());
        State::from_vars(
            var(EnvVars::VIRTUAL_ENV),
            var(EnvVars::_PYV_VIRTUAL_ENV),
            var(EnvVars::PYV_ACTIVATED_ENV),
            var(EnvVars::_PYV_AUTO).is_some(),
            env::var(EnvVars::PATH).unwrap_or_default(),
        )
    }

    pub fn from_vars(
        virtual_env: Option<String>,
        pyv_dir: Option<String>,
        pyv_name: Option<String>,
        auto: bool,
        path: String,
    ) -> State {
        let active = match (virtual_env, pyv_dir, pyv_name) {
            (None, ..) => Active::None,
            (Some(v), Some(d), Some(name)) if v == d => Active::Pyv { name, dir: d, auto },
            (Some(dir), ..) => Active::Foreign { dir },
        };
        State { active, path }
    }
}

/// PATH with the first entry equal to `<dir>/bin` removed.
pub fn path_without(path: &str, dir: &str) -> String {
    let bin = format!("{}/bin", dir.trim_end_matches('/'));
    let mut parts: Vec<&str> = path.split(':').collect();
    if let Some(i) = parts.iter().position(|p| p.trim_end_matches('/') == bin) {
        parts.remove(i);
    }
    parts.join(":")
}

/// The prompt prefix, with anything a prompt could interpret replaced (`%` for zsh, `\`, `$`
/// and backquotes for bash). Names pyv creates never need it; envs made by others might.
fn prompt_prefix(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._+-@=,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("({safe}) ")
}

fn set_path(sh: Shell, path: &str) -> String {
    match sh {
        Shell::Bash | Shell::Zsh => format!("export PATH={}\n", sh.quote(path)),
        Shell::Fish => {
            let items: Vec<String> = path
                .split(':')
                .filter(|p| !p.is_empty())
                .map(|p| sh.quote(p))
                .collect();
            format!("set -gx PATH {}\n", items.join(" "))
        }
    }
}

/// The `PYV_VERSION` value that selects `env`: its alias, else its long name.
pub fn selector(env: &Env) -> String {
    if env.alias {
        env.name.clone()
    } else {
        env.long_name()
    }
}

/// Code that makes `env` the shell's selection, saving a `PYV_VERSION` set before.
fn select_env(sh: Shell, env: &Env) -> String {
    let value = selector(env);
    let mut out = match sh {
        Shell::Bash | Shell::Zsh => "if [ -n \"${PYV_VERSION+x}\" ]; then export _PYV_OLD_PYV_VERSION=\"$PYV_VERSION\"; else unset _PYV_OLD_PYV_VERSION; fi\n".to_string(),
        Shell::Fish => "if set -q PYV_VERSION; set -gx _PYV_OLD_PYV_VERSION $PYV_VERSION; else; set -e _PYV_OLD_PYV_VERSION; end\n".to_string(),
    };
    out += &sh.set_env(EnvVars::_PYV_ACTIVATED_VERSION, &value);
    out += &sh.set_env(EnvVars::PYV_VERSION, &value);
    out
}

/// Code that gives back the `PYV_VERSION` activation replaced, if it is still the activation's.
fn unselect_env(sh: Shell) -> String {
    match sh {
        Shell::Bash | Shell::Zsh => concat!(
            "if [ \"${PYV_VERSION-}\" = \"${_PYV_ACTIVATED_VERSION-}\" ]; then\n",
            "  if [ -n \"${_PYV_OLD_PYV_VERSION+x}\" ]; then export PYV_VERSION=\"$_PYV_OLD_PYV_VERSION\"; else unset PYV_VERSION; fi\n",
            "fi\n",
            "unset _PYV_OLD_PYV_VERSION _PYV_ACTIVATED_VERSION\n",
        )
        .to_string(),
        Shell::Fish => concat!(
            "if test \"$PYV_VERSION\" = \"$_PYV_ACTIVATED_VERSION\"\n",
            "    if set -q _PYV_OLD_PYV_VERSION; set -gx PYV_VERSION $_PYV_OLD_PYV_VERSION; else; set -e PYV_VERSION; end\n",
            "end\n",
            "set -e _PYV_OLD_PYV_VERSION\n",
            "set -e _PYV_ACTIVATED_VERSION\n",
        )
        .to_string(),
    }
}

/// Code that activates `env`, assuming nothing is active (deactivate first).
pub fn activate(sh: Shell, env: &Env, auto: bool) -> String {
    let dir = env.dir.to_string_lossy();
    let bin = env.bin();
    let bin = sh.quote_path(&bin);
    let mut out = String::new();
    out += &sh.set_env("VIRTUAL_ENV", &dir);
    out += &sh.set_env("VIRTUAL_ENV_PROMPT", &env.name);
    out += &sh.set_env(EnvVars::PYV_ACTIVATED_ENV, &env.name);
    out += &sh.set_env(EnvVars::_PYV_VIRTUAL_ENV, &dir);
    out += &if auto {
        sh.set_env(EnvVars::_PYV_AUTO, "1")
    } else {
        sh.unset_env(EnvVars::_PYV_AUTO)
    };
    let prefix = sh.quote(&prompt_prefix(&env.name));
    match sh {
        Shell::Bash | Shell::Zsh => {
            out += &format!("export PATH={bin}\"${{PATH:+:$PATH}}\"\n");
            out += "if [ -n \"${PYTHONHOME+x}\" ]; then export _PYV_OLD_PYTHONHOME=\"$PYTHONHOME\"; unset PYTHONHOME; fi\n";
            out += "if [ -z \"${PYV_VIRTUALENV_DISABLE_PROMPT-}\" ] && [ -z \"${VIRTUAL_ENV_DISABLE_PROMPT-}\" ]; then\n";
            out += &format!("  _PYV_PS1_PREFIX={prefix}\n");
            out += "  PS1=\"${_PYV_PS1_PREFIX}${PS1-}\"\n";
            out += "fi\n";
            out += &select_env(sh, env);
            out += "hash -r 2>/dev/null\n";
        }
        Shell::Fish => {
            out += &format!("set -gx PATH {bin} $PATH\n");
            out += "if set -q PYTHONHOME; set -gx _PYV_OLD_PYTHONHOME $PYTHONHOME; set -e PYTHONHOME; end\n";
            out += "if test -z \"$PYV_VIRTUALENV_DISABLE_PROMPT\"; and test -z \"$VIRTUAL_ENV_DISABLE_PROMPT\"; and functions -q fish_prompt; and not functions -q _pyv_old_fish_prompt\n";
            out += &format!("    set -g _PYV_PS1_PREFIX {prefix}\n");
            out += "    functions -c fish_prompt _pyv_old_fish_prompt\n";
            out += "    function fish_prompt\n";
            out += "        set -l old_status $status\n";
            out += "        printf '%s' $_PYV_PS1_PREFIX\n";
            out += "        echo \"exit $old_status\" | source\n";
            out += "        _pyv_old_fish_prompt\n";
            out += "    end\n";
            out += "end\n";
            out += &select_env(sh, env);
            // fish's `set` keeps the status of the `set -e` above it: end on a success.
            out += "true\n";
        }
    }
    out
}

/// Code that undoes a pyv activation of `dir`, given the shell's current PATH.
pub fn deactivate(sh: Shell, dir: &str, path: &str) -> String {
    let mut out = set_path(sh, &path_without(path, dir));
    match sh {
        Shell::Bash | Shell::Zsh => {
            out += "if [ -n \"${_PYV_PS1_PREFIX+x}\" ]; then\n";
            out += "  case \"${PS1-}\" in \"$_PYV_PS1_PREFIX\"*) PS1=\"${PS1#\"$_PYV_PS1_PREFIX\"}\" ;; esac\n";
            out += "  unset _PYV_PS1_PREFIX\n";
            out += "fi\n";
            out += "if [ -n \"${_PYV_OLD_PYTHONHOME+x}\" ]; then export PYTHONHOME=\"$_PYV_OLD_PYTHONHOME\"; unset _PYV_OLD_PYTHONHOME; fi\n";
        }
        Shell::Fish => {
            out += "if functions -q _pyv_old_fish_prompt\n";
            out += "    functions -e fish_prompt\n";
            out += "    functions -c _pyv_old_fish_prompt fish_prompt\n";
            out += "    functions -e _pyv_old_fish_prompt\n";
            out += "end\n";
            out += "set -e _PYV_PS1_PREFIX\n";
            out += "if set -q _PYV_OLD_PYTHONHOME; set -gx PYTHONHOME $_PYV_OLD_PYTHONHOME; set -e _PYV_OLD_PYTHONHOME; end\n";
        }
    }
    for var in [
        "VIRTUAL_ENV",
        "VIRTUAL_ENV_PROMPT",
        EnvVars::PYV_ACTIVATED_ENV,
        EnvVars::_PYV_VIRTUAL_ENV,
        EnvVars::_PYV_AUTO,
    ] {
        out += &sh.unset_env(var);
    }
    out += &unselect_env(sh);
    // The last line's status is the `pyv` function's: `set -e` of an unset variable fails.
    out += if sh == Shell::Fish {
        "true\n"
    } else {
        "hash -r 2>/dev/null\n"
    };
    out
}

/// Code that deactivates a venv pyv did not activate (`-f`): its own `deactivate` function
/// when the shell has one (it restores what its activate script changed), else PATH and
/// `VIRTUAL_ENV` by hand.
pub fn deactivate_foreign(sh: Shell, dir: &str, path: &str) -> String {
    let by_hand = format!(
        "{}{}{}",
        set_path(sh, &path_without(path, dir)),
        sh.unset_env("VIRTUAL_ENV"),
        sh.unset_env("VIRTUAL_ENV_PROMPT")
    );
    match sh {
        Shell::Bash | Shell::Zsh => format!(
            "if typeset -f deactivate >/dev/null 2>&1; then\n  deactivate\nelse\n{by_hand}fi\nhash -r 2>/dev/null\n"
        ),
        Shell::Fish => {
            format!("if functions -q deactivate\n    deactivate\nelse\n{by_hand}end\ntrue\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn env() -> Env {
        Env {
            name: "web".into(),
            base: Some("3.11.9".into()),
            dir: PathBuf::from("/r/versions/3.11.9/envs/web"),
            alias: true,
        }
    }

    #[test]
    fn state_tells_pyv_from_foreign() {
        let s = |v: Option<&str>, d: Option<&str>, n: Option<&str>| {
            State::from_vars(
                v.map(Into::into),
                d.map(Into::into),
                n.map(Into::into),
                false,
                String::new(),
            )
            .active
        };
        assert_eq!(s(None, Some("/x"), Some("x")), Active::None);
        assert_eq!(
            s(Some("/x"), Some("/x"), Some("x")),
            Active::Pyv {
                name: "x".into(),
                dir: "/x".into(),
                auto: false
            }
        );
        assert_eq!(
            s(Some("/proj/.venv"), Some("/x"), Some("x")),
            Active::Foreign {
                dir: "/proj/.venv".into()
            }
        );
        assert!(matches!(s(Some("/y"), None, None), Active::Foreign { .. }));
    }

    #[test]
    fn path_loses_only_the_first_env_entry() {
        assert_eq!(path_without("/e/bin:/s:/usr/bin", "/e"), "/s:/usr/bin");
        assert_eq!(path_without("/e/bin:/s:/e/bin", "/e/"), "/s:/e/bin");
        assert_eq!(path_without("/s:/usr/bin", "/e"), "/s:/usr/bin");
    }

    #[test]
    fn prompt_prefix_is_inert() {
        assert_eq!(prompt_prefix("web"), "(web) ");
        assert_eq!(prompt_prefix("$(id)%`x`\\"), "(__id___x__) ");
    }

    #[test]
    fn activation_text_quotes_and_marks() {
        let bash = activate(Shell::Bash, &env(), true);
        assert!(bash.contains("export VIRTUAL_ENV='/r/versions/3.11.9/envs/web'\n"));
        assert!(bash.contains("export PATH='/r/versions/3.11.9/envs/web/bin'\"${PATH:+:$PATH}\""));
        assert!(bash.contains("export _PYV_AUTO='1'"));
        assert!(bash.contains("_PYV_PS1_PREFIX='(web) '"));
        let fish = activate(Shell::Fish, &env(), false);
        assert!(fish.contains("set -gx PATH '/r/versions/3.11.9/envs/web/bin' $PATH\n"));
        assert!(fish.contains("set -e _PYV_AUTO"));
        assert!(
            fish.ends_with("set -gx PYV_VERSION 'web'\ntrue\n"),
            "{fish}"
        );
        assert!(bash.contains("export _PYV_ACTIVATED_VERSION='web'\nexport PYV_VERSION='web'\n"));
        let no_alias = Env {
            alias: false,
            ..env()
        };
        assert_eq!(selector(&no_alias), "3.11.9/envs/web");
        let off = deactivate(Shell::Fish, "/r/e", "/r/e/bin:/a b:/c");
        assert!(off.starts_with("set -gx PATH '/a b' '/c'\n"), "{off}");
    }
}
