//! The path checks every tree description from outside pyv's own memory goes through: archive
//! entries (`install::unpack`) and the index files of the cache's unpacked copies and
//! environment templates, which are input just like an archive.

use std::path::{Component, Path};

/// The normal components of `path`: refused when it is absolute or contains `..`.
pub fn normal_parts(path: &Path) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => return Err("contains `..`"),
            Component::RootDir | Component::Prefix(_) => return Err("is an absolute path"),
        }
    }
    Ok(out)
}

/// A relative path that names something strictly inside the tree (not the tree itself).
pub fn inside(rel: &str) -> Result<(), &'static str> {
    if rel.is_empty() {
        return Err("is empty");
    }
    let parts = normal_parts(Path::new(rel))?;
    if parts.is_empty() {
        return Err("names the tree itself");
    }
    Ok(())
}

/// Whether a symlink at `entry` (components) pointing to `target` stays inside the top-level
/// directory (depth 1), resolving `..` lexically.
pub fn symlink_stays_inside(entry: &[String], target: &Path) -> bool {
    if target.as_os_str().is_empty() {
        return false;
    }
    // Start in the link's directory; depth 1 is the top-level directory itself.
    let mut depth = entry.len() as isize - 1;
    for c in target.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 1 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    depth >= 1
}

/// Whether a symlink at `rel` (relative to the tree's root) pointing to the relative `target`
/// stays inside the tree.
pub fn link_stays_in_tree(rel: &str, target: &str) -> bool {
    let Ok(mut parts) = normal_parts(Path::new(rel)) else {
        return false;
    };
    // Seen from a virtual top-level directory, so that depth 1 is the tree's root.
    parts.insert(0, String::new());
    symlink_stays_inside(&parts, Path::new(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_refused() {
        assert!(inside("lib/python3.12/os.py").is_ok());
        assert!(inside("../etc/shadow").is_err());
        assert!(inside("lib/../../x").is_err());
        assert!(inside("/etc/shadow").is_err());
        assert!(inside("").is_err());
        assert!(inside(".").is_err());
        assert!(link_stays_in_tree("lib64", "lib"));
        assert!(link_stays_in_tree("bin/python3", "python3.12"));
        assert!(link_stays_in_tree("lib/a/b", "../../bin/x"));
        assert!(!link_stays_in_tree("lib/a", "../../x"));
        assert!(!link_stays_in_tree("x", "/etc/shadow"));
        assert!(!link_stays_in_tree("x", ""));
    }
}
