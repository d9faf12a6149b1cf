use clap::Args;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// (not yet implemented)
#[derive(Args)]
pub struct Uninstall {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

impl Uninstall {
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        Err(Error::user("not implemented yet", None))
    }
}
