//! Which file a command runs: the first selected version whose `bin/` has it, or for `system`
//! the first on PATH that is neither pyv's shim nor another version manager's (the recursion
//! guard). Shared by the shims, `pyv which`, `pyv exec` and `pyv whence`.

use crate::env_vars::EnvVars;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsx::is_executable;
use crate::layout::Layout;
use crate::resolve::{resolve_in, Listing, Resolved};
use crate::select::Selection;

/// Where a command was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub version: Resolved,
}

/// The executable `command` runs under `selection`: the first selected version that has it.
/// `path_var` is PATH, searched (without the shims) for `system`.
pub fn find_command(
    layout: &Layout,
    selection: &Selection,
    command: &str,
    path_var: Option<&OsStr>,
) -> Result<Found> {
    // One listing of `versions/` for every name (and the advice), however many are selected.
    let listing = Listing::new(layout);
    let mut missing = Vec::new();
    for name in &selection.versions {
        // A selected version that is not installed is skipped (and reported only if no other
        // selected version has the command), as pyenv does.
        let version = match resolve_in(&listing, name, &selection.origin) {
            Ok(v) => v,
            Err(e @ (Error::NotInstalled { .. } | Error::NotUnderstood { .. })) => {
                missing.push(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let path = match &version {
            Resolved::System => find_system(layout, command, path_var),
            Resolved::Installed { dir, .. } => {
                Some(dir.join("bin").join(command)).filter(|p| is_executable(p))
            }
        };
        if let Some(path) = path {
            return Ok(Found { path, version });
        }
    }
    Err(Error::CommandNotFound {
        command: command.to_string(),
        selected: selection.versions.clone(),
        available_in: versions_with_in(&listing, command),
        missing,
    })
}

/// Installed versions (and environments) whose `bin/` has `command`.
pub fn versions_with(layout: &Layout, command: &str) -> Vec<String> {
    versions_with_in(&Listing::new(layout), command)
}

fn versions_with_in(listing: &Listing, command: &str) -> Vec<String> {
    let layout = listing.layout();
    listing
        .versions()
        .iter()
        .chain(listing.envs())
        .filter(|v| is_executable(&layout.version_dir(v).join("bin").join(command)))
        .cloned()
        .collect()
}

/// `command` on PATH, skipping pyv's shims directory however it is spelled there (trailing
/// slash, `//`, a symlink to it) and any file that is a pyv shim: the recursion guard.
pub fn find_system(layout: &Layout, command: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let path_var = path_var?;
    let shims = fs::metadata(layout.shims_dir())
        .ok()
        .map(|m| (m.dev(), m.ino()));
    let shim_bin = fs::metadata(layout.shim_binary())
        .ok()
        .map(|m| (m.dev(), m.ino()));
    let self_exe = std::env::current_exe()
        .ok()
        .and_then(|p| fs::metadata(p).ok())
        .map(|m| (m.dev(), m.ino()));
    for dir in std::env::split_paths(path_var) {
        if dir.as_os_str().is_empty() || !dir.is_absolute() {
            continue; // never run something from "the current directory"
        }
        if shims.is_some() && fs::metadata(&dir).ok().map(|m| (m.dev(), m.ino())) == shims {
            continue;
        }
        let candidate = dir.join(command);
        let Ok(meta) = fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            continue;
        }
        let id = Some((meta.dev(), meta.ino()));
        if id == shim_bin || id == self_exe {
            continue;
        }
        if dir.file_name() == Some(OsStr::new("shims")) && is_foreign_shim(&candidate) {
            continue;
        }
        return Some(candidate);
    }
    None
}

/// Is `candidate` (found in a PATH directory named `shims`) another version manager's shim?
/// Such a shim, asked for `system`, searches PATH itself and can land back on pyv's shims: a
/// loop. Recognised: a symlink to the `mise`/`rtx` binary (mise's shims), or a script whose
/// first KiB names pyenv, rbenv, asdf or mise the way their shims do (`PYENV_ROOT`,
/// `libexec/pyenv`, `asdf exec`, `mise x`, ...). Only directories named `shims` are looked
/// at, and only the one candidate in each, so a plain `system` lookup costs nothing extra.
pub fn is_foreign_shim(candidate: &Path) -> bool {
    if let Ok(target) = fs::read_link(candidate) {
        let name = target.file_name().and_then(OsStr::to_str).unwrap_or("");
        if ["mise", "rtx", "asdf"].contains(&name) {
            return true;
        }
    }
    let mut head = [0u8; 1024];
    let n = match fs::File::open(candidate).and_then(|mut f| {
        use std::io::Read;
        f.read(&mut head)
    }) {
        Ok(n) => n,
        Err(_) => return false,
    };
    let head = &head[..n];
    const MARKERS: [&[u8]; 10] = [
        EnvVars::PYENV_ROOT.as_bytes(),
        b"libexec/pyenv",
        b"pyenv exec",
        b"RBENV_ROOT",
        b"rbenv exec",
        b"asdf exec",
        b"asdf-plugin",
        b"mise x ",
        b"mise exec",
        b"rtx exec",
    ];
    head.starts_with(b"#!")
        && MARKERS
            .iter()
            .any(|m| head.windows(m.len()).any(|w| w == *m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::Origin;
    use crate::resolve::tests::fake_root;

    #[test]
    fn command_search_follows_selection_order() {
        let (d, layout) = fake_root("cmd", &["3.11.2", "2.7.18"]);
        let py2 = layout.version_dir("2.7.18").join("bin/python2");
        fs::write(&py2, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&py2, fs::Permissions::from_mode(0o755)).unwrap();
        let sel = Selection {
            versions: vec!["3.11.2".into(), "2.7.18".into()],
            origin: Origin::Env,
        };
        assert_eq!(
            find_command(&layout, &sel, "python", None)
                .unwrap()
                .version
                .name(),
            "3.11.2"
        );
        assert_eq!(
            find_command(&layout, &sel, "python2", None)
                .unwrap()
                .version
                .name(),
            "2.7.18"
        );
        match find_command(&layout, &sel, "nope", None).unwrap_err() {
            e @ Error::CommandNotFound { .. } => assert_eq!(e.exit_code(), 127),
            e => panic!("{e}"),
        }
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn other_managers_shims_are_recognised() {
        let (d, _) = fake_root("foreign", &[]);
        let dir = d.join("shims");
        fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            fs::write(&p, text).unwrap();
            p
        };
        let pyenv = write(
            "pyenv",
            "#!/usr/bin/env bash\nexport PYENV_ROOT=\"/root/.pyenv\"\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n",
        );
        let asdf = write(
            "asdf",
            "#!/usr/bin/env bash\n# asdf-plugin: python 3.12.0\nexec asdf exec \"python3\" \"$@\"\n",
        );
        let plain = write(
            "plain",
            "#!/bin/sh\necho pyenv is not mentioned like a shim\n",
        );
        let elf = write("elf", "\x7fELF PYENV_ROOT");
        let mise_bin = d.join("mise");
        fs::write(&mise_bin, "\x7fELF").unwrap();
        let mise = dir.join("mise-shim");
        std::os::unix::fs::symlink(&mise_bin, &mise).unwrap();
        assert!(is_foreign_shim(&pyenv));
        assert!(is_foreign_shim(&asdf));
        assert!(is_foreign_shim(&mise));
        assert!(!is_foreign_shim(&plain));
        assert!(!is_foreign_shim(&elf));
        assert!(!is_foreign_shim(&dir.join("missing")));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn many_missing_names_list_versions_once() {
        let installed: Vec<String> = (0..40).map(|i| format!("3.{}.{}", 8 + i / 10, i)).collect();
        let refs: Vec<&str> = installed.iter().map(String::as_str).collect();
        let (d, layout) = fake_root("many", &refs);
        // Specifiers and prefixes nothing satisfies, and missing environments: each would list
        // `versions/` (and every version's `envs/`) again without a shared listing.
        let versions: Vec<String> = (0..crate::select::MAX_NAMES)
            .map(|i| match i % 3 {
                0 => format!(">=9.{i}"),
                1 => format!("4.{i}"),
                _ => format!("env{i}"),
            })
            .collect();
        let sel = Selection {
            versions,
            origin: Origin::Env,
        };
        let listing = Listing::new(&layout);
        for name in &sel.versions {
            assert!(resolve_in(&listing, name, &sel.origin).is_err(), "{name}");
        }
        assert_eq!(listing.reads(), 1, "versions/ listed once for all names");
        let (found, missing) = crate::resolve::resolve_all(&layout, &sel);
        assert!(found.is_empty());
        assert_eq!(missing.len(), crate::select::MAX_NAMES);
        fs::remove_dir_all(&d).unwrap();
    }
}
