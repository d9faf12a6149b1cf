use std::path::PathBuf;

use clap::Args;
use pyv_core::resolve::{self, Resolved};

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Show where a version (default: the selected ones) is installed
#[derive(Args)]
pub struct Prefix {
    /// Versions to show; default the current selection
    pub versions: Vec<String>,
}

impl Prefix {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let versions = if self.versions.is_empty() {
            super::resolved_selection(ctx)?.0
        } else {
            self.versions
                .iter()
                .map(|v| ctx.resolve_arg(v))
                .collect::<Result<_>>()?
        };
        let mut prefixes = Vec::new();
        for v in versions {
            prefixes.push(match v {
                Resolved::Installed { dir, .. } => dir,
                Resolved::System => system_prefix(ctx)?,
            });
        }
        let joined: Vec<String> = prefixes.iter().map(|p| p.display().to_string()).collect();
        println!("{}", joined.join(":"));
        Ok(0)
    }
}

fn system_prefix(ctx: &Ctx) -> Result<PathBuf> {
    let path = ctx.env.path.clone();
    ["python3", "python"]
        .iter()
        .find_map(|c| resolve::find_system(&ctx.layout, c, path.as_deref()))
        .and_then(|p| p.parent()?.parent().map(PathBuf::from))
        .ok_or_else(|| {
            Error::user(
                "no system Python found on PATH",
                Some("install one, or select a pyv version".to_string()),
            )
        })
}
