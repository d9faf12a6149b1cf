use clap::Args;
use pyv_core::pyversion;
use pyv_core::resolve;

use crate::catalog::Catalog;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Print the newest installed (or, with --known, installable) version matching a prefix
#[derive(Args)]
pub struct Latest {
    /// A version prefix: `3.12`, `3`, `3.13t`
    pub prefix: String,
    /// Search the versions pyv can install instead of the installed ones
    #[arg(short, long)]
    pub known: bool,
}

impl Latest {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let prefix = ctx.arg_name(&self.prefix)?;
        let found = if self.known {
            Catalog::load_or_warn(&ctx.cache_dir)?.best_known(&prefix)
        } else {
            let installed = resolve::installed(&ctx.layout);
            pyversion::best_match(&prefix, installed.iter().map(String::as_str)).map(String::from)
        };
        match found {
            Some(v) => {
                println!("{v}");
                Ok(0)
            }
            None if self.known => Err(Error::user(
                format!("no known CPython version matches `{prefix}`"),
                Some(
                    "see `pyv install --list`; `pyv update` fetches python.org's newest list"
                        .to_string(),
                ),
            )),
            None => Err(Error::user(
                format!("no installed version matches `{prefix}`"),
                Some(format!("run `pyv install {prefix}`")),
            )),
        }
    }
}
