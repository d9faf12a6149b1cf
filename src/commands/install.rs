//! `pyv install`: resolve each request, run the install pipeline (`crate::install`), rehash,
//! and print one summary line per version.

use std::path::Path;

use clap::Args;
use pyv_core::resolve;
use pyv_core::Origin;

use crate::catalog;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::install::{self, request, Options, Outcome};
use crate::signals;

/// Install Python versions, built from python.org's source
///
/// The archive's SHA-256 is checked against pyv's catalog before anything is unpacked, the
/// build dependencies are checked before anything is downloaded, and the new version becomes
/// visible with one rename only after its interpreter has been tested. Environment:
/// PYV_MIRROR (comma-separated base URLs tried before python.org; http, https or file),
/// PYV_PYTHON_ORG (replaces python.org's base URL), PYV_CONFIGURE_OPTS,
/// PYV_MAKE_OPTS, CC, CFLAGS, LDFLAGS. Build logs go to $PYV_ROOT/logs/. Verified builds are
/// kept in $PYV_CACHE_DIR/artifacts and reused instead of compiling (PYV_ARTIFACT_CACHE=0 turns
/// that off; PYV_ARTIFACT_MIRROR names shared artifact directories).
#[derive(Args)]
pub struct Install {
    /// `3.12.1`, `3.12` (newest 3.12.x), `3.13t` (free-threaded), `latest`, or a local archive
    /// such as `./Python-3.14.2.tar.xz`; none: what the current selection names but is missing
    #[arg(value_name = "VERSION")]
    pub versions: Vec<String>,
    /// List the versions pyv can install
    #[arg(short, long, conflicts_with = "versions")]
    pub list: bool,
    /// Rebuild an installed version (the old one stays until the new one works)
    #[arg(short, long, conflicts_with = "skip_existing")]
    pub force: bool,
    /// Succeed without doing anything if the version is already installed
    #[arg(short, long)]
    pub skip_existing: bool,
    /// Accept a release pyv's catalog does not know, if its archive has this SHA-256
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Build even if the ssl or zlib development files seem to be missing
    #[arg(long)]
    pub skip_preflight: bool,
    /// Build with `--with-pydebug`; installed as `<version>-debug`
    #[arg(short = 'g', long)]
    pub debug: bool,
    /// Keep the source tree in $PYV_ROOT/sources/<version>
    #[arg(short, long)]
    pub keep: bool,
    /// Build from source even if the artifact cache has this exact build (the cached build is
    /// replaced); PYV_ARTIFACT_CACHE=0 turns the cache off entirely
    #[arg(long)]
    pub no_cache: bool,
    /// Parallel make jobs [default: PYV_MAKE_OPTS if set, else the number of cores]
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

impl Install {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        if self.list {
            for v in catalog::versions() {
                println!("{v}");
                if catalog::supports_free_threading(v) {
                    println!("{v}t");
                }
            }
            return Ok(0);
        }
        let settings = ctx.install_settings()?;
        signals::install();
        let sha256 = self
            .sha256
            .as_deref()
            .map(request::parse_sha256)
            .transpose()?;
        let requests = self.requests(ctx)?;
        if sha256.is_some() && requests.len() > 1 {
            return Err(Error::usage(
                format!(
                    "`--sha256` applies to one version, but {} were requested",
                    requests.len()
                ),
                Some("install one version per `--sha256`".to_string()),
            ));
        }
        let opts = Options {
            force: self.force,
            skip_existing: self.skip_existing,
            skip_preflight: self.skip_preflight,
            keep: self.keep,
            jobs: self.jobs.filter(|j| *j > 0),
            no_cache: self.no_cache,
        };
        for (raw, origin) in requests {
            let plan = if request::is_local_archive(&raw) {
                request::plan_local(Path::new(&raw), sha256.as_deref(), self.debug)?
            } else {
                let name = ctx.arg_name(&raw)?;
                request::plan(&name, &origin, sha256.as_deref(), self.debug)?
            };
            ctx.arg_name(&plan.name)?;
            match install::install(&settings, &plan, &opts)? {
                Outcome::Installed { name, dir, took } => {
                    ctx.rehash()?;
                    println!(
                        "installed Python {name} in {} ({}); use it with `pyv global {name}` or `pyv local {name}`",
                        dir.display(),
                        crate::ui::human_duration(took)
                    );
                }
                Outcome::AlreadyInstalled { name, by_other } => {
                    if by_other {
                        println!(
                            "Python {name} was installed by another pyv meanwhile; nothing to do"
                        );
                    } else if !ctx.quiet {
                        println!("Python {name} is already installed; skipped");
                    }
                }
            }
        }
        Ok(0)
    }

    /// The requests with where each came from: the arguments, or the missing selected versions.
    fn requests(&self, ctx: &Ctx) -> Result<Vec<(String, String)>> {
        if !self.versions.is_empty() {
            let origin = Origin::Argument.to_string();
            return Ok(self
                .versions
                .iter()
                .map(|v| (v.clone(), origin.trim_matches(['(', ')']).to_string()))
                .collect());
        }
        let sel = ctx.selection()?;
        if sel.origin == Origin::Default {
            return Err(Error::usage(
                "no version given and none selected",
                Some("name one: `pyv install 3.13` (see `pyv install --list`)".to_string()),
            ));
        }
        let origin = sel.origin.to_string().trim_matches(['(', ')']).to_string();
        let missing: Vec<(String, String)> = sel
            .versions
            .iter()
            .filter(|v| *v != "system")
            .filter(|v| resolve::resolve(&ctx.layout, v, &sel.origin).is_err())
            .map(|v| (v.clone(), origin.clone()))
            .collect();
        if missing.is_empty() && !ctx.quiet {
            println!(
                "every selected version is installed: {} ({origin})",
                sel.versions.join(", ")
            );
        }
        Ok(missing)
    }
}
