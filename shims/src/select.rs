//! Where the selected version is decided: `PYV_VERSION`, else the nearest `.python-version`
//! walking up from `PYV_DIR` (when set) or the current directory, else `$PYV_ROOT/version`, else `system`.
//! The answer always carries its origin, so every message can say who chose it.
//!
//! `pyv activate` selects its environment the way pyenv-virtualenv does, by exporting
//! `PYV_VERSION`; it also exports the value it set as `_PYV_ACTIVATED_VERSION`, so while the
//! two agree the origin is [`Origin::Activated`] rather than the bare variable.

use crate::env_vars::EnvVars;
use std::ffi::OsStr;

use std::path::Path;

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::origin::Origin;
use crate::{name, version_file};

/// The selected version names, in search order, and who chose them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub versions: Vec<String>,
    pub origin: Origin,
}

/// Names a selection may hold. pyenv reads every line, but a real selection is a handful of
/// versions; each name that is not installed costs string work over the installed versions (and
/// a listing of `versions/` once per run), so a runaway `.python-version` (64 KiB of specifier
/// lines) or `PYV_VERSION` (thousands of names) would slow every `python` by seconds. Beyond
/// this the selection is refused with one error naming its origin and the limit: a clear stop
/// rather than quietly running a version chosen from a cut-off list.
pub const MAX_NAMES: usize = 256;

impl Selection {
    fn new(raw: Vec<String>, origin: Origin) -> Result<Selection> {
        if raw.len() > MAX_NAMES {
            return Err(Error::TooManyNames {
                count: raw.len(),
                limit: MAX_NAMES,
                origin,
            });
        }
        // Names are kept as written (`python-3.12.6` may be a directory of that name); the
        // resolver reads `python-`, other tools' spellings and specifiers.
        for v in &raw {
            name::validate(v, &origin)?;
        }
        Ok(Selection {
            versions: raw,
            origin,
        })
    }
}

/// The selection for a process with `PYV_VERSION` = `env` running in `cwd`; whether that
/// value is an activation's is read from this process's `_PYV_ACTIVATED_VERSION`.
pub fn current(layout: &Layout, env: Option<&OsStr>, cwd: &Path) -> Result<Selection> {
    let activated = std::env::var_os(ACTIVATED_VAR);
    current_with(layout, env, activated.as_deref(), cwd)
}

/// The variable `pyv activate` exports with the `PYV_VERSION` value it set.
pub const ACTIVATED_VAR: &str = EnvVars::_PYV_ACTIVATED_VERSION;

/// [`current`] with the activation's value given: `PYV_VERSION` equal to a non-empty
/// `activated` is the activated virtualenv.
pub fn current_with(
    layout: &Layout,
    env: Option<&OsStr>,
    activated: Option<&OsStr>,
    cwd: &Path,
) -> Result<Selection> {
    if let Some(mut sel) = from_env(env)? {
        if activated.is_some_and(|a| !a.is_empty() && Some(a) == env) {
            sel.origin = Origin::Activated;
        }
        return Ok(sel);
    }
    if let Some((path, versions)) = version_file::find_local(cwd)? {
        return Selection::new(versions, Origin::File(path));
    }
    global(layout)
}

/// `PYV_VERSION`, colon-separated like pyenv's (`3.11.2:2.7.18`). Unset or empty: None.
pub fn from_env(env: Option<&OsStr>) -> Result<Option<Selection>> {
    let Some(raw) = env.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let Some(text) = raw.to_str() else {
        return Err(Error::InvalidName {
            value: raw.to_string_lossy().into_owned(),
            origin: Origin::Env,
            reason: "it is not UTF-8",
        });
    };
    let parts: Vec<String> = text
        .split(':')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    Selection::new(parts, Origin::Env).map(Some)
}

/// The global file's selection, or `system` when it is absent or empty.
pub fn global(layout: &Layout) -> Result<Selection> {
    let path = layout.global_file();
    match version_file::read(&path)? {
        Some(versions) => Selection::new(versions, Origin::Global(path)),
        None => Ok(Selection {
            versions: vec!["system".into()],
            origin: Origin::Default(path),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;

    fn setup(tag: &str) -> (PathBuf, Layout) {
        let d = std::env::temp_dir().join(format!("pyv-sel-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("root")).unwrap();
        fs::create_dir_all(d.join("proj/sub")).unwrap();
        let layout = Layout::new(d.join("root"));
        (d, layout)
    }

    #[test]
    fn precedence_env_then_file_then_global_then_system() {
        let (d, layout) = setup("prec");
        let cwd = d.join("proj/sub");
        assert_eq!(current(&layout, None, &cwd).unwrap().versions, ["system"]);
        assert_eq!(
            current(&layout, None, &cwd).unwrap().origin,
            Origin::Default(layout.global_file())
        );

        fs::write(layout.global_file(), "3.9.2\n").unwrap();
        let s = current(&layout, None, &cwd).unwrap();
        assert_eq!(
            (s.versions, s.origin),
            (
                vec!["3.9.2".to_string()],
                Origin::Global(layout.global_file())
            )
        );

        fs::write(d.join("proj/.python-version"), "python-3.11.2\n2.7.18\n").unwrap();
        let s = current(&layout, None, &cwd).unwrap();
        assert_eq!(s.versions, ["python-3.11.2", "2.7.18"], "kept as written");
        assert_eq!(s.origin, Origin::File(d.join("proj/.python-version")));

        let s = current(&layout, Some(OsStr::new("3.13.5:system")), &cwd).unwrap();
        assert_eq!(
            (s.versions, s.origin),
            (vec!["3.13.5".into(), "system".into()], Origin::Env)
        );

        // An empty PYV_VERSION is the same as unset.
        assert_eq!(
            current(&layout, Some(OsStr::new("")), &cwd)
                .unwrap()
                .versions,
            ["python-3.11.2", "2.7.18"]
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn pyv_version_set_by_activation_says_so() {
        let (d, layout) = setup("act");
        let cwd = d.join("proj");
        let web = Some(OsStr::new("web"));
        let s = current_with(&layout, web, web, &cwd).unwrap();
        assert_eq!(
            (s.versions, s.origin.clone()),
            (vec!["web".into()], Origin::Activated)
        );
        assert!(
            s.origin.to_string().contains("pyv activate"),
            "{}",
            s.origin
        );
        // `pyv shell 3.12` after activating: the variable is the user's again.
        let s = current_with(&layout, Some(OsStr::new("3.12")), web, &cwd).unwrap();
        assert_eq!(s.origin, Origin::Env);
        let s = current_with(&layout, web, Some(OsStr::new("")), &cwd).unwrap();
        assert_eq!(s.origin, Origin::Env);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn every_source_is_validated_with_its_origin() {
        let (d, layout) = setup("val");
        let cwd = d.join("proj");
        let e = current(&layout, Some(OsStr::new("../../evil")), &cwd).unwrap_err();
        assert!(e.to_string().contains("PYV_VERSION"), "{e}");
        fs::write(d.join("proj/.python-version"), "../../../bin\n").unwrap();
        let e = current(&layout, None, &cwd).unwrap_err();
        assert!(e.to_string().contains(".python-version"), "{e}");
        fs::remove_file(d.join("proj/.python-version")).unwrap();
        fs::write(layout.global_file(), "/usr\n").unwrap();
        let e = current(&layout, None, &cwd).unwrap_err();
        assert!(e.to_string().contains("absolute"), "{e}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_runaway_selection_is_refused_naming_its_origin_and_the_limit() {
        let (d, layout) = setup("many");
        let cwd = d.join("proj");
        // 64 KiB of specifier lines: thousands of names, refused before any is looked at.
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 64 * 1024 {
            text.push_str(&format!(">=9.{i}\n"));
            i += 1;
        }
        fs::write(d.join("proj/.python-version"), &text).unwrap();
        let e = current(&layout, None, &cwd).unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(
                e,
                Error::TooManyNames {
                    limit: MAX_NAMES,
                    ..
                }
            ),
            "{msg}"
        );
        assert!(
            msg.contains(".python-version") && msg.contains("256"),
            "{msg}"
        );
        assert!(e.hint().unwrap().contains("at most 256"), "{:?}", e.hint());

        let names = vec!["3.12.1"; 12_000].join(":");
        let e = current(&layout, Some(OsStr::new(&names)), &cwd).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("12000 versions") && msg.contains("PYV_VERSION"),
            "{msg}"
        );
        assert!(e.hint().unwrap().contains("PYV_VERSION"), "{:?}", e.hint());

        // At the limit is fine.
        let names = vec!["3.12.1"; MAX_NAMES].join(":");
        let s = current(&layout, Some(OsStr::new(&names)), &cwd).unwrap();
        assert_eq!(s.versions.len(), MAX_NAMES);
        fs::remove_dir_all(&d).unwrap();
    }
}
