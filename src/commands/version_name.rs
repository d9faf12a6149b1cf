use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;

/// Show the selected version name(s), `:`-separated
#[derive(Args)]
pub struct VersionName {}

impl VersionName {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let (versions, _) = super::resolved_selection(ctx)?;
        let names: Vec<&str> = versions.iter().map(|v| v.name()).collect();
        println!("{}", names.join(":"));
        Ok(0)
    }
}
