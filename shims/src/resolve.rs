//! Where selected names become installed directories: `versions/<name>`, or what a prefix or
//! a specifier stands for among the installed versions. Exact names are one `stat`; only a name
//! that is not a directory (a prefix like `3.12`, or a typo) costs a listing of `versions/`, and
//! that listing is made once per [`Listing`] (one per shim run or command), not once per name:
//! a selection of many specifiers must not list the directory many times.
//! Which file a command runs is [`crate::which`]'s; the hints for a missing name are
//! [`crate::suggest`]'s.

use std::cell::{Cell, OnceCell};
use std::fs;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fsx::is_symlink;
use crate::layout::Layout;
use crate::origin::Origin;
use crate::pyversion;
use crate::request::{self, Request};
use crate::select::Selection;
use crate::suggest::{close_to, looks_like_env};

/// What a selected name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The Python found on PATH outside pyv.
    System,
    /// `versions/<name>`; `name` is the full name (a prefix resolves to e.g. `3.12.10`).
    Installed { name: String, dir: PathBuf },
}

impl Resolved {
    pub fn name(&self) -> &str {
        match self {
            Resolved::System => "system",
            Resolved::Installed { name, .. } => name,
        }
    }
}

/// Resolve one (already validated) name chosen by `origin`: `versions/<name>` when it exists
/// (even `python-3.12.6`, a directory pyenv users may have), else what the name asks for as a
/// request (see [`request`]): a prefix or another tool's spelling resolves to the newest
/// installed match, a specifier to the newest installed release satisfying it.
pub fn resolve(layout: &Layout, name: &str, origin: &Origin) -> Result<Resolved> {
    resolve_in(&Listing::new(layout), name, origin)
}

/// [`resolve`] with the installed names taken from `listing`, so resolving many names lists
/// `versions/` (and the environments) at most once.
pub fn resolve_in(listing: &Listing, name: &str, origin: &Origin) -> Result<Resolved> {
    let layout = listing.layout;
    if name == "system" {
        return Ok(Resolved::System);
    }
    let dir = layout.version_dir(name);
    if dir.is_dir() {
        return Ok(Resolved::Installed {
            name: name.to_string(),
            dir,
        });
    }
    let req = match request::parse(name) {
        Ok(req) => req,
        // `3,13` looks like a list of specifiers but is a typo of `3.13`: say what was meant
        // (the not-installed error's hint) rather than list the request forms.
        Err(_) if crate::typo::repair(name).is_some() => Request::Name(name),
        Err(reason) => {
            return Err(Error::NotUnderstood {
                value: name.to_string(),
                origin: origin.clone(),
                reason,
            })
        }
    };
    if let Request::Name(n) = req {
        if n != name && crate::name::problem(n).is_none() && layout.version_dir(n).is_dir() {
            return Ok(Resolved::Installed {
                name: n.to_string(),
                dir: layout.version_dir(n),
            });
        }
    }
    let names = listing.versions();
    // Prefixes (`3.12`, `pypy3.10`) and specifiers match versions, never environments
    // (pyenv's `latest` skips them too): a missing `web` must not silently become `web-2`.
    let versions = || {
        names
            .iter()
            .map(String::as_str)
            .filter(|n| !looks_like_env(n))
    };
    let best = match &req {
        Request::Name(n) if looks_like_env(n) => None,
        Request::Name(n) => pyversion::best_match(n, versions()),
        Request::Spec(clauses) => request::newest_matching(clauses, versions()),
    };
    if let Some(best) = best {
        return Ok(Resolved::Installed {
            name: best.to_string(),
            dir: layout.version_dir(best),
        });
    }
    // A missing environment is compared with the environments, a version with the versions.
    let wanted = match req {
        Request::Name(n) => n,
        Request::Spec(_) => name,
    };
    let close = if looks_like_env(name) {
        let envs: Vec<String> = names
            .iter()
            .filter(|n| looks_like_env(n))
            .chain(listing.envs())
            .cloned()
            .collect();
        close_to(name, &envs)
    } else {
        // A version is compared with versions only: an environment's alias is no base.
        let versions: Vec<String> = names
            .iter()
            .filter(|n| !looks_like_env(n))
            .cloned()
            .collect();
        close_to(wanted, &versions)
    };
    Err(Error::NotInstalled {
        name: name.to_string(),
        origin: origin.clone(),
        close,
    })
}

/// Every selected name resolved, in order: the installed ones, and an error for each that is
/// not (pyenv warns for each missing version and goes on with the installed ones).
pub fn resolve_all(layout: &Layout, selection: &Selection) -> (Vec<Resolved>, Vec<Error>) {
    let listing = Listing::new(layout);
    let mut found = Vec::with_capacity(selection.versions.len());
    let mut missing = Vec::new();
    for name in &selection.versions {
        match resolve_in(&listing, name, &selection.origin) {
            Ok(r) => found.push(r),
            Err(e) => missing.push(e),
        }
    }
    (found, missing)
}

/// The installed versions and environments of one root, each listed from disk at most once and
/// only when first asked for: the shim's usual path (an installed exact name) never lists.
pub struct Listing<'a> {
    layout: &'a Layout,
    versions: OnceCell<Vec<String>>,
    envs: OnceCell<Vec<String>>,
    reads: Cell<usize>,
}

impl<'a> Listing<'a> {
    pub fn new(layout: &'a Layout) -> Self {
        Listing {
            layout,
            versions: OnceCell::new(),
            envs: OnceCell::new(),
            reads: Cell::new(0),
        }
    }

    pub fn layout(&self) -> &'a Layout {
        self.layout
    }

    /// [`installed`], listed on first use.
    pub fn versions(&self) -> &[String] {
        self.versions.get_or_init(|| {
            self.reads.set(self.reads.get() + 1);
            installed(self.layout)
        })
    }

    /// [`installed_envs`], from the same listing of `versions/`.
    pub fn envs(&self) -> &[String] {
        self.envs
            .get_or_init(|| envs_of(self.layout, self.versions()))
    }

    /// How many times `versions/` was listed (0 or 1): what the tests hold the bound to.
    pub fn reads(&self) -> usize {
        self.reads.get()
    }
}

/// Installed version names (directories or symlinks to directories in `versions/`), sorted.
pub fn installed(layout: &Layout) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(layout.versions_dir()) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.') && crate::name::problem(n).is_none())
            .filter(|n| layout.version_dir(n).is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by(|a, b| pyversion::compare_names(a, b));
    names
}

/// Environments as `<version>/envs/<name>`, for every real (non-alias) installed version.
pub fn installed_envs(layout: &Layout) -> Vec<String> {
    envs_of(layout, &installed(layout))
}

/// The environments of the installed `versions`.
fn envs_of(layout: &Layout, versions: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for v in versions {
        let vdir = layout.version_dir(v);
        if is_symlink(&vdir) {
            continue;
        }
        if let Ok(rd) = fs::read_dir(layout.envs_dir(v)) {
            let mut envs: Vec<String> = rd
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.'))
                .map(|n| format!("{v}/envs/{n}"))
                .filter(|n| crate::name::problem(n).is_none() && layout.version_dir(n).is_dir())
                .collect();
            envs.sort();
            out.extend(envs);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A root with `versions/<v>/bin/python` for each of `versions`.
    pub(crate) fn fake_root(tag: &str, versions: &[&str]) -> (PathBuf, Layout) {
        let d = std::env::temp_dir().join(format!("pyv-res-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        let layout = Layout::new(&d);
        for v in versions {
            let bin = layout.version_dir(v).join("bin");
            fs::create_dir_all(&bin).unwrap();
            let py = bin.join("python");
            fs::write(&py, "#!/bin/sh\n").unwrap();
            fs::set_permissions(&py, fs::Permissions::from_mode(0o755)).unwrap();
        }
        (d, layout)
    }

    #[test]
    fn exact_then_prefix_then_not_installed_with_hint() {
        let (d, layout) = fake_root("pre", &["3.12.1", "3.12.9", "3.13.0rc1", "3.11.2"]);
        let o = Origin::Argument;
        assert_eq!(resolve(&layout, "3.12.1", &o).unwrap().name(), "3.12.1");
        assert_eq!(resolve(&layout, "3.12", &o).unwrap().name(), "3.12.9");
        assert_eq!(resolve(&layout, "system", &o).unwrap(), Resolved::System);
        match resolve(&layout, "3.12.4", &o).unwrap_err() {
            Error::NotInstalled { close, .. } => assert_eq!(close, ["3.12.1", "3.12.9"]),
            e => panic!("{e}"),
        }
        assert!(
            resolve(&layout, "3.13", &o).is_err(),
            "rc not picked for a prefix"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn other_pythons_resolve_by_prefix_but_environments_do_not() {
        let (d, layout) = fake_root(
            "flav",
            &[
                "pypy3.9-7.3.11",
                "pypy3.10-7.3.9",
                "pypy3.10-7.3.17",
                "web-2",
                "miniforge3-24.11.0-0",
            ],
        );
        let o = Origin::Argument;
        assert_eq!(
            resolve(&layout, "pypy3.10", &o).unwrap().name(),
            "pypy3.10-7.3.17"
        );
        assert_eq!(
            resolve(&layout, "pypy3", &o).unwrap().name(),
            "pypy3.10-7.3.17"
        );
        assert_eq!(
            resolve(&layout, "miniforge3", &o).unwrap().name(),
            "miniforge3-24.11.0-0"
        );
        assert!(
            resolve(&layout, "web", &o).is_err(),
            "an environment name is not a prefix"
        );
        assert!(resolve(&layout, "pypy3.11", &o).is_err());
        fs::remove_dir_all(&d).unwrap();
    }
}
