use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::ui;

/// Show the selected version(s) and what selected them
#[derive(Args)]
pub struct Version {
    /// Print only the names (same as `pyv version-name`)
    #[arg(long)]
    pub bare: bool,
}

impl Version {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let (versions, origin, any_missing) = super::tolerant_selection(ctx)?;
        for v in versions {
            if self.bare {
                ui::out(v.name());
            } else {
                // The origin names a directory, which may hold anything.
                ui::out(&format!("{} {origin}", v.name()));
            }
        }
        Ok(i32::from(any_missing))
    }
}
