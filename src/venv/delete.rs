//! `pyv virtualenv-delete`: remove one environment and the aliases that point at it, nothing
//! else. The name has passed the core validator (so it cannot climb out of `versions/`), every
//! path component is checked to be a real directory rather than a symlink, and the removal
//! itself never follows a symlink. pyenv-virtualenv's `rm -rf` of a joined path deleted
//! `3.9.3/envs/../../../../victim`; here that name never gets past validation.

use std::fs;
use std::path::{Path, PathBuf};

use pyv_core::fsx::{lock, remove_any};
use pyv_core::{Layout, Origin};

use super::{alias_target, create::LOCK, find, Env, VenvError};
use crate::error::Result;

/// What a deletion will remove.
#[derive(Debug)]
pub struct Plan {
    pub env: Env,
    /// `versions/<x>` symlinks that point at the environment.
    pub aliases: Vec<PathBuf>,
}

/// Find environment `value` (already validated) and check it is safe to remove.
pub fn plan(layout: &Layout, value: &str) -> Result<Plan> {
    let env = find(layout, value, &Origin::Argument)?;
    check_real_dirs(layout, &env.dir)?;
    let long = env.long_name();
    let mut aliases = Vec::new();
    if long.contains("/envs/") {
        for e in fs::read_dir(layout.versions_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(n) = e.file_name().into_string() else {
                continue;
            };
            if alias_target(layout, &n).as_deref() == Some(long.as_str()) {
                aliases.push(layout.version_dir(&n));
            }
        }
    }
    Ok(Plan { env, aliases })
}

/// Every component from `versions/` down to `dir` must be a real directory, not a symlink.
fn check_real_dirs(layout: &Layout, dir: &Path) -> Result<()> {
    let versions = layout.versions_dir();
    let rel = dir.strip_prefix(&versions).map_err(|_| VenvError::Unsafe {
        path: dir.to_path_buf(),
        why: "it is not inside versions/".into(),
    })?;
    let mut p = versions.clone();
    for part in rel.iter() {
        p.push(part);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(VenvError::Unsafe {
                    path: p,
                    why: "it is a symlink, and pyv never deletes through one".into(),
                }
                .into())
            }
            Ok(m) if m.is_dir() => {}
            _ => {
                return Err(VenvError::Unsafe {
                    path: p,
                    why: "it is not a directory".into(),
                }
                .into())
            }
        }
    }
    Ok(())
}

/// Remove the aliases, then the environment (renamed aside first, so it disappears at once).
pub fn execute(layout: &Layout, plan: &Plan) -> Result<()> {
    let _lock = lock(layout, LOCK)?;
    check_real_dirs(layout, &plan.env.dir)?;
    for a in &plan.aliases {
        if fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink()) {
            fs::remove_file(a).map_err(|e| VenvError::io("cannot remove", a, e))?;
        }
    }
    let dir = &plan.env.dir;
    let aside = dir
        .parent()
        .expect("an environment has a parent")
        .join(format!(".{}.del-{}", plan.env.name, std::process::id()));
    fs::rename(dir, &aside).map_err(|e| VenvError::io("cannot remove", dir, e))?;
    remove_any(&aside).map_err(|e| VenvError::io("cannot remove", &aside, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn refuses_an_environment_reached_through_a_symlinked_version() {
        let d = tempfile::tempdir().unwrap();
        let layout = Layout::new(d.path().join("root"));
        let victim = d.path().join("victim/envs/x");
        fs::create_dir_all(&victim).unwrap();
        fs::write(victim.join("pyvenv.cfg"), "home = /x\n").unwrap();
        fs::create_dir_all(layout.versions_dir()).unwrap();
        symlink(d.path().join("victim"), layout.version_dir("3.9.3")).unwrap();
        let err = plan(&layout, "3.9.3/envs/x").unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        assert!(victim.join("pyvenv.cfg").exists());
    }
}
