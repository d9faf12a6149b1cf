//! Shell integration: the init scripts (real files, filled in with quoted values), quoting,
//! and the small snippets that `pyv shell`/`activate` print for the `pyv` shell function to eval.

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

    /// The shell running us: our parent process (the `$(...)` subshell), else `$SHELL`.
    pub fn detect() -> Option<Shell> {
        let ppid = std::os::unix::process::parent_id();
        std::fs::read_to_string(format!("/proc/{ppid}/comm"))
            .ok()
            .and_then(|c| Shell::from_name(c.trim()))
            .or_else(|| {
                std::env::var("SHELL")
                    .ok()
                    .and_then(|s| Shell::from_name(&s))
            })
    }

    /// The shell the `pyv` function runs in (exported by `pyv init`), default bash.
    pub fn current() -> Shell {
        std::env::var("PYV_SHELL")
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
    pub fn init_script(self, pyv: &Path, shims: &Path, auto_activate: bool) -> String {
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
            .replace("@PYV@", &self.quote_path(pyv))
            .replace("@SHIMS@", &self.quote_path(shims))
            .replace("@AUTO_ACTIVATE@", if auto_activate { auto } else { "" })
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
