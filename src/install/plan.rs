//! What each `pyv install` request becomes before anything is locked or downloaded: a source
//! [`Plan`] or a row of a prebuilt table ([`Job`]). The release catalog is refreshed from
//! python.org at most once per `pyv install`: for a version it does not know, or for a prefix
//! (`3.14`, `latest`) or specifier when the fetched data is missing or over a day old. A refresh
//! that fails is a warning and what is known still installs; fetched data that contradicts the
//! embedded digests stops the install.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use pyv_core::pyversion::PyVersion;
use pyv_core::Origin;

use super::prebuilt::{self, Choice, Config, Flavour, Mode, Row};
use super::{request, InstallError, Plan};
use crate::catalog::{self, Catalog, CatalogError};
use crate::error::{Error, Result};
use crate::report::Reporter;

/// The flags that shape every request of one `pyv install`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<'a> {
    /// `--sha256`, already checked.
    pub sha256: Option<&'a str>,
    /// `-g`
    pub debug: bool,
    /// `--keep`
    pub keep: bool,
}

/// What one request becomes.
pub enum Job<'a> {
    /// Built from source (or reused from the artifact cache).
    Source(Plan),
    /// An archive of a prebuilt table; `how` follows the version in the summary line.
    Prebuilt {
        cfg: &'a Config,
        row: &'a Row,
        how: String,
    },
}

impl Job<'_> {
    /// The name it installs as.
    pub fn name(&self) -> &str {
        match self {
            Job::Source(plan) => &plan.name,
            Job::Prebuilt { row, .. } => &row.version,
        }
    }
}

/// Turns requests into [`Job`]s, holding what they share: the catalog and the tables.
pub struct Planner<'a> {
    mode: Mode,
    /// What set `mode` (`--prebuilt`, `PYV_INSTALL=auto`), for messages.
    asked_by: &'static str,
    /// The CPython prebuilt table, read only when a prebuilt may be used.
    cfg: Option<Config>,
    /// The table of PyPy, GraalPy and the conda family, read when first needed.
    others: Option<Config>,
    releases: Releases<'a>,
}

/// The release catalog as one `pyv install` sees it, refreshed at most once.
struct Releases<'a> {
    catalog: Catalog,
    refreshed: bool,
    cache_dir: PathBuf,
    reporter: &'a dyn Reporter,
}

impl<'a> Planner<'a> {
    pub fn new(
        mode: Mode,
        asked_by: &'static str,
        cfg: Option<Config>,
        cache_dir: &Path,
        reporter: &'a dyn Reporter,
    ) -> Result<Self> {
        Ok(Planner {
            mode,
            asked_by,
            cfg,
            others: None,
            releases: Releases {
                catalog: Catalog::load_or_warn(cache_dir)?,
                refreshed: false,
                cache_dir: cache_dir.to_path_buf(),
                reporter,
            },
        })
    }

    /// Decide what `raw` (an argument or a selected name, chosen by `origin`) installs.
    /// The release catalog as this run sees it (refreshed or not).
    pub fn catalog(&self) -> &Catalog {
        &self.releases.catalog
    }

    pub fn job(&mut self, raw: &str, origin: &Origin, flags: Flags) -> Result<Job<'_>> {
        let local = request::is_local_archive(raw);
        if !local && Flavour::is_other(&crate::ctx::arg_name(raw)?) {
            return self.other(raw, origin, flags);
        }
        let source_only = if local {
            Some(format!("the local archive `{raw}`"))
        } else if flags.sha256.is_some() {
            Some("`--sha256`".to_string())
        } else if flags.debug {
            Some("`-g` (a debug build)".to_string())
        } else {
            None
        };
        let name = if local {
            raw.to_string()
        } else {
            crate::ctx::arg_name(raw)?
        };
        let choice = prebuilt::choose(
            self.mode,
            self.cfg.as_ref(),
            &self.releases.catalog,
            &name,
            origin,
            self.asked_by,
            source_only.as_deref(),
        )?;
        if let (Choice::Prebuilt(row), Some(cfg)) = (choice, self.cfg.as_ref()) {
            crate::ctx::arg_name(&row.version)?;
            return Ok(Job::Prebuilt {
                cfg,
                row,
                how: " (prebuilt)".to_string(),
            });
        }
        let plan = if local {
            request::plan_local(
                &self.releases.catalog,
                Path::new(raw),
                flags.sha256,
                flags.debug,
            )?
        } else {
            self.releases
                .plan(&name, origin, flags.sha256, flags.debug)?
        };
        crate::ctx::arg_name(&plan.name)?;
        Ok(Job::Source(plan))
    }

    /// PyPy, GraalPy or the conda family: a row of their table; CPython's flags do not apply.
    fn other(&mut self, raw: &str, origin: &Origin, flags: Flags) -> Result<Job<'_>> {
        let name = crate::ctx::arg_name(raw)?;
        let flavour = Flavour::of(&name);
        if let Some(flag) = [
            (flags.sha256.is_some(), "`--sha256`"),
            (flags.debug, "`-g`"),
            (flags.keep, "`--keep`"),
        ]
        .iter()
        .find_map(|(set, f)| set.then_some(*f))
        {
            return Err(Error::usage(
                format!(
                    "{flag} applies to CPython source builds, not to {} `{name}`",
                    flavour.label()
                ),
                Some(format!(
                    "drop {flag}; a build of your own is added with a PYV_PREBUILT_TABLE row (name, platform, URL, sha256)"
                )),
            ));
        }
        if self.others.is_none() {
            self.others = Some(match &self.cfg {
                Some(c) => c.clone(),
                None => Config::from_env()?,
            });
        }
        let others = self.others.as_ref().expect("set just above");
        let row = others.require_other(&name, origin)?;
        crate::ctx::arg_name(&row.version)?;
        Ok(Job::Prebuilt {
            cfg: others,
            row,
            how: format!(" ({})", flavour.label()),
        })
    }
}

impl Releases<'_> {
    /// A source build of `name`: a specifier from a `.python-version` (`>=3.11,<3.13`) becomes
    /// the newest known final release that satisfies it; an unknown release refreshes the
    /// catalog once. Request syntax pyv does not understand is said as such.
    fn plan(
        &mut self,
        name: &str,
        origin: &Origin,
        sha256: Option<&str>,
        debug: bool,
    ) -> Result<Plan> {
        let spec = match pyv_core::request::parse(name) {
            Ok(pyv_core::request::Request::Spec(clauses)) => Some(clauses),
            Ok(_) => None,
            // `3,13` reads as specifiers but is a typo: the unknown-release error says which
            // version was meant.
            Err(_) if pyv_core::typo::repair(name).is_some() => None,
            Err(reason) => {
                return Err(Error::user(
                    format!(
                        "`{name}` is not a version request pyv understands ({reason}) {origin}"
                    ),
                    Some(format!("pyv understands {}", pyv_core::request::FORMS)),
                ))
            }
        };
        if !self.refreshed
            && (spec.is_some() || catalog::is_prefix(name))
            && self.catalog.is_stale(SystemTime::now())
            && !self.failed_recently()
        {
            if let Err(why) = self.refresh()? {
                self.note_failure();
                self.reporter.warn(&format!(
                    "cannot refresh the release list to resolve `{name}`: {why}; \
                     using the releases pyv knows (next try in an hour, or run `pyv update`)"
                ));
            }
        }
        for (version, source) in self.catalog.unvouched_for(name) {
            self.reporter.note(&format!(
                "not picking `{version}` for `{name}`: only the release data fetched from \
                 {source} lists it, which is neither python.org's API nor one named in \
                 PYV_PYTHON_ORG_API (a mirror's own release list is not trusted); `pyv update` \
                 fetches python.org's"
            ));
        }
        let picked;
        let name = match &spec {
            Some(clauses) => {
                match pyv_core::request::newest_matching(clauses, self.catalog.versions()) {
                    Some(v) => {
                        picked = v.to_string();
                        picked.as_str()
                    }
                    None => {
                        return Err(Error::user(
                            format!("no CPython release pyv knows satisfies `{name}` {origin}"),
                            Some(
                                "`pyv update` fetches python.org's newest releases; \
                                 `pyv install --list` shows the ones pyv knows"
                                    .to_string(),
                            ),
                        ))
                    }
                }
            }
            None => name,
        };
        match request::plan(&self.catalog, name, origin, sha256, debug) {
            Err(InstallError::Unknown { .. })
                if !self.refreshed && (name == "latest" || PyVersion::parse(name).is_some()) =>
            {
                self.reporter.note(&format!(
                    "`{name}` is not in pyv's release list; updating it"
                ));
                if let Err(why) = self.refresh()? {
                    self.reporter.warn(&format!(
                        "cannot update the release list to look for `{name}`: {why}"
                    ));
                }
                Ok(request::plan(&self.catalog, name, origin, sha256, debug)?)
            }
            other => Ok(other?),
        }
    }

    /// Where a failed automatic refresh is noted: an offline machine (or one where python.org
    /// is firewalled and every connect waits for its timeout) tries at most once an hour.
    fn failure_marker(&self) -> PathBuf {
        self.cache_dir.join("catalog").join(".refresh-failed")
    }

    fn failed_recently(&self) -> bool {
        std::fs::metadata(self.failure_marker())
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < Duration::from_secs(3600))
    }

    fn note_failure(&self) {
        let _ = pyv_core::fsx::write_atomic(&self.failure_marker(), b"");
    }

    /// Fetch python.org's release data once. `Ok(Err(why))`: it could not be fetched or saved.
    fn refresh(&mut self) -> Result<std::result::Result<(), String>> {
        self.refreshed = true;
        match catalog::update(&self.cache_dir) {
            Ok(u) => {
                let mut unvouched = std::mem::take(&mut self.catalog.unvouched);
                unvouched.retain(|(v, _)| !u.catalog.is_known(v));
                self.catalog = u.catalog;
                self.catalog.unvouched = unvouched;
                Ok(Ok(()))
            }
            Err(e @ CatalogError::Conflict { .. }) => Err(e.into()),
            Err(e) => Ok(Err(e.to_string())),
        }
    }
}
