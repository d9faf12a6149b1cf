//! What an install needs from the outside world ([`Settings`]), read once from the flags and
//! the environment by the CLI and passed down: nothing else under `install/` reads `PYV_*`.

use std::path::PathBuf;

use pyv_core::env_vars::EnvVars;
use pyv_core::Layout;

use super::{pybuild, InstallError, Result};

/// What an install needs from the outside world, read once from the flags and the environment
/// by the CLI ([`Settings::from_env`]) and passed down explicitly: nothing under `install/`
/// reads `PYV_*` variables itself.
#[derive(Debug, Clone)]
pub struct Settings {
    pub layout: Layout,
    pub cache_dir: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
    /// Where source archives come from, in order: every `PYV_MIRROR` base, then python.org
    /// (`PYV_PYTHON_ORG` replaces it).
    pub bases: Vec<String>,
    /// `CONFIGURE_OPTS` then `PYV_CONFIGURE_OPTS` (or python-build's `PYTHON_CONFIGURE_OPTS`),
    /// split on whitespace.
    pub configure_opts: Vec<String>,
    /// `MAKEOPTS`/`MAKE_OPTS`/`PYV_MAKE_OPTS`, when set (replaces the default `-j<cores>`).
    pub make_opts: Option<Vec<String>>,
    /// Reuse and store builds in `<cache>/artifacts` (`PYV_ARTIFACT_CACHE=0` turns it off).
    pub artifact_cache: bool,
    /// `PYV_LINK_MODE`: how a reinstall from the unpacked copy gets its files.
    pub link_mode: crate::linktree::LinkMode,
    /// `PYV_ARTIFACT_MIRROR`: base URLs holding `<key>.tar.gz` + `<key>.manifest`.
    pub artifact_mirrors: Vec<String>,
    /// The compiler variables that shape a build's output (`CC`, `CFLAGS`, ...), when set,
    /// as configure gets them (with python-build's `PYTHON_CFLAGS`... and Homebrew's paths).
    pub build_env: Vec<(String, String)>,
    /// The rest of python-build's settings (make install, archive sources, detected options).
    pub python_build: pybuild::BuildEnv,
}

/// Environment variables that change what a build produces (part of the artifact key), and the
/// compiler and make that preflight and the build use.
pub const BUILD_ENV: &[&str] = &[
    "MAKE",
    "CC",
    "CXX",
    "CFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "LIBS",
    "CFLAGS_NODIST",
    "LDFLAGS_NODIST",
    "PKG_CONFIG_PATH",
];

/// The build environment, read once: the [`BUILD_ENV`] variables that are set and not blank,
/// `PYV_CONFIGURE_OPTS`/`PYV_MAKE_OPTS`, and python-build's variables ([`pybuild`]), with
/// Homebrew/MacPorts detected on macOS. `vars` is what [`BUILD_ENV`] says, as configure gets it.
pub fn build_env() -> pybuild::BuildEnv {
    pybuild::read(
        &|k| std::env::var(k).ok(),
        BUILD_ENV,
        &pybuild::Host::current(),
    )
}

impl Settings {
    /// Read and validate the environment once. A base URL without a scheme is a usage error
    /// (exit 2) naming the variable, caught before anything is locked or downloaded.
    pub fn from_env(
        layout: Layout,
        cache_dir: PathBuf,
        quiet: bool,
        verbose: bool,
    ) -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut bases = Vec::new();
        for base in var(EnvVars::PYV_MIRROR).iter().flat_map(|v| v.split(',')) {
            let base = base.trim();
            if !base.is_empty() {
                bases.push(check_base_url(base, EnvVars::PYV_MIRROR)?);
            }
        }
        bases.push(match var(EnvVars::PYV_PYTHON_ORG) {
            Some(b) => check_base_url(b.trim(), EnvVars::PYV_PYTHON_ORG)?,
            None => crate::catalog::PYTHON_ORG.to_string(),
        });
        let mut artifact_mirrors = Vec::new();
        for base in var(EnvVars::PYV_ARTIFACT_MIRROR)
            .iter()
            .flat_map(|v| v.split(','))
        {
            let base = base.trim();
            if base.starts_with("oci://") {
                crate::oci::reference::Reference::parse(base, EnvVars::PYV_ARTIFACT_MIRROR)
                    .map_err(|message| InstallError::Usage {
                        message,
                        hint: format!(
                            "set {} to oci://HOST[:PORT]/REPO (see docs/registry.md)",
                            EnvVars::PYV_ARTIFACT_MIRROR
                        ),
                    })?;
                artifact_mirrors.push(base.to_string());
            } else if !base.is_empty() {
                artifact_mirrors.push(check_base_url(base, EnvVars::PYV_ARTIFACT_MIRROR)?);
            }
        }
        let mut env = build_env();
        if let Some(e) = env.errors.first() {
            return Err(InstallError::Usage {
                message: e.clone(),
                hint: "unset one of them (python-build refuses this too)".into(),
            });
        }
        match &env.mirror {
            Some(pybuild::Mirror::BySha256(url)) => {
                check_base_url(url, EnvVars::PYTHON_BUILD_MIRROR_URL)?;
            }
            Some(pybuild::Mirror::PythonOrg(url)) => {
                // After PYV_MIRROR's bases, before python.org.
                let at = bases.len() - 1;
                bases.insert(at, check_base_url(url, EnvVars::PYTHON_BUILD_MIRROR_URL)?);
            }
            None => {}
        }
        let artifact_cache = !var(EnvVars::PYV_ARTIFACT_CACHE).is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "0" | "false" | "no" | "off"
            )
        });
        let link_mode =
            crate::linktree::LinkMode::from_env().map_err(|message| InstallError::Usage {
                message,
                hint: "`auto` (the default) gives every version its own files".into(),
            })?;
        Ok(Settings {
            link_mode,
            artifact_cache,
            artifact_mirrors,
            build_env: std::mem::take(&mut env.vars),
            configure_opts: std::mem::take(&mut env.configure_opts),
            make_opts: env.make_opts.take(),
            python_build: env,
            layout,
            cache_dir,
            quiet,
            verbose,
            bases,
        })
    }
}

/// `url` if it is an `http://`, `https://` or `file://` URL with something after the scheme.
pub fn check_base_url(url: &str, var: &str) -> Result<String> {
    let rest = ["http://", "https://", "file://"]
        .iter()
        .find_map(|s| url.strip_prefix(s));
    match rest {
        Some(r) if !r.trim_matches('/').is_empty() || url.starts_with("file://") => {
            Ok(url.to_string())
        }
        _ => Err(InstallError::Usage {
            message: format!("`{url}` (from {var}) is not an http://, https:// or file:// URL"),
            hint: if var == EnvVars::PYTHON_BUILD_MIRROR_URL {
                format!(
                    "set {var} to a base URL holding archives named by their SHA-256, as \
                     python-build expects (e.g. {var}=https://mirror.example/pythons), or unset it"
                )
            } else if var == EnvVars::PYV_ARTIFACT_MIRROR {
                format!(
                    "set {var} to base URLs holding `<key>.tar.gz` and `<key>.manifest` \
                     (a copy of $PYV_CACHE_DIR/artifacts), comma-separated \
                     (e.g. {var}=https://ci.example/pyv-artifacts,file:///srv/pyv-artifacts)"
                )
            } else {
                format!(
                    "set {var} to base URLs laid out like https://www.python.org/ftp/python, \
                     comma-separated (e.g. {var}=https://mirror.example/python,file:///srv/python)"
                )
            },
        }),
    }
}
