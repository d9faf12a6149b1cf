use clap::Args;
use pyv_core::version_file::{self, FILE_NAME};

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::ui;

/// Set or show the version(s) for this directory and below (`.python-version`)
#[derive(Args)]
pub struct Local {
    /// Versions for this project, in search order
    pub versions: Vec<String>,
    /// Remove this directory's `.python-version`
    #[arg(long, conflicts_with = "versions")]
    pub unset: bool,
    /// Write the file even if a version is not installed
    #[arg(short, long)]
    pub force: bool,
}

impl Local {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let cwd = ctx.cwd();
        let file = cwd.join(FILE_NAME);
        if self.unset {
            super::unset_version_file(&file)?;
            return Ok(0);
        }
        if self.versions.is_empty() {
            return match version_file::find(&cwd)? {
                Some((_, versions)) => {
                    // The file's words, from a repository: shown escaped.
                    for v in versions {
                        ui::out(&v);
                    }
                    Ok(0)
                }
                None => Err(Error::user(
                    "no local version configured for this directory",
                    Some(format!(
                        "no `{FILE_NAME}` in `{}` or above it; set one with `pyv local <version>`",
                        cwd.display()
                    )),
                )),
            };
        }
        let names = super::checked_names(ctx, &self.versions, self.force)?;
        version_file::write(&file, &names)?;
        Ok(0)
    }
}
