//! Prebuilt CPython from python-build-standalone, on request (`--prebuilt`, `PYV_INSTALL`).
//! Source builds stay the default: these builds are relocatable, statically linked against
//! their own OpenSSL/Tcl/etc. and configured differently from a pyenv-style build.
//!
//! Top to bottom: [`Mode`] says whether an install may use a prebuilt archive, [`Config`]
//! holds the trusted [`table`] (embedded rows plus `$PYV_PREBUILT_TABLE`) and the download base
//! (`$PYV_PREBUILT_MIRROR`), [`choose`] decides per request, and [`stage`] fetches, verifies
//! and checks one archive for the install pipeline (`crate::install::install`), which gives it
//! the same lock, receipt and atomic rename as a source install. A prebuilt `3.12.7` installs as
//! `versions/3.12.7/` with a receipt saying `kind=prebuilt`.

use pyv_core::env_vars::EnvVars;
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
pub use flavour::Flavour;
pub use table::{Row, Table};

/// What `PYV_PREBUILT_MIRROR` replaces (uv's `UV_PYTHON_INSTALL_MIRROR` layout).
pub const DEFAULT_BASE: &str =
    "https://github.com/astral-sh/python-build-standalone/releases/download";

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

/// The trusted archives and where to fetch them from.
#[derive(Clone)]
pub struct Config {
    pub table: Table,
    /// The base relative table paths are joined to, without a trailing `/`.
    pub base: String,
    /// This machine's target triple, if python-build-standalone has builds for it.
    pub target: Option<&'static str>,
    /// `PYV_MIRROR_MAP`: (upstream URL prefix, replacement) pairs applied to every URL.
    pub mirror_map: Vec<(String, String)>,
}

/// Parse `PYV_MIRROR_MAP`: comma-separated `<upstream URL prefix>=<replacement>` entries, such
/// as `https://downloads.python.org/pypy=file:///srv/pypy`. The upstream is http(s); the
/// replacement http, https or file.
pub fn parse_mirror_map(value: &str) -> Result<Vec<(String, String)>> {
    let mut map = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let bad = |why: &str| {
            Error::usage(
                format!(
                    "invalid PYV_MIRROR_MAP entry `{}` (set in the environment): {why}",
                    entry.escape_debug()
                ),
                Some(
                    "each comma-separated entry is `<upstream URL prefix>=<mirror URL prefix>`, \
                     e.g. PYV_MIRROR_MAP=https://downloads.python.org/pypy=file:///srv/pypy"
                        .to_string(),
                ),
            )
        };
        let Some((from, to)) = entry.split_once('=') else {
            return Err(bad("it has no `=`"));
        };
        let (from, to) = (
            from.trim().trim_end_matches('/'),
            to.trim().trim_end_matches('/'),
        );
        if !(from.starts_with("https://") || from.starts_with("http://")) || from.len() < 9 {
            return Err(bad(
                "the upstream must be an http:// or https:// URL prefix",
            ));
        }
        if !table::has_scheme(to) {
            return Err(bad(
                "the mirror must be an http://, https:// or file:// URL prefix",
            ));
        }
        map.push((from.to_string(), to.to_string()));
    }
    Ok(map)
}

/// `url` with the longest `map` upstream that covers it (whole path segments) replaced.
pub fn apply_mirror_map(map: &[(String, String)], url: &str) -> String {
    map.iter()
        .filter(|(from, _)| {
            url.strip_prefix(from.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|(from, _)| from.len())
        .map_or_else(
            || url.to_string(),
            |(from, to)| format!("{to}{}", &url[from.len()..]),
        )
}

impl Config {
    /// Built from `PYV_PREBUILT_MIRROR`, `PYV_PREBUILT_TABLE` and the embedded table.
    pub fn from_env() -> Result<Config> {
        let base = match std::env::var(EnvVars::PYV_PREBUILT_MIRROR) {
            Ok(m) if !m.trim().is_empty() => {
                let m = m.trim();
                if !table::has_scheme(m) {
                    return Err(Error::usage(
                        format!(
                            "invalid PYV_PREBUILT_MIRROR value `{}` (set in the environment): expected an http://, https:// or file:// URL",
                            m.escape_debug()
                        ),
                        Some(format!(
                            "it replaces {DEFAULT_BASE}; archives are fetched from <mirror>/<release tag>/<file name>"
                        )),
                    ));
                }
                m.trim_end_matches('/').to_string()
            }
            _ => DEFAULT_BASE.to_string(),
        };
        let mut rows = Vec::new();
        if let Some(path) = std::env::var_os(EnvVars::PYV_PREBUILT_TABLE).filter(|p| !p.is_empty())
        {
            rows = read_table(Path::new(&path))?;
        }
        rows.extend_from_slice(table::embedded());
        rows.extend_from_slice(table::embedded_flavours());
        let mirror_map = match std::env::var(EnvVars::PYV_MIRROR_MAP) {
            Ok(v) => parse_mirror_map(&v)?,
            Err(_) => Vec::new(),
        };
        Ok(Config {
            table: Table { rows },
            base,
            target: table::host_target(),
            mirror_map,
        })
    }

    /// The row a request names on this machine, if any.
    pub fn lookup(&self, request: &str) -> Option<&Row> {
        self.table.resolve(request, self.target?)
    }

    /// Like [`lookup`](Self::lookup), but an error naming the request, where it came from and
    /// the nearest available versions.
    pub fn require(&self, request: &str, origin: &Origin, asked_by: &str) -> Result<&Row> {
        let Some(target) = self.target else {
            return Err(Error::user(
                format!(
                    "no prebuilt Pythons for this platform ({} {}) in pyv's table",
                    std::env::consts::OS,
                    std::env::consts::ARCH
                ),
                Some(format!("drop {asked_by} to build `{request}` from source")),
            ));
        };
        self.table.resolve(request, target).ok_or_else(|| {
            let close = self.table.close_to(request, target);
            let nearest = if close.is_empty() {
                String::new()
            } else {
                format!("nearest available: {}; ", close.join(", "))
            };
            Error::user(
                format!("no prebuilt CPython `{request}` for {target} in pyv's table {origin}"),
                Some(format!(
                    "{nearest}`pyv install --prebuilt --list` shows all; or drop {asked_by} to build it from source"
                )),
            )
        })
    }

    /// Where a row's archive is fetched from: its URL (a relative path below
    /// `PYV_PREBUILT_MIRROR`'s base), then `PYV_MIRROR_MAP` applied.
    pub fn url(&self, row: &Row) -> String {
        let url = if row.is_absolute() {
            row.path.clone()
        } else if self.base.starts_with("file://") {
            format!("{}/{}", self.base, row.path.replace("%2B", "+"))
        } else {
            // GitHub's asset names contain `+`, which must not reach a server as a space.
            format!("{}/{}", self.base, row.path.replace('+', "%2B"))
        };
        let url = apply_mirror_map(&self.mirror_map, &url);
        match url.strip_prefix("file://") {
            Some(_) => url.replace("%2B", "+"),
            None => url,
        }
    }

    /// The PyPy/GraalPy/conda row `request` (an exact name or a prefix) names on this machine,
    /// or an error naming the request, where it came from and the nearest names.
    pub fn require_other(&self, request: &str, origin: &Origin) -> Result<&Row> {
        let flavour = flavour::Flavour::of(request);
        let Some(target) = self.target else {
            return Err(Error::user(
                format!(
                    "no {} builds for this platform ({} {}) in pyv's table",
                    flavour.label(),
                    std::env::consts::OS,
                    std::env::consts::ARCH
                ),
                Some("pyv offers them for Linux x86_64/aarch64 and macOS x86_64/arm64".to_string()),
            ));
        };
        self.table.resolve_other(request, target).ok_or_else(|| {
            let family = request.split(['-', '.']).next().unwrap_or(request);
            let names: Vec<String> = self
                .table
                .other_names(target)
                .into_iter()
                .filter(|n| n.starts_with(family))
                .map(String::from)
                .collect();
            let close = pyv_core::resolve::close_to(request, &names);
            let nearest = if close.is_empty() {
                String::new()
            } else {
                format!("nearest: {}; ", close.join(", "))
            };
            Error::user(
                format!(
                    "`{request}` is not a {} pyv can install on {target} {origin}",
                    flavour.label()
                ),
                Some(format!(
                    "{nearest}`pyv install --list {}` shows them all; a team's own build can be \
                     added with a row in PYV_PREBUILT_TABLE",
                    request.split(['-', '.']).next().unwrap_or(request)
                )),
            )
        })
    }
}

fn read_table(path: &Path) -> Result<Vec<Row>> {
    let hint = Some(
        "each line is `version<TAB>target<TAB>path-or-URL<TAB>sha256`, e.g. `3.12.7  \
         x86_64-unknown-linux-gnu  20241016/cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz  <sha256>`"
            .to_string(),
    );
    let text = fs::read_to_string(path).map_err(|e| {
        Error::user(
            format!("cannot read `{}` (PYV_PREBUILT_TABLE): {e}", path.display()),
            Some("point PYV_PREBUILT_TABLE at a readable table file, or unset it".to_string()),
        )
    })?;
    table::parse(&text, &path.display().to_string())
        .map_err(|why| Error::user(format!("{why} (PYV_PREBUILT_TABLE)"), hint))
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
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<Ready> {
    let layout = &settings.layout;
    let name = &row.version;
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
    let mut receipt = Receipt::new(flavour.kind()).with("version", name);
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
        .find(|p| pyv_core::resolve::is_executable(p))
        .ok_or_else(|| {
            fail(format!(
                "the archive has no bin/python3 below `{}/`",
                top.file_name().unwrap_or_default().to_string_lossy()
            ))
        })?;
    let modules: Vec<&str> = REQUIRED.iter().chain(WANTED.iter()).copied().collect();
    let stdout = run_check(&python, crate::install::build::CHECK_SCRIPT, &modules).map_err(fail)?;
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
        let Some(why) = crate::install::build::import_failure(text, m) else {
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

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const X86: &str = "x86_64-unknown-linux-gnu";

    fn cfg(rows: &[(&str, &str)], base: &str) -> Config {
        let text: String = rows
            .iter()
            .map(|(v, t)| {
                format!("{v}\t{t}\t20240101/cpython-{v}+20240101-{t}-install_only.tar.gz\t{SHA}\n")
            })
            .collect();
        Config {
            table: Table {
                rows: table::parse(&text, "t").unwrap(),
            },
            base: base.to_string(),
            target: Some(X86),
            mirror_map: Vec::new(),
        }
    }

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
    fn urls_follow_the_mirror_layout() {
        let c = cfg(&[("3.12.7", X86)], "http://127.0.0.1:9/pbs");
        let r = c.lookup("3.12.7").unwrap();
        assert_eq!(
            c.url(r),
            format!("http://127.0.0.1:9/pbs/20240101/cpython-3.12.7%2B20240101-{X86}-install_only.tar.gz")
        );
        let f = cfg(&[("3.12.7", X86)], "file:///srv/pbs");
        assert_eq!(
            f.url(f.lookup("3.12.7").unwrap()),
            format!("file:///srv/pbs/20240101/cpython-3.12.7+20240101-{X86}-install_only.tar.gz")
        );
    }

    #[test]
    fn mirror_maps_replace_the_longest_upstream_prefix() {
        let map = parse_mirror_map(
            " https://downloads.python.org/pypy/=file:///srv/pypy , \
             https://github.com=http://127.0.0.1:9/gh,\
             https://github.com/conda-forge/miniforge/releases/download=http://m/forge/",
        )
        .unwrap();
        let url = |u: &str| apply_mirror_map(&map, u);
        assert_eq!(
            url("https://downloads.python.org/pypy/pypy3.9-v7.3.11-linux64.tar.bz2"),
            "file:///srv/pypy/pypy3.9-v7.3.11-linux64.tar.bz2"
        );
        assert_eq!(
            url("https://github.com/conda-forge/miniforge/releases/download/24.11.0-0/M.sh"),
            "http://m/forge/24.11.0-0/M.sh"
        );
        assert_eq!(
            url("https://github.com/oracle/graalpython/releases/download/x/g.tar.gz"),
            "http://127.0.0.1:9/gh/oracle/graalpython/releases/download/x/g.tar.gz"
        );
        // Whole segments only; others pass through.
        assert_eq!(
            url("https://github.community/x"),
            "https://github.community/x"
        );
        assert_eq!(
            url("https://repo.anaconda.com/a.sh"),
            "https://repo.anaconda.com/a.sh"
        );
        for bad in ["nope", "https://a.b", "/srv=file:///x", "https://a.b=/srv"] {
            let e = parse_mirror_map(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().contains("PYV_MIRROR_MAP entry"), "{e}");
        }
        assert!(parse_mirror_map("").unwrap().is_empty());
        // The map applies after PYV_PREBUILT_MIRROR's base, to CPython rows too.
        let mut c = cfg(
            &[("3.12.7", X86)],
            "https://github.com/astral-sh/python-build-standalone/releases/download",
        );
        c.mirror_map = parse_mirror_map("https://github.com/astral-sh=file:///srv/astral").unwrap();
        assert_eq!(
            c.url(c.lookup("3.12.7").unwrap()),
            format!("file:///srv/astral/python-build-standalone/releases/download/20240101/cpython-3.12.7+20240101-{X86}-install_only.tar.gz")
        );
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
