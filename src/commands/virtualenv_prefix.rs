//! `pyv virtualenv-prefix`: where the Python an environment was made from is installed.

use clap::Args;
use pyv_core::Origin;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::venv::{self, VenvError};

/// Show the prefix of the version a virtualenv was made from (default: the selected one)
#[derive(Args)]
pub struct VirtualenvPrefix {
    /// The environment (`myenv` or `3.11.9/envs/myenv`)
    pub name: Option<String>,
}

impl VirtualenvPrefix {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let targets: Vec<(String, Origin)> = match self.name {
            Some(n) => vec![(ctx.arg_name(&n)?, Origin::Argument)],
            None => {
                let sel = ctx.selection()?;
                let origin = sel.origin;
                sel.versions
                    .into_iter()
                    .map(|v| (v, origin.clone()))
                    .collect()
            }
        };
        let mut prefixes = Vec::new();
        for (name, origin) in targets {
            let env = venv::find(&ctx.layout, &name, &origin)?;
            let base = env.base.ok_or_else(|| VenvError::UnknownBase {
                name: env.name,
                example: venv::example_base(&ctx.layout),
            })?;
            prefixes.push(ctx.layout.version_dir(&base).display().to_string());
        }
        println!("{}", prefixes.join(":"));
        Ok(0)
    }
}
