//! configure, make, make install (into the stage via DESTDIR); the checks that decide whether
//! the result may become visible are [`super::verify`]'s. Every command's output goes to the log in
//! `$PYV_ROOT/logs/`; pyv reads the log back as it grows to show a compile percentage and, with
//! `-v`, to stream it. Build processes get their own process group so that a signal to pyv can
//! stop all of them, and are tied to pyv's life (`tether.rs`) so that `kill -9` of pyv does too.
//!
//! Speed: `make -j<cores>` for the compile, and the bytecode of the standard library is
//! compiled once (optimization level 0, in parallel) instead of CPython's three passes
//! (plain, -O, -OO; two in Python 2: plain and -O); `-O` users get their `.opt-1.pyc` (`.pyo`)
//! written on first import.
//!
//! Python 2.7 is configured as python-build does: `--enable-unicode=ucs4` (what Linux
//! distributions and manylinux `cp27mu` wheels use) and pip from its bundled `ensurepip`
//! (`--with-ensurepip=install`; 2.7's configure defaults to no pip), both unless
//! `PYV_CONFIGURE_OPTS` says otherwise. It builds against OpenSSL 3 (`ssl` works; like
//! pyenv's build it has no `_hashlib`, so `hashlib` uses its built-in md5/sha code).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::symlink;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pyv_core::pyversion::PyVersion;
use pyv_core::Layout;

use super::request::Plan;
use super::staging::Stage;
use super::{preflight, BuildFailure, InstallError, Options, Result, Settings};
use crate::report::{Phase, Reporter, Step};
use crate::signals;

/// The build log of one install.
pub struct Log {
    pub path: PathBuf,
    pub(super) file: File,
}

impl Log {
    /// `$PYV_ROOT/logs/<name>-<unix time>.log`.
    pub fn create(layout: &Layout, name: &str) -> Result<Log> {
        let dir = layout.logs_dir();
        fs::create_dir_all(&dir).map_err(|e| InstallError::io("cannot create", &dir, e))?;
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = dir.join(format!("{name}-{secs}.log"));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| InstallError::io("cannot create log", &path, e))?;
        Ok(Log { path, file })
    }

    /// A header line in the log.
    pub fn section(&self, text: &str) {
        let _ = writeln!(&self.file, "\n==> {text}");
    }

    pub(crate) fn stdio(&self) -> Result<Stdio> {
        self.file
            .try_clone()
            .map(Stdio::from)
            .map_err(|e| InstallError::io("cannot write log", &self.path, e))
    }

    /// The last `n` lines, indented for an error message.
    pub fn tail(&self, n: usize) -> String {
        let text = fs::read(&self.path).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(n);
        lines[start..]
            .iter()
            .map(|l| format!("  | {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A known cause of failure the log shows, as advice: a missing header or module.
    pub fn cause(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&fs::read(&self.path).ok()?).into_owned();
        for line in text.lines().rev() {
            if let Some(rest) = line.split("fatal error: ").nth(1) {
                let header = rest.split(':').next().unwrap_or("").trim();
                if rest.contains("No such file") {
                    let pkg = preflight::package_for_header(header)
                        .unwrap_or_else(|| "the package that provides it".into());
                    return Some(format!(
                        "the log shows the header `{header}` is missing: install {pkg}, then run the same `pyv install` again"
                    ));
                }
            }
            if let Some(rest) = line.split("No module named '").nth(1) {
                let module = rest.split('\'').next().unwrap_or("");
                if let Some(pkg) = preflight::package_for_module(module) {
                    return Some(format!(
                        "the log shows the module `{module}` was not built: install {pkg}, then run the same `pyv install` again"
                    ));
                }
            }
        }
        None
    }
}

/// One version's build, from an unpacked source tree to a verified staged prefix.
pub struct Builder<'a> {
    pub plan: &'a Plan,
    pub opts: &'a Options,
    pub reporter: &'a dyn Reporter,
    pub log: &'a Log,
    pub src: &'a Path,
    pub stage: &'a Stage,
    /// The final `versions/<name>` directory (`--prefix`).
    pub prefix: &'a Path,
    pub settings: &'a Settings,
}

impl Builder<'_> {
    /// configure, make, make install DESTDIR=<stage>.
    pub fn build(&self) -> Result<()> {
        let mut configure = Command::new(self.src.join("configure"));
        configure.args(self.configure_args());
        // The compiler variables as read once (python-build's PYTHON_CFLAGS... appended), then
        // pyv's additions.
        configure.envs(self.settings.build_env.iter().cloned());
        configure.envs(configure_env(self.plan, self.settings));
        let mut phase = self.reporter.phase(Step::Configure);
        self.run(&mut *phase, "configure", configure, None)?;
        phase.finish();

        self.compile_bytecode_once();
        let make =
            preflight::make_program(&self.settings.build_env).unwrap_or_else(|| "make".into());
        let mut compile = Command::new(&make);
        compile.args(self.make_args());
        let mut phase = self.reporter.phase(Step::Compile);
        self.run(&mut *phase, "make", compile, Some(self.object_count()))?;
        phase.finish();

        let mut install = Command::new(&make);
        let pb = &self.settings.python_build;
        install
            .arg(&pb.make_install_target)
            .args(&pb.make_install_opts)
            .arg(format!("DESTDIR={}", self.stage.dest_dir().display()));
        let mut phase = self.reporter.phase(Step::Install);
        self.run(&mut *phase, "make install", install, None)?;
        phase.finish();
        self.link_aliases();
        Ok(())
    }

    fn configure_args(&self) -> Vec<String> {
        let mut args = vec![format!("--prefix={}", self.prefix.display())];
        args.extend(configure_options(self.plan, self.settings));
        args
    }

    /// The release's major version (3 if it cannot be parsed).
    fn major(&self) -> u32 {
        PyVersion::parse(&self.plan.version).map_or(3, |v| v.major)
    }

    /// `ensurepip` ships with 2.7.9+ and 3.4+.
    pub(super) fn has_ensurepip(&self) -> bool {
        has_ensurepip(&self.plan.version)
    }

    /// python-build's order: `MAKEOPTS`/`MAKE_OPTS` (or `PYV_MAKE_OPTS`, which also replaces
    /// the default), else `-j<cores>`; then `PYV_MAKE_OPTS`/`PYTHON_MAKE_OPTS`; then `-j N` from
    /// the command line, last so that it wins.
    fn make_args(&self) -> Vec<String> {
        let mut args = match (&self.settings.make_opts, self.opts.jobs) {
            (Some(opts), _) => opts.clone(),
            (None, Some(_)) => Vec::new(),
            (None, None) => {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                vec![format!("-j{cores}")]
            }
        };
        args.extend(self.settings.python_build.make_extra.iter().cloned());
        if let Some(j) = self.opts.jobs {
            args.push(format!("-j{j}"));
        }
        args
    }

    /// How many object files the generated Makefile names: the compile's 100 %.
    fn object_count(&self) -> usize {
        let text = fs::read_to_string(self.src.join("Makefile")).unwrap_or_default();
        let mut objs: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ':' || c == '\\')
            .filter(|w| w.ends_with(".o") && w.len() > 2 && !w.contains(['%', '$', '*']))
            .collect();
        objs.sort_unstable();
        objs.dedup();
        objs.len()
    }

    /// CPython's `make install` byte-compiles the standard library three times (plain, -O,
    /// -OO), Python 2 twice (plain, -O). Keep the plain pass (parallel, `-j0`, in 3.x) and
    /// drop the others.
    fn compile_bytecode_once(&self) {
        let path = self.src.join("Makefile");
        let Ok(text) = fs::read_to_string(&path) else {
            return;
        };
        let edits: &[(&str, &str)] = if self.major() == 2 {
            &[
                // 2.7: the standard library (-tt) and site-packages (-t), each also with -O.
                (
                    "$(PYTHON_FOR_BUILD) -Wi -tt -O $(DESTDIR)$(LIBDEST)/compileall.py",
                    "true",
                ),
                (
                    "$(PYTHON_FOR_BUILD) -Wi -t -O $(DESTDIR)$(LIBDEST)/compileall.py",
                    "true",
                ),
            ]
        } else {
            &[
                // 3.12+: one compileall call with three levels.
                (
                    "-o 0 -o 1 -o 2 $(COMPILEALL_OPTS)",
                    "-o 0 $(COMPILEALL_OPTS)",
                ),
                // 3.5-3.11: one call per level; the -O/-OO ones become `true <args>`.
                (
                    "$(PYTHON_FOR_BUILD) -Wi -O $(DESTDIR)$(LIBDEST)/compileall.py",
                    "true",
                ),
                (
                    "$(PYTHON_FOR_BUILD) -Wi -OO $(DESTDIR)$(LIBDEST)/compileall.py",
                    "true",
                ),
            ]
        };
        let new = edits
            .iter()
            .fold(text.clone(), |t, (from, to)| t.replace(from, to));
        if new != text && fs::write(&path, new).is_ok() {
            self.log.section(
                "pyv: Makefile edited to byte-compile the stdlib once (level 0), not once per -O level",
            );
        }
    }

    /// `python` → `python3`, `pip` → `pip3`, ... (`python2`, `pip2` for Python 2) as
    /// python-build creates them; names `make install` already made are left alone.
    fn link_aliases(&self) {
        let bin = self.stage.staged_prefix(self.prefix).join("bin");
        let major = self.major();
        let mm = PyVersion::parse(&self.plan.version)
            .map(|v| format!("{}.{}", v.major, v.minor.unwrap_or(0)))
            .unwrap_or_default();
        let exists = |n: &str| fs::symlink_metadata(bin.join(n)).is_ok();
        let pythons = [
            format!("python{major}"),
            format!("python{major}t"),
            format!("python{mm}t"),
            format!("python{mm}"),
        ];
        let links = [
            ("python", pythons.iter().find(|p| exists(p)).cloned()),
            ("pip", Some(format!("pip{major}"))),
            ("pydoc", Some(format!("pydoc{major}"))),
            ("idle", Some(format!("idle{major}"))),
            ("python-config", Some(format!("python{major}-config"))),
        ];
        for (alias, target) in links {
            if let Some(t) = target.filter(|t| exists(t)) {
                if !exists(alias) {
                    let _ = symlink(&t, bin.join(alias));
                }
            }
        }
    }

    /// Run one build command in the source tree, its output appended to the log.
    fn run(
        &self,
        phase: &mut dyn Phase,
        step: &str,
        mut cmd: Command,
        objects: Option<usize>,
    ) -> Result<()> {
        signals::check()?;
        self.log.section(&format!("{step}: {cmd:?}"));
        cmd.current_dir(self.src)
            .stdin(Stdio::null())
            .stdout(self.log.stdio()?)
            .stderr(self.log.stdio()?)
            .process_group(0);
        super::tether::die_with_parent(&mut cmd);
        // A second handle on the log, read as it grows: progress and `-v` without a pipe, so
        // the log stays complete even if pyv itself is killed.
        let mut reader = File::open(&self.log.path)
            .map_err(|e| InstallError::io("cannot read", &self.log.path, e))?;
        let _ = reader.seek(SeekFrom::End(0));
        let mut child = cmd
            .spawn()
            .map_err(|e| self.failed(step, format!("cannot start: {e}")))?;
        // Kills the group if pyv dies before the step ends (dropped after the wait below).
        let _watcher = super::tether::watch(child.id());
        let mut pending = Vec::new();
        let mut compiled = 0usize;
        let status = loop {
            let status = child
                .try_wait()
                .map_err(|e| self.failed(step, format!("cannot wait: {e}")))?;
            let mut chunk = Vec::new();
            let _ = reader.read_to_end(&mut chunk);
            pending.extend_from_slice(&chunk);
            while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=nl).collect();
                let line = String::from_utf8_lossy(&line);
                // One compiler invocation per object file (gcc/clang print `-c`).
                if objects.is_some() && line.contains(" -c ") {
                    compiled += 1;
                }
                if self.settings.verbose {
                    // A closed stderr loses the stream, not the build.
                    let _ = std::io::stderr().lock().write_all(line.as_bytes());
                }
            }
            if let Some(total) = objects.filter(|t| *t > 0) {
                phase.percent((compiled * 100 / total).min(99) as u8);
            }
            if let Some(s) = status {
                break s;
            }
            if let Some(signal) = signals::pending() {
                // The children are in their own group: Ctrl-C reached only pyv; stop them all.
                signals::kill_group(child.id());
                let _ = child.wait();
                return Err(InstallError::Interrupted { signal });
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        if let Some(signal) = signals::pending() {
            return Err(InstallError::Interrupted { signal });
        }
        if !status.success() {
            return Err(self.failed(step, describe(status)));
        }
        Ok(())
    }

    pub(super) fn failed(&self, step: &str, status: String) -> InstallError {
        InstallError::Build(Box::new(BuildFailure {
            name: self.plan.name.clone(),
            step: step.to_string(),
            status,
            log: self.log.path.clone(),
            tail: self.log.tail(20),
            cause: self.log.cause(),
        }))
    }
}

/// The configure arguments besides `--prefix` (part of the artifact cache's key): pyv's, the
/// detected ones (Homebrew), then the user's (`CONFIGURE_OPTS`, `PYV_CONFIGURE_OPTS` or
/// `PYTHON_CONFIGURE_OPTS`), so that the user's come last and win.
pub fn configure_options(plan: &Plan, settings: &Settings) -> Vec<String> {
    let mut args = Vec::new();
    if plan.debug {
        args.push("--with-pydebug".into());
    }
    if plan.free_threaded {
        args.push("--disable-gil".into());
    }
    let user = &settings.configure_opts;
    if shared_by_default(&plan.version, user) {
        args.push("--enable-shared".into());
    }
    args.extend(settings.python_build.detected_opts.iter().cloned());
    if PyVersion::parse(&plan.version).is_some_and(|v| v.major == 2) {
        // As pyenv's python-build does for 2.x: wide unicode and pip from ensurepip.
        let has = |opt: &str| user.iter().any(|a| a.contains(opt));
        if !has("--enable-unicode") && !has("--disable-unicode") {
            args.push("--enable-unicode=ucs4".into());
        }
        if !has("ensurepip") && has_ensurepip(&plan.version) {
            args.push("--with-ensurepip=install".into());
        }
    }
    args.extend(user.iter().cloned());
    args
}

/// Whether pyv adds `--enable-shared`, as pyenv 2.6 does: unless the options say
/// `--disable-shared`, `--enable-shared` already, or ask for a framework build. Only for
/// releases whose build has `LDFLAGS_NODIST` (3.8+), through which the interpreter gets its
/// `$ORIGIN/../lib` rpath without it leaking into extension builds; older ones stay static
/// unless asked (a shared 2.7 would need an absolute rpath that breaks moving the tree).
pub fn shared_by_default(version: &str, user: &[String]) -> bool {
    let modern = PyVersion::parse(version)
        .is_some_and(|v| v.major > 3 || (v.major == 3 && v.minor.unwrap_or(0) >= 8));
    modern
        && !user.iter().any(|o| {
            o == "--enable-shared" || o == "--disable-shared" || o.starts_with("--enable-framework")
        })
}

/// `ensurepip` ships with 2.7.9+ and 3.4+.
fn has_ensurepip(version: &str) -> bool {
    let Some(v) = PyVersion::parse(version) else {
        return true;
    };
    let (minor, micro) = (v.minor.unwrap_or(0), v.micro.unwrap_or(0));
    match v.major {
        2 => minor > 7 || (minor == 7 && micro >= 9),
        3 => minor >= 4,
        _ => true,
    }
}

/// Extra environment for configure. A shared build (`--enable-shared`) gets an
/// `$ORIGIN`-relative rpath for the interpreter only (`LDFLAGS_NODIST`, which extension builds
/// do not inherit), so that it finds its libpython from wherever the tree is — in the stage
/// during verification, and in another root when it is reused from the artifact cache — unless
/// the user's flags already set an rpath. `$$` is make's escape; the quotes keep sh off it.
pub fn configure_env(plan: &Plan, settings: &Settings) -> Vec<(String, String)> {
    let opts = configure_options(plan, settings);
    let shared = opts.iter().any(|o| o == "--enable-shared");
    let user_rpath = opts.iter().any(|o| o.contains("rpath"))
        || settings
            .build_env
            .iter()
            .any(|(k, v)| k.starts_with("LDFLAGS") && v.contains("rpath"));
    if !shared || user_rpath {
        return Vec::new();
    }
    let existing = settings
        .build_env
        .iter()
        .find(|(k, _)| k == "LDFLAGS_NODIST")
        .map(|(_, v)| format!("{v} "))
        .unwrap_or_default();
    vec![(
        "LDFLAGS_NODIST".into(),
        format!("{existing}-Wl,-rpath,'$$ORIGIN/../lib'"),
    )]
}

pub(crate) fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        _ => status.to_string(),
    }
}

/// Wait for `child` (spawned in its own process group), polling for SIGINT/SIGTERM; on one,
/// stop the whole group and report the interruption.
pub(crate) fn wait_interruptibly(
    child: &mut std::process::Child,
) -> std::io::Result<Result<ExitStatus>> {
    // Short naps first: the import check of a cached install takes a few hundred ms, and a
    // fixed 50 ms poll would add 25 ms to it on average.
    let mut nap = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ok(status));
        }
        if let Some(signal) = signals::pending() {
            signals::kill_group(child.id());
            let _ = child.wait();
            return Ok(Err(InstallError::Interrupted { signal }));
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod shared_tests {
    use super::shared_by_default;

    #[test]
    fn shared_by_default_as_pyenv_for_releases_with_ldflags_nodist() {
        let none: &[String] = &[];
        for v in ["3.8.0", "3.11.2", "3.13.5", "3.14.0rc1"] {
            assert!(shared_by_default(v, none), "{v}");
        }
        // No LDFLAGS_NODIST for the relative rpath: static unless asked.
        for v in ["2.7.18", "3.7.17", "3.6.15"] {
            assert!(!shared_by_default(v, none), "{v}");
        }
        for opts in [
            "--disable-shared",
            "--enable-shared",
            "--enable-framework",
            "--enable-framework=/Library/Frameworks",
        ] {
            assert!(!shared_by_default("3.12.1", &[opts.to_string()]), "{opts}");
        }
    }
}
