//! Prebuilt CPython from python-build-standalone, on request (`--prebuilt`, `PYV_INSTALL`).
//! Source builds stay the default: these builds are relocatable, statically linked against
//! their own OpenSSL/Tcl/etc. and configured differently from a pyenv-style build.
//!
//! Top to bottom: [`Mode`] says whether an install may use a prebuilt archive, [`Config`]
//! ([`config`]) holds the trusted [`table`] (embedded rows plus `$PYV_PREBUILT_TABLE`) and the
//! download base (`$PYV_PREBUILT_MIRROR`), [`choose`] decides per request, and [`stage`]
//! fetches, verifies and checks one archive for the install pipeline (`crate::install::install`),
//! which gives it the same lock, receipt and atomic rename as a source install. A prebuilt
//! `3.12.7` installs as `versions/3.12.7/` with a receipt saying `kind=prebuilt`.

mod config;
pub mod flavour;
pub mod other;
pub mod table;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use pyv_core::Origin;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::install::receipt::Receipt;
use crate::install::request::Candidate;
use crate::install::{download, staging, unpack, InstallError, Ready, Settings, Then};
use crate::report::{Reporter, Step};
use crate::signals;
pub use config::Config;
pub use flavour::Flavour;
pub use table::Row;

/// Which kind of install a request may become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Build from python.org's source (the default).
    Source,
    /// Only a prebuilt archive; an error if the table has none for this platform.
    Prebuilt,
    /// Prebuilt when the table has the version for this platform, else source.
    Auto,
}

impl Mode {
    /// Parse `PYV_INSTALL`'s value; unset or empty is None.
    pub fn parse_env(value: Option<&str>) -> Result<Option<Mode>> {
        match value.map(str::trim) {
            None | Some("") => Ok(None),
            Some("source") => Ok(Some(Mode::Source)),
            Some("prebuilt") => Ok(Some(Mode::Prebuilt)),
            Some("auto") => Ok(Some(Mode::Auto)),
            Some(other) => Err(Error::usage(
                format!(
                    "invalid PYV_INSTALL value `{}` (set in the environment): expected `source`, `prebuilt` or `auto`",
                    other.escape_debug()
                ),
                Some("unset PYV_INSTALL to build from source, the default".to_string()),
            )),
        }
    }
}

/// What one request becomes.
#[derive(Debug, PartialEq, Eq)]
pub enum Choice<'a> {
    Source,
    Prebuilt(&'a Row),
}

/// Decide how to install `request` (a normalised name chosen by `origin`). `asked_by` names
/// what set a prebuilt mode (`--prebuilt`, `PYV_INSTALL=auto`); `source_only` names what makes
/// this request source-only (`--sha256`, `-g`, a local archive), if anything does.
pub fn choose<'a>(
    mode: Mode,
    cfg: Option<&'a Config>,
    catalog: &Catalog,
    request: &str,
    origin: &Origin,
    asked_by: &str,
    source_only: Option<&str>,
) -> Result<Choice<'a>> {
    let cfg = match (mode, cfg) {
        (Mode::Source, _) | (_, None) => return Ok(Choice::Source),
        (_, Some(c)) => c,
    };
    match (mode, source_only) {
        (Mode::Prebuilt, Some(why)) => Err(Error::usage(
            format!("{why} needs a source build, but {asked_by} asks for a prebuilt Python"),
            Some("pass `--source` (or unset PYV_INSTALL) to build from source".to_string()),
        )),
        (Mode::Prebuilt, None) => cfg.require(request, origin, asked_by).map(Choice::Prebuilt),
        (_, Some(_)) => Ok(Choice::Source),
        (_, None) => {
            // Auto installs the version a source build would (`3.12` means the catalog's newest
            // 3.12.x), just faster when an archive exists; a release the catalog does not know
            // yet may still be prebuilt.
            let row = match catalog.best_known(request) {
                Some(v) => cfg.lookup(&v).filter(|r| r.version == v),
                None => cfg.lookup(request),
            };
            Ok(row.map_or(Choice::Source, Choice::Prebuilt))
        }
    }
}

/// A prebuilt row's tree for the install pipeline (`crate::install::install`): fetch and
/// verify the digest, unpack safely (or run the conda installer), check the interpreter runs,
/// add pip where it lacks one; the receipt says which archive it was.
pub fn stage(
    settings: &Settings,
    cfg: &Config,
    row: &Row,
    name: &str,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<Ready> {
    let layout = &settings.layout;
    signals::check().map_err(InstallError::from)?;

    let file = row.file_name();
    let cand = Candidate {
        file: file.clone(),
        path: row.path.clone(),
        sha256: row.sha256.clone(),
    };
    let flavour = row.flavour();
    let archive = download::fetch_urls_capped(
        &settings.cache_dir,
        &[(cfg.url(row), &cand)],
        download::ceiling_or(flavour.download_ceiling_mib()),
        reporter,
    )
    .map_err(|e| with_hint(e.into()))?;
    let stage = staging::Stage::create(layout, name)?;
    let staged = if flavour == Flavour::Conda {
        other::run_installer(layout, name, &archive, &stage, target, reporter)?
    } else {
        let top = unpack::unpack(&archive, &stage.src_dir(), reporter)
            .map_err(|e| with_hint(e.into()))?;
        let staged = stage.staged_prefix(target);
        if let Some(parent) = staged.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
        }
        fs::rename(&top, &staged).map_err(|e| Error::io("cannot move", &top, e))?;
        staged
    };
    signals::check().map_err(InstallError::from)?;
    let mut warnings = match flavour {
        Flavour::CPython => verify(&staged, row, reporter)?,
        _ => {
            other::add_links(&staged, flavour)?;
            other::verify(&staged, row, reporter)?
        }
    };
    if matches!(flavour, Flavour::PyPy | Flavour::GraalPy) {
        warnings.extend(other::ensure_pip(layout, name, &staged, target, reporter)?);
    }
    signals::check().map_err(InstallError::from)?;
    let mut receipt = Receipt::new(flavour.kind()).with("version", &row.version);
    if flavour == Flavour::CPython {
        receipt = receipt.with("target", &row.target);
    } else {
        receipt = receipt
            .with("platform", &row.target)
            .with("url", &cfg.url(row));
    }
    Ok(Ready {
        stage,
        prefix: staged,
        receipt: receipt.with("archive", &file).with("sha256", &row.sha256),
        warnings,
        then: Then::Nothing,
        cache_lock: None,
    })
}

/// Run `python -E -s -c <script> <args>` (without PYTHONHOME/PYTHONPATH, stdin closed): what
/// it printed, or why it failed (its exit status and the last line it wrote on stderr).
pub(crate) fn run_check(
    python: &Path,
    script: &str,
    args: &[&str],
) -> std::result::Result<String, String> {
    let out = Command::new(python)
        .args(["-E", "-s", "-c", script])
        .args(args)
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("").trim();
        let name = python.file_name().unwrap_or_default().to_string_lossy();
        return Err(format!("bin/{name} exited with {} {last}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Download, digest and unsafe-archive errors get hints about the prebuilt settings, not
/// PYV_MIRROR's.
fn with_hint(e: Error) -> Error {
    let hint = match &e {
        Error::Install(InstallError::Download { .. }) => {
            "check the network, PYV_PREBUILT_MIRROR (a base URL laid out as \
             <mirror>/<release tag>/<file name>) or PYV_MIRROR_MAP (`<upstream>=<mirror>`); a \
             partial download is resumed on the next try"
        }
        Error::Install(InstallError::Digest { .. }) => {
            "the mirror or a proxy served other bytes than pyv's table (or PYV_PREBUILT_TABLE) \
             names; fix or unset PYV_PREBUILT_MIRROR / PYV_MIRROR_MAP and retry (a mismatch is \
             never retried)"
        }
        Error::Install(InstallError::UnsafeArchive { .. }) => {
            "do not use this archive: fetch it from its upstream release page again \
             (python-build-standalone's, pypy.org's, GraalPy's)"
        }
        _ => return e,
    };
    Error::user(e.to_string(), Some(hint.to_string()))
}

/// Modules without which the install is refused, and ones whose absence is only a warning.
const REQUIRED: [&str; 2] = ["ssl", "zlib"];
const WANTED: [&str; 4] = ["ctypes", "sqlite3", "bz2", "lzma"];

/// Run the unpacked interpreter: it must start, be the expected version and import ssl/zlib.
fn verify(top: &Path, row: &Row, reporter: &dyn Reporter) -> Result<Vec<String>> {
    let phase = reporter.phase(Step::Verify);
    let fail = |why: String| {
        Error::user(
            format!(
                "the prebuilt Python {} does not work here: {why}",
                row.version
            ),
            Some(format!(
                "the archive may not fit this system ({}); build from source instead: \
                 `pyv install --source {}`",
                row.target, row.version
            )),
        )
    };
    let bin = top.join("bin");
    let python = ["python3", "python"]
        .iter()
        .map(|n| bin.join(n))
        .find(|p| pyv_core::fsx::is_executable(p))
        .ok_or_else(|| {
            fail(format!(
                "the archive has no bin/python3 below `{}/`",
                top.file_name().unwrap_or_default().to_string_lossy()
            ))
        })?;
    let modules: Vec<&str> = REQUIRED.iter().chain(WANTED.iter()).copied().collect();
    let stdout =
        run_check(&python, crate::install::verify::CHECK_SCRIPT, &modules).map_err(fail)?;
    let warnings = check_output(&stdout, &row.version).map_err(fail)?;
    phase.finish();
    Ok(warnings)
}

/// Judge the check script's output: an error for a wrong version or a missing required
/// module, warnings for the others.
fn check_output(text: &str, version: &str) -> std::result::Result<Vec<String>, String> {
    let expected = version.trim_end_matches('t');
    let reported = text
        .lines()
        .find_map(|l| l.strip_prefix("version "))
        .unwrap_or("nothing");
    if reported != expected {
        return Err(format!(
            "it reports version {reported}, expected {expected}"
        ));
    }
    let mut warnings = Vec::new();
    for m in REQUIRED.iter().chain(WANTED.iter()) {
        let Some(why) = crate::install::verify::import_failure(text, m) else {
            continue;
        };
        if REQUIRED.contains(m) {
            return Err(format!("it cannot import `{m}`: {why}"));
        }
        warnings.push(format!("{version} has no `{m}` module ({why})"));
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use config::tests::{cfg, X86};

    #[test]
    fn install_modes_from_the_environment() {
        assert_eq!(Mode::parse_env(None).unwrap(), None);
        assert_eq!(Mode::parse_env(Some("")).unwrap(), None);
        assert_eq!(Mode::parse_env(Some("auto")).unwrap(), Some(Mode::Auto));
        assert_eq!(
            Mode::parse_env(Some("prebuilt")).unwrap(),
            Some(Mode::Prebuilt)
        );
        assert_eq!(Mode::parse_env(Some("source")).unwrap(), Some(Mode::Source));
        let e = Mode::parse_env(Some("fast")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("PYV_INSTALL value `fast`"), "{e}");
    }

    #[test]
    fn auto_prefers_prebuilt_only_for_the_version_a_source_build_would_get() {
        // The catalog knows 3.11.2 and newer 3.11.x releases; 3.99.1 is unknown to it.
        let c = cfg(
            &[
                ("3.11.2", X86),
                ("3.99.1", X86),
                ("3.11.3", "aarch64-apple-darwin"),
            ],
            "https://m",
        );
        let cat = Catalog::embedded();
        let pick = |req: &str, only: Option<&str>| {
            choose(
                Mode::Auto,
                Some(&c),
                &cat,
                req,
                &Origin::Argument,
                "PYV_INSTALL=auto",
                only,
            )
            .unwrap()
        };
        assert!(matches!(pick("3.11.2", None), Choice::Prebuilt(r) if r.version == "3.11.2"));
        assert_eq!(
            pick("3.11", None),
            Choice::Source,
            "catalog's newest 3.11 is not prebuilt"
        );
        assert_eq!(
            pick("3.11.3", None),
            Choice::Source,
            "prebuilt only for another target"
        );
        assert!(matches!(pick("3.99.1", None), Choice::Prebuilt(_)));
        assert_eq!(pick("3.11.2", Some("`--sha256`")), Choice::Source);
        let src = choose(
            Mode::Source,
            Some(&c),
            &cat,
            "3.11.2",
            &Origin::Argument,
            "",
            None,
        )
        .unwrap();
        assert_eq!(src, Choice::Source);
    }

    #[test]
    fn prebuilt_mode_explains_what_is_missing() {
        let c = cfg(&[("3.12.6", X86), ("3.12.7", X86)], "https://m");
        let cat = Catalog::embedded();
        let got = choose(
            Mode::Prebuilt,
            Some(&c),
            &cat,
            "3.12",
            &Origin::Argument,
            "`--prebuilt`",
            None,
        )
        .unwrap();
        assert!(matches!(got, Choice::Prebuilt(r) if r.version == "3.12.7"));
        let e = choose(
            Mode::Prebuilt,
            Some(&c),
            &cat,
            "3.12.8",
            &Origin::Argument,
            "`--prebuilt`",
            None,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.to_string()
                .contains("no prebuilt CPython `3.12.8` for x86_64-unknown-linux-gnu"),
            "{e}"
        );
        let hint = e.hint().unwrap();
        assert!(hint.contains("nearest available: 3.12.6, 3.12.7"), "{hint}");
        assert!(hint.contains("drop `--prebuilt`"), "{hint}");
        let e = choose(
            Mode::Prebuilt,
            Some(&c),
            &cat,
            "3.12.7",
            &Origin::Argument,
            "PYV_INSTALL=prebuilt",
            Some("`-g`"),
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let mut none = cfg(&[("3.12.7", X86)], "https://m");
        none.target = None;
        assert!(none
            .require("3.12.7", &Origin::Argument, "`--prebuilt`")
            .is_err());
    }

    #[test]
    fn check_output_judges_version_and_modules() {
        let all_ok = "version 3.12.7\nssl ok\nzlib ok\nctypes ok\nsqlite3 ok\nbz2 ok\nlzma ok\n";
        assert_eq!(
            check_output(all_ok, "3.12.7").unwrap(),
            Vec::<String>::new()
        );
        assert!(check_output(all_ok, "3.12.8")
            .unwrap_err()
            .contains("reports version 3.12.7"));
        let ft = all_ok.replace("3.12.7", "3.13.1");
        assert!(check_output(&ft, "3.13.1t").is_ok());
        let no_ssl = all_ok.replace("ssl ok", "ssl missing libssl.so.3: cannot open");
        assert!(check_output(&no_ssl, "3.12.7")
            .unwrap_err()
            .contains("`ssl`: libssl.so.3"));
        let no_lzma = all_ok.replace("lzma ok\n", "");
        assert_eq!(check_output(&no_lzma, "3.12.7").unwrap().len(), 1);
    }
}
