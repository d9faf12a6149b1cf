//! Where prebuilt archives are trusted from and fetched: the [`Config`] of the embedded tables
//! plus `$PYV_PREBUILT_TABLE`, the download base `$PYV_PREBUILT_MIRROR` and `$PYV_MIRROR_MAP`.

use std::fs;
use std::path::Path;

use pyv_core::env_vars::EnvVars;
use pyv_core::Origin;

use super::flavour;
use super::table::{self, Row, Table};
use crate::error::{Error, Result};

/// What `PYV_PREBUILT_MIRROR` replaces (uv's `UV_PYTHON_INSTALL_MIRROR` layout).
pub const DEFAULT_BASE: &str =
    "https://github.com/astral-sh/python-build-standalone/releases/download";

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

    /// This machine's target, or an error saying the table has no CPython for it (with `hint`).
    pub fn cpython_target(&self, hint: String) -> Result<&'static str> {
        self.target.ok_or_else(|| {
            Error::user(
                format!(
                    "no prebuilt Pythons for this platform ({} {}) in pyv's table",
                    std::env::consts::OS,
                    std::env::consts::ARCH
                ),
                Some(hint),
            )
        })
    }

    /// The row a request names on this machine, if any.
    pub fn lookup(&self, request: &str) -> Option<&Row> {
        self.table.resolve(request, self.target?)
    }

    /// Like [`lookup`](Self::lookup), but an error naming the request, where it came from and
    /// the nearest available versions.
    pub fn require(&self, request: &str, origin: &Origin, asked_by: &str) -> Result<&Row> {
        let target =
            self.cpython_target(format!("drop {asked_by} to build `{request}` from source"))?;
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
            let close = pyv_core::suggest::close_to(request, &names);
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    pub const X86: &str = "x86_64-unknown-linux-gnu";

    /// A config of CPython rows (`version`, `target`) below `base`, on an x86_64 Linux host.
    pub fn cfg(rows: &[(&str, &str)], base: &str) -> Config {
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
}
