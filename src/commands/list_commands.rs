use clap::{Args, CommandFactory};

use crate::ctx::Ctx;
use crate::error::Result;

/// List all pyv commands
#[derive(Args)]
pub struct Commands {}

impl Commands {
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        for sub in crate::cli::Cli::command().get_subcommands() {
            if !sub.is_hide_set() {
                println!("{}", sub.get_name());
            }
        }
        Ok(0)
    }
}
