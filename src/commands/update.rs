//! `pyv update`: fetch python.org's release data into the cache so that `install`, `install
//! --list` and `latest --known` know releases published after this pyv was built.

use clap::Args;

use crate::catalog;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::ui;

/// Fetch the list of CPython releases from python.org
///
/// Saves the source archives of every published release, with their SHA-256, to
/// $PYV_CACHE_DIR/catalog/python-org.tsv; pyv's embedded catalog still wins for the releases
/// it knows, and a digest that disagrees with it is an error. `pyv install` runs this by itself
/// for a version it does not know, and for a prefix like `3.14` when the data is over a day
/// old. Environment: PYV_PYTHON_ORG_API (never PYV_PYTHON_ORG's host: a mirror
/// does not vouch for its own files).
#[derive(Args)]
pub struct Update {}

impl Update {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        if !ctx.quiet {
            ui::err("pyv: update: fetching the release list");
        }
        let u = catalog::update(&ctx.cache_dir)?;
        if ctx.quiet {
            return Ok(0);
        }
        ui::out(&format!(
            "updated pyv's catalog from {}: {} source archives, saved to {}",
            u.api,
            u.archives,
            u.path.display()
        ));
        match u.new_versions.as_slice() {
            [] => ui::out("no releases newer than the ones built into pyv"),
            new => {
                let shown = &new[new.len().saturating_sub(10)..];
                let more = new.len() - shown.len();
                let more = if more > 0 {
                    format!("{more} more and ")
                } else {
                    String::new()
                };
                ui::out(&format!(
                    "not built into pyv, now installable: {more}{}",
                    shown.join(", ")
                ));
            }
        }
        let some = |v: &[String]| {
            let mut s = v[..v.len().min(5)].join(", ");
            if v.len() > 5 {
                s.push_str(", ...");
            }
            s
        };
        if !u.unusable.is_empty() {
            ui::out(&format!(
                "skipped {} archive(s) python.org lists without a SHA-256 (install those with \
                 `--sha256`): {}",
                u.unusable.len(),
                some(&u.unusable)
            ));
        }
        if !u.not_source.is_empty() {
            ui::out(&format!(
                "skipped {} archive(s) whose URL is not a python.org source path \
                 (`<version>/Python-<version>.tgz|.tar.xz` below /ftp/python/): {}",
                u.not_source.len(),
                some(&u.not_source)
            ));
        }
        Ok(0)
    }
}
