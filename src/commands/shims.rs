use std::fs;

use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;

/// List the shims
#[derive(Args)]
pub struct Shims {
    /// Names only, not full paths
    #[arg(long)]
    pub short: bool,
}

impl Shims {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let dir = ctx.layout.shims_dir();
        let mut names: Vec<String> = fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for n in names {
            if self.short {
                crate::ui::out(&n);
            } else {
                // A path for scripts, as `pyv which` prints one: not escaped.
                println!("{}", dir.join(n).display());
            }
        }
        Ok(0)
    }
}
