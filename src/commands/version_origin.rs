use clap::Args;
use pyv_core::Origin;

use crate::ctx::Ctx;
use crate::error::Result;

/// Explain what selected the current version (a file, PYV_VERSION, or the global file)
#[derive(Args)]
pub struct VersionOrigin {}

impl VersionOrigin {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let sel = ctx.selection()?;
        match sel.origin {
            // As pyenv: with nothing selected, the origin is the (absent) global file.
            Origin::Default => println!("{}", ctx.layout.global_file().display()),
            o => println!("{}", o.describe()),
        }
        Ok(0)
    }
}
