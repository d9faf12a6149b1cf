use std::path::{Path, PathBuf};

use clap::Args;
use pyv_core::resolve::Resolved;
use pyv_core::which;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Show where a version (default: the selected ones) is installed
#[derive(Args)]
pub struct Prefix {
    /// Versions to show; default the current selection
    pub versions: Vec<String>,
}

impl Prefix {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let versions = if self.versions.is_empty() {
            super::resolved_selection(ctx).map(|(v, _)| v)
        } else {
            self.versions
                .iter()
                .map(|v| ctx.resolve_arg(v))
                .collect::<Result<_>>()
        };
        let versions = versions.map_err(|e| super::pyenv_not_installed(ctx, e))?;
        let mut prefixes = Vec::new();
        for v in versions {
            prefixes.push(match v {
                Resolved::Installed { dir, .. } => dir,
                Resolved::System => system_prefix(ctx)?,
            });
        }
        let joined: Vec<String> = prefixes.iter().map(|p| p.display().to_string()).collect();
        println!("{}", joined.join(":"));
        Ok(0)
    }
}

/// The prefix of the system Python, as pyenv finds it: `python`, then `python3`, then
/// `python2` on PATH (not the shims), and the directory above its `bin/` or `sbin/`.
fn system_prefix(ctx: &Ctx) -> Result<PathBuf> {
    let path = ctx.env.path.clone();
    ["python", "python3", "python2"]
        .iter()
        .find_map(|c| which::find_system(&ctx.layout, c, path.as_deref()))
        .map(|p| prefix_of(&p))
        .ok_or_else(|| {
            Error::user(
                "system version not found in PATH",
                Some(
                    "install a Python with your package manager, or select a pyv version"
                        .to_string(),
                ),
            )
        })
}

/// `/usr/bin/python` -> `/usr`, `/opt/x/sbin/python` -> `/opt/x`, `/bin/python` -> `/`.
fn prefix_of(python: &Path) -> PathBuf {
    let dir = python.parent().unwrap_or(Path::new("/"));
    let up = match dir.file_name().and_then(|n| n.to_str()) {
        Some("bin" | "sbin") => dir.parent().unwrap_or(Path::new("/")),
        _ => dir,
    };
    if up.as_os_str().is_empty() {
        PathBuf::from("/")
    } else {
        up.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_prefix_is_above_bin_or_sbin() {
        assert_eq!(prefix_of(Path::new("/usr/bin/python")), Path::new("/usr"));
        assert_eq!(
            prefix_of(Path::new("/opt/x/sbin/python")),
            Path::new("/opt/x")
        );
        assert_eq!(prefix_of(Path::new("/bin/python")), Path::new("/"));
    }
}
