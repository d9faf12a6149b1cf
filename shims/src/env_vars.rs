//! Every environment variable pyv reads or sets, named once (as uv's `EnvVars`).
//!
//! The names are constants here and nowhere else: code reads `EnvVars::PYV_ROOT`, never the
//! string, and a test fails when a `"PYV_…"`, `"PYENV_…"` or `"PYTHON_…"` literal appears
//! outside this file. [`TABLE`] documents each user-facing one; `docs/configuration.md` is
//! rendered from it ([`render_markdown`]) and a test keeps the two in step.
//!
//! Reading stays where the value is used, in one settings reader per concern (the shim's
//! `Layout`/`select`, the CLI's `Ctx`, `install::Settings`, `http::Limits`), each of which
//! reads its variables once and passes the value down.

/// The names. Grouped as [`TABLE`] groups them.
pub struct EnvVars;

impl EnvVars {
    // Where things are.
    pub const PYV_ROOT: &'static str = "PYV_ROOT";
    pub const PYV_CACHE_DIR: &'static str = "PYV_CACHE_DIR";
    pub const HOME: &'static str = "HOME";
    pub const PATH: &'static str = "PATH";
    pub const SHELL: &'static str = "SHELL";
    pub const CI: &'static str = "CI";

    // What is selected.
    pub const PYV_VERSION: &'static str = "PYV_VERSION";
    pub const PYV_VERSION_OLD: &'static str = "PYV_VERSION_OLD";
    pub const PYV_DIR: &'static str = "PYV_DIR";
    pub const PYV_SHELL: &'static str = "PYV_SHELL";
    pub const VIRTUAL_ENV: &'static str = "VIRTUAL_ENV";
    /// pyenv's root, recognised on PATH so its shims are skipped for `system`.
    pub const PYENV_ROOT: &'static str = "PYENV_ROOT";

    // Set by pyv for itself (activation state, loop guard): not for users.
    pub const PYV_ACTIVATED_ENV: &'static str = "PYV_ACTIVATED_ENV";
    pub const _PYV_ACTIVATED_VERSION: &'static str = "_PYV_ACTIVATED_VERSION";
    pub const _PYV_VIRTUAL_ENV: &'static str = "_PYV_VIRTUAL_ENV";
    pub const _PYV_AUTO: &'static str = "_PYV_AUTO";
    pub const _PYV_OLD_PYV_VERSION: &'static str = "_PYV_OLD_PYV_VERSION";
    pub const _PYV_PS1_PREFIX: &'static str = "_PYV_PS1_PREFIX";
    pub const __PYV_SYSTEM_HOPS: &'static str = "__PYV_SYSTEM_HOPS";
    /// Tests only: make `pyv upgrade` fail (`copied`, `renamed`) or die (`kill-copied`,
    /// `kill-renamed`, `kill-swapped`) at that step of an env move.
    pub const _PYV_UPGRADE_FAULT: &'static str = "_PYV_UPGRADE_FAULT";

    // Downloads.
    pub const PYV_MIRROR: &'static str = "PYV_MIRROR";
    pub const PYV_PYTHON_ORG: &'static str = "PYV_PYTHON_ORG";
    pub const PYV_PYTHON_ORG_API: &'static str = "PYV_PYTHON_ORG_API";
    pub const PYV_MIRROR_MAP: &'static str = "PYV_MIRROR_MAP";
    pub const PYV_HTTP_CONNECT_TIMEOUT: &'static str = "PYV_HTTP_CONNECT_TIMEOUT";
    pub const PYV_HTTP_STALL_TIMEOUT: &'static str = "PYV_HTTP_STALL_TIMEOUT";
    pub const PYV_HTTP_TIMEOUT: &'static str = "PYV_HTTP_TIMEOUT";
    pub const PYV_DOWNLOAD_MAX_MIB: &'static str = "PYV_DOWNLOAD_MAX_MIB";
    pub const PYV_INSECURE_REGISTRY: &'static str = "PYV_INSECURE_REGISTRY";
    pub const PYV_REGISTRY_USER: &'static str = "PYV_REGISTRY_USER";
    pub const PYV_REGISTRY_PASSWORD: &'static str = "PYV_REGISTRY_PASSWORD";
    pub const DOCKER_CONFIG: &'static str = "DOCKER_CONFIG";
    pub const PYV_TLS_ROOTS: &'static str = "PYV_TLS_ROOTS";
    pub const SSL_CERT_FILE: &'static str = "SSL_CERT_FILE";
    pub const SSL_CERT_DIR: &'static str = "SSL_CERT_DIR";
    pub const HTTPS_PROXY: &'static str = "HTTPS_PROXY";
    pub const HTTP_PROXY: &'static str = "HTTP_PROXY";
    pub const ALL_PROXY: &'static str = "ALL_PROXY";
    pub const NO_PROXY: &'static str = "NO_PROXY";

    // Builds, prebuilt Pythons and the artifact cache.
    pub const PYV_CONFIGURE_OPTS: &'static str = "PYV_CONFIGURE_OPTS";
    pub const PYV_MAKE_OPTS: &'static str = "PYV_MAKE_OPTS";
    pub const PYV_INSTALL: &'static str = "PYV_INSTALL";
    pub const PYV_PREBUILT_MIRROR: &'static str = "PYV_PREBUILT_MIRROR";
    pub const PYV_PREBUILT_TABLE: &'static str = "PYV_PREBUILT_TABLE";
    pub const PYV_ARTIFACT_CACHE: &'static str = "PYV_ARTIFACT_CACHE";
    pub const PYV_ARTIFACT_MIRROR: &'static str = "PYV_ARTIFACT_MIRROR";
    pub const PYV_LINK_MODE: &'static str = "PYV_LINK_MODE";
    pub const PYV_VENV_FAST: &'static str = "PYV_VENV_FAST";

    // pyenv's python-build variables, honoured as python-build reads them.
    pub const CONFIGURE_OPTS: &'static str = "CONFIGURE_OPTS";
    pub const PYTHON_CONFIGURE_OPTS: &'static str = "PYTHON_CONFIGURE_OPTS";
    pub const PYTHON_CFLAGS: &'static str = "PYTHON_CFLAGS";
    pub const PYTHON_CPPFLAGS: &'static str = "PYTHON_CPPFLAGS";
    pub const PYTHON_LDFLAGS: &'static str = "PYTHON_LDFLAGS";
    pub const MAKEOPTS: &'static str = "MAKEOPTS";
    pub const MAKE_OPTS: &'static str = "MAKE_OPTS";
    pub const PYTHON_MAKE_OPTS: &'static str = "PYTHON_MAKE_OPTS";
    pub const MAKE_INSTALL_OPTS: &'static str = "MAKE_INSTALL_OPTS";
    pub const PYTHON_MAKE_INSTALL_OPTS: &'static str = "PYTHON_MAKE_INSTALL_OPTS";
    pub const PYTHON_MAKE_INSTALL_TARGET: &'static str = "PYTHON_MAKE_INSTALL_TARGET";
    pub const PYTHON_BUILD_CACHE_PATH: &'static str = "PYTHON_BUILD_CACHE_PATH";
    pub const PYTHON_BUILD_MIRROR_URL: &'static str = "PYTHON_BUILD_MIRROR_URL";
    pub const PYTHON_BUILD_SKIP_MIRROR: &'static str = "PYTHON_BUILD_SKIP_MIRROR";
    pub const PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM: &'static str =
        "PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM";
    pub const PYTHON_BUILD_USE_HOMEBREW: &'static str = "PYTHON_BUILD_USE_HOMEBREW";
    pub const PYTHON_BUILD_SKIP_HOMEBREW: &'static str = "PYTHON_BUILD_SKIP_HOMEBREW";
    pub const PYTHON_BUILD_USE_MACPORTS: &'static str = "PYTHON_BUILD_USE_MACPORTS";
    pub const PYTHON_BUILD_SKIP_MACPORTS: &'static str = "PYTHON_BUILD_SKIP_MACPORTS";
}

/// One user-facing variable: its name, its default, and what it does.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    pub group: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

const fn s(
    name: &'static str,
    group: &'static str,
    default: &'static str,
    meaning: &'static str,
) -> Setting {
    Setting {
        name,
        group,
        default,
        meaning,
    }
}

const WHERE: &str = "Where things are";
const SELECT: &str = "What is selected";
const NET: &str = "Downloads and mirrors";
const BUILD: &str = "Builds, prebuilt Pythons and the caches";
const PYBUILD: &str = "pyenv's python-build variables (honoured)";

/// The settings table: every variable a user may set, in the order the docs list them.
#[rustfmt::skip]
pub const TABLE: &[Setting] = &[
    s(EnvVars::PYV_ROOT, WHERE, "`~/.pyv`",
      "pyv's root: `versions/<name>/`, `shims/`, `version` (the global file), `logs/`; an absolute path (a relative one, or a relative `HOME` with it unset, is refused)"),
    s(EnvVars::PYV_CACHE_DIR, WHERE, "the user cache dir + `pyv` (`~/.cache/pyv`)",
      "downloads, the artifact cache, unpacked copies and virtualenv templates"),
    s(EnvVars::PYV_VERSION, SELECT, "unset",
      "the selection for this shell (`:`-separated for several, at most 256); `pyv shell` sets it"),
    s(EnvVars::PYV_DIR, SELECT, "the current directory",
      "where `.python-version` files are looked up from, like pyenv's `PYENV_DIR`"),
    s(EnvVars::PYV_SHELL, SELECT, "detected",
      "the shell `pyv init -` and `pyv shell` write code for; the hook exports it"),
    s(EnvVars::PYV_MIRROR, NET, "unset",
      "comma-separated base URLs laid out like `https://www.python.org/ftp/python` \
       (`http://`, `https://`, `file://`), tried before python.org"),
    s(EnvVars::PYV_PYTHON_ORG, NET, "`https://www.python.org/ftp/python/`",
      "replaces python.org for downloads only; the release API is never read from this host"),
    s(EnvVars::PYV_PYTHON_ORG_API, NET, "`https://www.python.org/api/v2/downloads/`",
      "the release API base `pyv update` reads new releases and their digests from; an API you \
       trust (a mirror's is not asked unless named here)"),
    s(EnvVars::PYV_MIRROR_MAP, NET, "unset",
      "comma-separated `<upstream URL prefix>=<mirror URL prefix>` replacements for PyPy, \
       GraalPy, conda and prebuilt downloads"),
    s(EnvVars::PYV_HTTP_CONNECT_TIMEOUT, NET, "10", "seconds to wait for a connection"),
    s(EnvVars::PYV_HTTP_STALL_TIMEOUT, NET, "30",
      "seconds a download may go without receiving a byte"),
    s(EnvVars::PYV_HTTP_TIMEOUT, NET, "120 (documents), 3600 (downloads)",
      "seconds a whole request may take"),
    s(EnvVars::PYV_DOWNLOAD_MAX_MIB, NET, "512 (installers such as Anaconda's: more)",
      "the largest download accepted, in MiB"),
    s(EnvVars::PYV_INSECURE_REGISTRY, NET, "unset",
      "comma-separated OCI registries (`host` or `host:port`) spoken to over plain http; \
       loopback always is, every other one only over https"),
    s(EnvVars::PYV_REGISTRY_USER, NET, "unset",
      "user name for an OCI registry that `$DOCKER_CONFIG/config.json` has no entry for"),
    s(EnvVars::PYV_REGISTRY_PASSWORD, NET, "unset",
      "password or token with `PYV_REGISTRY_USER` (never shown in any message)"),
    s(EnvVars::DOCKER_CONFIG, NET, "`~/.docker`",
      "the directory whose `config.json` holds OCI registry credentials (`auths`, \
       `credsStore`, `credHelpers`)"),
    s(EnvVars::PYV_TLS_ROOTS, NET, "unset: both",
      "which certificate authorities HTTPS trusts: `system` (the OS store, or `SSL_CERT_FILE`/`SSL_CERT_DIR`), \
       `bundled` (the roots built into pyv); unset, both (see docs/networks.md)"),
    s(EnvVars::SSL_CERT_FILE, NET, "unset",
      "a PEM bundle of CA certificates trusted instead of the OS store, as OpenSSL and curl do \
       (missing or empty: an error)"),
    s(EnvVars::SSL_CERT_DIR, NET, "unset",
      "a directory of PEM CA certificates trusted instead of the OS store (with `SSL_CERT_FILE`: both)"),
    s(EnvVars::HTTPS_PROXY, NET, "unset",
      "the proxy for `https://` URLs (`http://[user:password@]host:port`; `https_proxy` too, upper case first)"),
    s(EnvVars::HTTP_PROXY, NET, "unset",
      "the proxy for `http://` URLs (`http_proxy` too)"),
    s(EnvVars::ALL_PROXY, NET, "unset",
      "the proxy for both when the one for the scheme is unset (`all_proxy` too; `socks5://` is not supported)"),
    s(EnvVars::NO_PROXY, NET, "unset",
      "comma-separated hosts, domains (`.corp.example`), IPs and CIDR ranges reached directly; `*` for all (`no_proxy` too)"),
    s(EnvVars::PYV_CONFIGURE_OPTS, BUILD, "unset",
      "extra `./configure` arguments (wins over `PYTHON_CONFIGURE_OPTS`)"),
    s(EnvVars::PYV_MAKE_OPTS, BUILD, "unset",
      "extra `make` arguments (wins over `PYTHON_MAKE_OPTS`)"),
    s(EnvVars::PYV_INSTALL, BUILD, "`source`",
      "`prebuilt`: `pyv install` takes python-build-standalone builds; `auto`: a prebuilt \
       one where the table has it, else a source build"),
    s(EnvVars::PYV_PREBUILT_MIRROR, BUILD, "GitHub's release downloads",
      "base URL for prebuilt archives"),
    s(EnvVars::PYV_PREBUILT_TABLE, BUILD, "the embedded table",
      "a file of extra prebuilt archives (the embedded table's format, with SHA-256s)"),
    s(EnvVars::PYV_ARTIFACT_CACHE, BUILD, "on",
      "`0`, `false`, `no` or `off`: neither reuse nor store builds"),
    s(EnvVars::PYV_ARTIFACT_MIRROR, BUILD, "unset",
      "comma-separated base URLs holding `<key>.tar.gz` + `<key>.manifest`"),
    s(EnvVars::PYV_LINK_MODE, BUILD, "`auto`",
      "how versions and environments made from the cache get their files: `auto` (a reflink \
       where the filesystem has them, else a copy), `clone`, `copy`, or `hardlink` (shared, \
       read-only files)"),
    s(EnvVars::PYV_VENV_FAST, BUILD, "on",
      "`0`: make every virtualenv with `python -m venv` instead of from a template"),
    s(EnvVars::CONFIGURE_OPTS, PYBUILD, "unset", "`./configure` arguments"),
    s(EnvVars::PYTHON_CONFIGURE_OPTS, PYBUILD, "unset", "`./configure` arguments"),
    s(EnvVars::PYTHON_CFLAGS, PYBUILD, "unset", "appended to `CFLAGS`"),
    s(EnvVars::PYTHON_CPPFLAGS, PYBUILD, "unset", "appended to `CPPFLAGS`"),
    s(EnvVars::PYTHON_LDFLAGS, PYBUILD, "unset", "appended to `LDFLAGS`"),
    s(EnvVars::MAKEOPTS, PYBUILD, "unset", "`make` arguments (wins over `MAKE_OPTS`)"),
    s(EnvVars::MAKE_OPTS, PYBUILD, "unset", "`make` arguments"),
    s(EnvVars::PYTHON_MAKE_OPTS, PYBUILD, "unset", "extra `make` arguments"),
    s(EnvVars::MAKE_INSTALL_OPTS, PYBUILD, "unset", "`make install` arguments"),
    s(EnvVars::PYTHON_MAKE_INSTALL_OPTS, PYBUILD, "unset", "more `make install` arguments"),
    s(EnvVars::PYTHON_MAKE_INSTALL_TARGET, PYBUILD, "`install`", "the install target"),
    s(EnvVars::PYTHON_BUILD_CACHE_PATH, PYBUILD, "unset",
      "a directory of source archives to take before downloading"),
    s(EnvVars::PYTHON_BUILD_MIRROR_URL, PYBUILD, "unset",
      "a mirror laid out by SHA-256 (python-build's layout)"),
    s(EnvVars::PYTHON_BUILD_SKIP_MIRROR, PYBUILD, "unset",
      "ignore `PYTHON_BUILD_MIRROR_URL`"),
    s(EnvVars::PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM, PYBUILD, "unset",
      "the mirror is in python.org's layout (pyv still checks every SHA-256)"),
    s(EnvVars::PYTHON_BUILD_USE_HOMEBREW, PYBUILD, "unset", "macOS: use Homebrew's libraries"),
    s(EnvVars::PYTHON_BUILD_SKIP_HOMEBREW, PYBUILD, "unset", "macOS: do not"),
    s(EnvVars::PYTHON_BUILD_USE_MACPORTS, PYBUILD, "unset", "macOS: use MacPorts' libraries"),
    s(EnvVars::PYTHON_BUILD_SKIP_MACPORTS, PYBUILD, "unset", "macOS: do not"),
];

/// `docs/configuration.md`, rendered from [`TABLE`].
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Configuration reference\n\n\
         Every environment variable pyv reads. This page is generated from the settings table \
         in `shims/src/env_vars.rs` (`UPDATE_DOCS=1 cargo test -p pyv-shim env_vars` \
         rewrites it; a test fails when the two differ). Bad values are refused in one line \
         naming the variable, with a hint. CPython's own build variables (`CC`, `CXX`, \
         `CFLAGS`, `CPPFLAGS`, `LDFLAGS`, `LIBS`, `PKG_CONFIG_PATH`, ...) are passed to \
         `configure` as they are. `man pyv` (`pyv man`) lists the same table.\n",
    );
    let mut group = "";
    for v in TABLE {
        if v.group != group {
            group = v.group;
            out += &format!("\n## {group}\n\n| variable | default | meaning |\n|---|---|---|\n");
        }
        out += &format!("| `{}` | {} | {} |\n", v.name, v.default, v.meaning);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_configuration_page_is_rendered_from_the_table() {
        let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/configuration.md");
        let want = render_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&page, &want).unwrap();
        }
        let have = std::fs::read_to_string(&page).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date: run `UPDATE_DOCS=1 cargo test -p pyv-shim env_vars`",
            page.display()
        );
    }

    #[test]
    fn every_name_is_listed_once() {
        let mut names: Vec<_> = TABLE.iter().map(|v| v.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a variable is listed twice");
    }

    /// The names live here only: every other source file says `EnvVars::X`. Test modules may
    /// spell names out (they set them), so each file is read up to its `#[cfg(test)]`.
    #[test]
    fn no_variable_name_is_spelled_outside_this_module() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut bad = Vec::new();
        for dir in ["src", "shims/src"] {
            walk(&root.join(dir), &mut |p| {
                // This module, and test modules in files of their own (`foo/tests.rs`).
                if p.ends_with("shims/src/env_vars.rs") || p.ends_with("tests.rs") {
                    return;
                }
                let text = std::fs::read_to_string(p).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (i, line) in code.lines().enumerate() {
                    if line.trim_start().starts_with("//") {
                        continue;
                    }
                    if names_a_variable(line) {
                        bad.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                    }
                }
            });
        }
        assert!(
            bad.is_empty(),
            "use EnvVars:: constants:\n{}",
            bad.join("\n")
        );
    }

    /// Whether `line` holds a string literal that is exactly a variable's name
    /// (`"PYV_ROOT"`, not a message that mentions one).
    fn names_a_variable(line: &str) -> bool {
        line.split('"').skip(1).step_by(2).any(|lit| {
            let bare = lit.trim_start_matches('_');
            ["PYV_", "PYENV_", "PYTHON_"]
                .iter()
                .any(|p| bare.starts_with(p))
                && lit
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
    }

    #[test]
    fn a_name_is_told_from_a_message() {
        assert!(names_a_variable(r#"var("PYV_ROOT")"#));
        assert!(names_a_variable(r#"x("_PYV_AUTO", 1)"#));
        assert!(!names_a_variable(
            r#"push("PYV_MAKE_OPTS is set: it is used")"#
        ));
        assert!(!names_a_variable(r#"EnvVars::PYV_ROOT"#));
    }

    fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, f);
            } else if p.extension().is_some_and(|x| x == "rs") {
                f(&p);
            }
        }
    }
}
