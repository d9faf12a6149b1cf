//! Shell integration: the init scripts (real files, filled in with quoted values), quoting,
//! and the small snippets that `pyv shell`/`activate` print for the `pyv` shell function to eval.

use pyv_core::env_vars::EnvVars;
use std::fmt;
use std::path::Path;

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        })
    }
}

impl Shell {
    pub fn from_name(name: &str) -> Option<Shell> {
        let base = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .trim_start_matches('-');
        match base {
            "bash" | "sh" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }

    /// The shell the `pyv` function runs in (exported by `pyv init`), default bash.
    pub fn current() -> Shell {
        std::env::var(EnvVars::PYV_SHELL)
            .ok()
            .and_then(|s| Shell::from_name(&s))
            .unwrap_or(Shell::Bash)
    }

    /// Quote `s` as one word for this shell.
    pub fn quote(self, s: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("'{}'", s.replace('\'', r"'\''")),
            Shell::Fish => format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'")),
        }
    }

    pub fn quote_path(self, p: &Path) -> String {
        self.quote(&p.to_string_lossy())
    }

    /// Code that exports `name=value`.
    pub fn set_env(self, name: &str, value: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("export {name}={}\n", self.quote(value)),
            Shell::Fish => format!("set -gx {name} {}\n", self.quote(value)),
        }
    }

    /// Code that removes `name` from the environment.
    pub fn unset_env(self, name: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("unset {name}\n"),
            Shell::Fish => format!("set -e {name}\n"),
        }
    }

    /// The init script for this shell, placeholders filled.
    pub fn init_script(self, pyv: &Path, shims: &Path, opts: InitOptions) -> String {
        let (template, auto) = match self {
            Shell::Bash => (
                include_str!("init.bash"),
                include_str!("auto_activate.bash"),
            ),
            Shell::Zsh => (include_str!("init.zsh"), include_str!("auto_activate.zsh")),
            Shell::Fish => (
                include_str!("init.fish"),
                include_str!("auto_activate.fish"),
            ),
        };
        template
            .replace(
                "@PATH@",
                &path_code(Target::Shell(self), shims, opts.push_path),
            )
            .replace("@PYV@", &self.quote_path(pyv))
            .replace("@SHIMS@", &self.quote_path(shims))
            .replace(
                "@AUTO_ACTIVATE@",
                if opts.auto_activate { auto } else { "" },
            )
    }
}

/// The base name of the shell running us: our parent process's (the `$(...)` subshell), else
/// `$SHELL`'s; `sh` for a POSIX shell (`sh`, `dash`, `ksh`, `busybox`).
pub fn detect_name() -> Option<String> {
    let ppid = std::os::unix::process::parent_id();
    let base = |name: &str| -> Option<String> {
        let b = name.rsplit('/').next()?.trim().trim_start_matches('-');
        match b {
            "bash" | "zsh" | "fish" => Some(b.to_string()),
            "sh" | "dash" | "ksh" | "mksh" | "ash" | "busybox" => Some("sh".to_string()),
            _ => None,
        }
    };
    // The parent's argv[0], as pyenv reads it with `ps -o args=`: a script run by /bin/sh
    // has `/bin/sh` there (its comm is the script's name).
    let argv0 = std::fs::read(format!("/proc/{ppid}/cmdline"))
        .ok()
        .and_then(|c| {
            let first = c.split(|b| *b == 0).next()?.to_vec();
            String::from_utf8(first).ok()
        });
    argv0
        .and_then(|a| base(a.split(' ').next().unwrap_or(&a)))
        .or_else(|| {
            std::fs::read_to_string(format!("/proc/{ppid}/comm"))
                .ok()
                .and_then(|c| base(&c))
        })
        .or_else(|| std::env::var(EnvVars::SHELL).ok().and_then(|s| base(&s)))
}

/// What `pyv init` writes code for: one of the interactive shells, or plain POSIX sh (a
/// script or `~/.profile` run by `/bin/sh`), which gets the PATH and the `pyv` function only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Shell(Shell),
    Posix,
}

impl Target {
    pub fn from_name(name: &str) -> Option<Target> {
        match name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .trim_start_matches('-')
        {
            "sh" | "dash" | "ksh" | "mksh" | "ash" | "busybox" => Some(Target::Posix),
            other => Shell::from_name(other).map(Target::Shell),
        }
    }

    /// The whole init script.
    pub fn init_script(self, pyv: &Path, shims: &Path, opts: InitOptions) -> String {
        match self {
            Target::Shell(sh) => sh.init_script(pyv, shims, opts),
            Target::Posix => include_str!("init.sh")
                .replace("@PATH@", &path_code(self, shims, opts.push_path))
                .replace("@PYV@", &Shell::Bash.quote_path(pyv))
                .replace("@SHIMS@", &Shell::Bash.quote_path(shims)),
        }
    }

    /// Only the PATH setup (`pyv init --path`, for a login profile).
    pub fn path_script(self, shims: &Path, push_path: bool) -> String {
        let (sh, var) = match self {
            Target::Shell(Shell::Fish) => (Shell::Fish, "set -g __pyv_shims"),
            Target::Shell(sh) => (sh, "__pyv_shims="),
            Target::Posix => (Shell::Bash, "__pyv_shims="),
        };
        let sep = if sh == Shell::Fish { " " } else { "" };
        let unset = if sh == Shell::Fish {
            "set -e __pyv_shims\n"
        } else {
            "unset __pyv_shims\n"
        };
        format!(
            "{var}{sep}{}\n{}{unset}",
            sh.quote_path(shims),
            path_code(self, shims, push_path)
        )
    }
}

/// How `pyv init` is asked to set up the shell.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitOptions {
    /// Put the shims first on PATH even when they are on it already (pyenv's default; its
    /// `--no-push-path` adds them only when missing).
    pub push_path: bool,
    pub auto_activate: bool,
}

/// `s` inside double quotes for sh, bash and zsh.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The code that puts the shims directory on PATH (`$__pyv_shims` is set before it). Pushed:
/// every copy is removed and one put first, so re-evaluating never adds a second; with
/// `push_path` false, PATH is left alone when the shims are on it already. The last line is
/// pyenv's own (`export PATH="<root>/shims:${PATH}"`), so people and tools that look for it
/// find it.
fn path_code(target: Target, shims: &Path, push_path: bool) -> String {
    let shims = shims.to_string_lossy();
    let fish = Shell::Fish.quote(&shims);
    let posix = format!(
        "export PATH={}:${{PATH}}\"\nPATH=\"${{PATH%:}}\"\n",
        double_quoted(&shims)
    );
    match (target, push_path) {
        (Target::Shell(Shell::Fish), true) => format!(
            "# The shims directory first on PATH, exactly once, however often this is evaluated.\n\
             set -gx PATH (string match -v -- $__pyv_shims $PATH)\n\
             set -gx PATH {fish} $PATH\n"
        ),
        (Target::Shell(Shell::Fish), false) => format!(
            "# The shims directory on PATH, unless it is there already.\n\
             if not contains -- $__pyv_shims $PATH\n  set -gx PATH {fish} $PATH\nend\n"
        ),
        (Target::Shell(Shell::Zsh), true) => format!(
            "# The shims directory first on PATH, exactly once, however often this is evaluated.\n\
             path=(${{path:#$__pyv_shims}})\n{posix}"
        ),
        (Target::Shell(Shell::Bash), true) => format!(
            "# The shims directory first on PATH, exactly once, however often this is evaluated.\n\
             __pyv_p=\":${{PATH}}:\"\n\
             while [[ \"$__pyv_p\" == *\":${{__pyv_shims}}:\"* ]]; do\n\
             \x20 __pyv_p=\"${{__pyv_p/\":${{__pyv_shims}}:\"/:}}\"\n\
             done\n\
             __pyv_p=\"${{__pyv_p#:}}\"\n\
             PATH=\"${{__pyv_p%:}}\"\n\
             unset __pyv_p\n{posix}"
        ),
        (Target::Posix, true) => format!(
            "# The shims directory first on PATH, exactly once, however often this is evaluated.\n\
             __pyv_rest=\"${{PATH}}:\"\n\
             __pyv_p=\n\
             while [ -n \"$__pyv_rest\" ]; do\n\
             \x20 __pyv_d=\"${{__pyv_rest%%:*}}\"\n\
             \x20 __pyv_rest=\"${{__pyv_rest#*:}}\"\n\
             \x20 [ \"$__pyv_d\" = \"$__pyv_shims\" ] || __pyv_p=\"${{__pyv_p:+$__pyv_p:}}$__pyv_d\"\n\
             done\n\
             PATH=\"$__pyv_p\"\n\
             unset __pyv_rest __pyv_p __pyv_d\n{posix}"
        ),
        (_, false) => format!(
            "# The shims directory on PATH, unless it is there already.\n\
             case \":${{PATH}}:\" in\n\
             *\":${{__pyv_shims}}:\"*) ;;\n\
             *)\n  {}\n  ;;\nesac\n",
            posix.trim_end().replace('\n', "\n  ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes_and_spaces() {
        assert_eq!(Shell::Bash.quote("a b"), "'a b'");
        assert_eq!(Shell::Bash.quote("it's"), r"'it'\''s'");
        assert_eq!(Shell::Fish.quote(r"it's\"), r"'it\'s\\'");
    }

    #[test]
    fn names() {
        assert_eq!(Shell::from_name("-bash"), Some(Shell::Bash));
        assert_eq!(Shell::from_name("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_name("fish"), Some(Shell::Fish));
        assert_eq!(Shell::from_name("tcsh"), None);
    }
}
