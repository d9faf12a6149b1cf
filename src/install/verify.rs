//! The checks that decide whether a build (or a prebuilt archive) may become visible: the
//! staged interpreter runs [`CHECK_SCRIPT`]; ssl and zlib must import, the other modules'
//! absence is a warning (with the package that provides them), as is a missing pip.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use pyv_core::pyversion::PyVersion;

use super::build::{describe, wait_interruptibly, Builder};
use super::{preflight, InstallError, Result, VerifyFailure};
use crate::report::Step;

/// Warnings to print after a successful install (missing optional modules).
pub struct VerifyReport {
    pub warnings: Vec<String>,
}

impl Builder<'_> {
    /// Run the staged interpreter: ssl and zlib must import; the other modules are reported.
    pub fn verify(&self) -> Result<VerifyReport> {
        let phase = self.reporter.phase(Step::Verify);
        let prefix = self.stage.staged_prefix(self.prefix);
        let bin = prefix.join("bin");
        let Some(python) = ["python3", "python"]
            .iter()
            .map(|n| bin.join(n))
            .find(|p| pyv_core::fsx::is_executable(p))
        else {
            return Err(self.failed(
                "verify",
                format!("no python executable in {}", bin.display()),
            ));
        };
        let modules = modules_to_check(&self.plan.version);
        self.log.section(&format!(
            "verify: {} imports {}",
            python.display(),
            modules.join(" ")
        ));
        let text = self.run_check(&python, &modules)?;
        let mut warnings = Vec::new();
        for m in &modules {
            let Some(reason) = import_failure(&text, m) else {
                continue;
            };
            let package = preflight::package_for_module(m);
            if m == "ssl" || m == "zlib" {
                return Err(InstallError::Verify(Box::new(VerifyFailure {
                    name: self.plan.name.clone(),
                    module: m.clone(),
                    reason,
                    log: self.log.path.clone(),
                    package,
                })));
            }
            warnings.push(format!(
                "{} has no `{m}` module ({reason}){}",
                self.plan.name,
                match package {
                    Some(p) => format!(
                        "; install {p}, then `pyv install --force {}`",
                        self.plan.name
                    ),
                    None => String::new(),
                }
            ));
        }
        let has_pip = ["pip", "pip3"].iter().any(|p| bin.join(p).exists());
        if !has_pip && self.has_ensurepip() {
            warnings.push(format!(
                "{} has no pip (ensurepip was disabled by the configure options?); run `python -m ensurepip` with it",
                self.plan.name
            ));
        }
        phase.finish();
        Ok(VerifyReport { warnings })
    }

    /// Run [`CHECK_SCRIPT`] with `python` on `modules`: what it printed (also logged).
    fn run_check(&self, python: &Path, modules: &[String]) -> Result<String> {
        // Its answer goes to a file (a pipe would need a reader thread), and the wait polls for
        // SIGINT/SIGTERM like the build steps do: a hung check must not outlive pyv's stop.
        let answer = self.stage.path().join("verify.out");
        let answer_file =
            File::create(&answer).map_err(|e| InstallError::io("cannot create", &answer, e))?;
        let mut check = Command::new(python);
        check
            .args(["-E", "-s", "-c", CHECK_SCRIPT])
            .args(modules)
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .stdin(Stdio::null())
            .stdout(answer_file)
            .stderr(self.log.stdio()?)
            .process_group(0);
        super::tether::die_with_parent(&mut check);
        let mut child = check
            .spawn()
            .map_err(|e| self.failed("verify", format!("cannot run {}: {e}", python.display())))?;
        let _watcher = super::tether::watch(child.id());
        let status = wait_interruptibly(&mut child)
            .map_err(|e| self.failed("verify", format!("cannot wait: {e}")))??;
        let out = std::process::Output {
            status,
            stdout: fs::read(&answer).unwrap_or_default(),
            stderr: Vec::new(),
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let _ = (&self.log.file).write_all(text.as_bytes());
        if !out.status.success() {
            return Err(self.failed("verify", describe(out.status)));
        }
        Ok(text)
    }
}

/// Prints `version <X.Y.Z>`, then imports each module named in argv and prints `<module> ok`
/// or `<module> missing <why>`; written for Python 2 and 3 alike. Source builds and prebuilt
/// archives are checked with it.
pub const CHECK_SCRIPT: &str = r#"
import sys
sys.stdout.write("version " + sys.version.split()[0] + "\n")
for m in sys.argv[1:]:
    try:
        __import__(m)
        sys.stdout.write(m + " ok\n")
    except BaseException as e:
        sys.stdout.write(m + " missing " + str(e).replace("\n", " ") + "\n")
"#;

/// The modules to check for a version (their names differ in Python 2 and by release).
pub fn modules_to_check(version: &str) -> Vec<String> {
    let v = PyVersion::parse(version);
    let (major, minor) = v.map_or((3, 99), |v| (v.major, v.minor.unwrap_or(0)));
    let mut m = vec!["ssl", "zlib", "ctypes", "sqlite3", "bz2"];
    if major >= 3 {
        if minor >= 3 {
            m.push("lzma");
        }
        m.extend(["readline", "curses"]);
        if minor >= 7 {
            m.push("_uuid");
        }
        m.extend(["tkinter", "dbm.gnu"]);
    } else {
        m.extend(["readline", "curses", "Tkinter", "gdbm"]);
    }
    m.into_iter().map(String::from).collect()
}

/// What the check script said of module `m`: None if it imported, else why not.
pub fn import_failure(check_output: &str, m: &str) -> Option<String> {
    let line = check_output
        .lines()
        .find(|l| l.split(' ').next() == Some(m));
    match line {
        Some(l) if l == format!("{m} ok") => None,
        Some(l) => Some(
            l.splitn(3, ' ')
                .nth(2)
                .unwrap_or("cannot be imported")
                .to_string(),
        ),
        None => Some("was not reported by the check".to_string()),
    }
}
