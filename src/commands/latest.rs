use clap::Args;
use pyv_core::pyversion;
use pyv_core::resolve;

use crate::catalog::Catalog;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::install::prebuilt::{self, Flavour};

/// Print the newest installed (or, with --known, installable) version matching a prefix
#[derive(Args)]
pub struct Latest {
    /// A version prefix: `3.12`, `3`, `3.13t`, `pypy3.10`, `miniforge3`
    pub prefix: String,
    /// Search the versions pyv can install instead of the installed ones
    #[arg(short, long)]
    pub known: bool,
}

impl Latest {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let prefix = ctx.arg_name(&self.prefix)?;
        let found = if self.known && Flavour::is_other(&prefix) {
            let cfg = prebuilt::Config::from_env()?;
            cfg.target
                .and_then(|t| cfg.table.resolve_other(&prefix, t))
                .map(|r| r.version.clone())
        } else if self.known {
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
                format!(
                    "no known {} version matches `{prefix}`",
                    Flavour::of(&prefix).label()
                ),
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
