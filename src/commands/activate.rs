use clap::Args;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// (not yet implemented)
#[derive(Args)]
pub struct Activate {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

impl Activate {
    pub fn run_unhooked(self, ctx: &Ctx) -> Result<i32> {
        self.run(ctx)
    }
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        Err(Error::user("not implemented yet", None))
    }
}

/// (not yet implemented)
#[derive(Args)]
pub struct Deactivate {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

impl Deactivate {
    pub fn run_unhooked(self, ctx: &Ctx) -> Result<i32> {
        self.run(ctx)
    }
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        Err(Error::user("not implemented yet", None))
    }
}
