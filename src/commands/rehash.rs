use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;

/// Regenerate the shims for every command in every installed version and environment
#[derive(Args)]
pub struct Rehash {}

impl Rehash {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let report = ctx.rehash()?;
        if ctx.verbose {
            eprintln!(
                "{} shims ({} added, {} removed)",
                report.total,
                report.added.len(),
                report.removed.len()
            );
        }
        Ok(0)
    }
}
