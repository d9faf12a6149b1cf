use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::shell::Shell;

/// Print the completion script for a shell (the same as in completions/)
#[derive(Args)]
pub struct Completions {
    /// The shell to complete for
    pub shell: Shell,
}

impl Completions {
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        print!("{}", super::init::completion_script(self.shell));
        Ok(0)
    }
}
