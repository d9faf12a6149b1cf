use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;

/// Show pyv's root directory
#[derive(Args)]
pub struct Root {}

impl Root {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        println!("{}", ctx.layout.root().display());
        Ok(0)
    }
}
