//! `pyvenv.cfg`, read: the one parser for the `key = value` file that makes a directory a
//! virtual environment. It reads the keys pyv acts on into typed fields; it never writes the
//! file (the fast path rewrites a template's copy line by line, keeping every key, in `fast`).

use std::fs;
use std::path::{Path, PathBuf};

/// The file's name inside an environment.
pub const FILE: &str = "pyvenv.cfg";

/// What pyv reads from a `pyvenv.cfg`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PyvenvCfg {
    /// `home =`: the `bin/` directory of the Python the environment was made from.
    pub home: Option<PathBuf>,
}

impl PyvenvCfg {
    /// The `pyvenv.cfg` of the environment at `env`: `None` when it is missing or unreadable
    /// (not UTF-8 included).
    pub fn read(env: &Path) -> Option<PyvenvCfg> {
        fs::read_to_string(env.join(FILE))
            .ok()
            .map(|t| PyvenvCfg::parse(&t))
    }

    /// Lines `key = value` (space around either side optional); others are ignored, and the
    /// first of a repeated key wins (as pyv has always read it).
    pub fn parse(text: &str) -> PyvenvCfg {
        let mut cfg = PyvenvCfg::default();
        for (key, value) in text.lines().filter_map(|l| l.split_once('=')) {
            if key.trim() == "home" && cfg.home.is_none() {
                cfg.home = Some(PathBuf::from(value.trim()));
            }
        }
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_home_trimmed_first_one_winning() {
        let cfg = PyvenvCfg::parse(
            "include-system-site-packages = false\nhome=  /v/3.12/bin \nno equals\nhome = /x\n",
        );
        assert_eq!(cfg.home.as_deref(), Some(Path::new("/v/3.12/bin")));
        assert_eq!(PyvenvCfg::parse("version = 3.12\n").home, None);
    }

    #[test]
    fn a_missing_file_is_none() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(PyvenvCfg::read(d.path()), None);
        fs::write(d.path().join(FILE), "home = /h/bin\n").unwrap();
        assert_eq!(
            PyvenvCfg::read(d.path()).and_then(|c| c.home),
            Some(PathBuf::from("/h/bin"))
        );
    }
}
