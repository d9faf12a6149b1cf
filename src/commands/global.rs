use clap::Args;
use pyv_core::{select, version_file};

use crate::ctx::Ctx;
use crate::error::Result;

/// Set or show the global Python version(s), used when nothing more specific selects one
#[derive(Args)]
pub struct Global {
    /// Versions to use by default, in search order (`system` is the OS's Python)
    pub versions: Vec<String>,
    /// Remove the global version file (back to `system`)
    #[arg(long, conflicts_with = "versions")]
    pub unset: bool,
    /// Write the file even if a version is not installed
    #[arg(short, long)]
    pub force: bool,
}

impl Global {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let file = ctx.layout.global_file();
        if self.unset {
            super::unset_version_file(&file)?;
            return Ok(0);
        }
        if self.versions.is_empty() {
            for v in select::global(&ctx.layout)?.versions {
                crate::ui::out(&v);
            }
            return Ok(0);
        }
        let names = super::checked_names(ctx, &self.versions, self.force)?;
        version_file::write(&file, &names)?;
        Ok(0)
    }
}
