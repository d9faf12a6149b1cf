use clap::Args;
use pyv_core::request::{self, Request};
use pyv_core::resolve;

use crate::ctx::Ctx;
use crate::error::Result;

/// Show the selected version name(s), `:`-separated
///
/// A selected version that is not installed is reported and left out (exit 1).
#[derive(Args)]
pub struct VersionName {
    /// Print the selected names even when not installed, without checking
    #[arg(short, long)]
    pub force: bool,
}

impl VersionName {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        if self.force {
            // As pyenv's `-f`: installed names resolved, the others printed as written.
            let sel = ctx.selection()?;
            let listing = resolve::Listing::new(&ctx.layout);
            let names: Vec<String> = sel
                .versions
                .iter()
                .map(|n| match resolve::resolve_in(&listing, n, &sel.origin) {
                    Ok(r) => r.name().to_string(),
                    Err(_) => match request::parse(n) {
                        Ok(Request::Name(v)) => v.to_string(),
                        _ => n.clone(),
                    },
                })
                .collect();
            println!("{}", names.join(":"));
            return Ok(0);
        }
        let (versions, _, any_missing) = super::tolerant_selection(ctx)?;
        if !versions.is_empty() {
            let names: Vec<&str> = versions.iter().map(|v| v.name()).collect();
            println!("{}", names.join(":"));
        }
        Ok(i32::from(any_missing))
    }
}
