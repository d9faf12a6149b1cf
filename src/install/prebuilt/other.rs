//! What installing PyPy, GraalPy and the conda family adds to the prebuilt path
//! ([`super::install`]): the conda installer run in batch mode into the stage (and the stage
//! path rewritten to the final one), the `python`/`python3` links python-build adds, pip from
//! the interpreter's own `ensurepip`, and an interpreter check that knows each implementation.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use memchr::memmem;
use pyv_core::Layout;

use super::flavour::Flavour;
use super::Row;
use crate::error::{Error, Result};
use crate::install::build::{self, Log};
use crate::install::{relocate, staging::Stage};
use crate::report::{Reporter, Step};

/// All the installer sees of pyv's environment (besides the `HOME`, `XDG_CONFIG_HOME`,
/// `XDG_CACHE_HOME` and `CONDA_REGISTER_ENVS` set for it, and the `LC_*` locale variables):
/// what a shell script needs to find its tools, pick a locale and write temporary files.
/// Everything else stays out (tokens such as `GITHUB_TOKEN`, cloud credentials, an active
/// conda or virtualenv setup, `PYTHONPATH`): pyenv passes the whole environment, pyv does not.
pub const INSTALLER_ENV: &[&str] = &[
    "PATH", "LANG", "LANGUAGE", "LC_ALL", "TMPDIR", "TZ", "TERM", "USER", "LOGNAME", "SHELL",
];

/// Whether pyv passes its variable `name` on to a conda installer ([`INSTALLER_ENV`]).
fn passed_to_installer(name: &str) -> bool {
    INSTALLER_ENV.contains(&name) || name.starts_with("LC_")
}

/// Run a Miniforge/Miniconda/Anaconda installer (already digest-checked) in batch mode into
/// the stage (`bash <installer> -b -p <staged prefix>`), then rewrite the staged prefix to
/// `target` in the tree. The child gets a scratch HOME inside the stage, so the user's rc
/// files, `~/.conda` and `~/.condarc` are neither read nor written, and of pyv's environment
/// only [`INSTALLER_ENV`].
pub fn run_installer(
    layout: &Layout,
    name: &str,
    installer: &Path,
    stage: &Stage,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<PathBuf> {
    let staged = stage.staged_prefix(target);
    if let Some(parent) = staged.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
    }
    let home = stage.path().join("home");
    fs::create_dir_all(&home).map_err(|e| Error::io("cannot create", &home, e))?;
    let log = Log::create(layout, name)?;
    log.section(&format!(
        "pyv: bash {} -b -p {}",
        installer.display(),
        staged.display()
    ));
    let phase = reporter.phase(Step::Install);
    let mut cmd = Command::new("bash");
    cmd.arg(installer)
        .arg("-b")
        .arg("-p")
        .arg(&staged)
        .current_dir(stage.path())
        .env_clear()
        .envs(std::env::vars_os().filter(|(k, _)| k.to_str().is_some_and(passed_to_installer)))
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("CONDA_REGISTER_ENVS", "false")
        .stdin(Stdio::null())
        .stdout(log.stdio()?)
        .stderr(log.stdio()?)
        .process_group(0);
    // The installer (and the conda it starts) dies with pyv, as builds do.
    crate::install::tether::die_with_parent(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::io("cannot run the installer", installer, e))?;
    let _watcher = crate::install::tether::watch(child.id());
    let status = build::wait_interruptibly(&mut child)
        .map_err(|e| Error::io("cannot wait for the installer", installer, e))??;
    let installed = staged.join("bin").is_dir();
    if !status.success() || !installed {
        let why = if status.success() {
            "it exited 0 but made no bin/ directory".to_string()
        } else {
            build::describe(status)
        };
        return Err(Error::user(
            format!(
                "the installer of {name} failed ({why}); nothing was installed\n  log: {}\n{}",
                log.path.display(),
                log.tail(10)
            ),
            Some(format!(
                "read the log (less {}); run the same `pyv install` again to start over",
                log.path.display()
            )),
        ));
    }
    phase.finish();
    let phase = reporter.phase(Step::Relocate);
    let old = staged.to_string_lossy().into_owned();
    let new = target.to_string_lossy().into_owned();
    let binaries = rewrite_binary_prefix(&staged, &old, &new)
        .map_err(|e| Error::io("cannot relocate", &staged, e))?;
    let moved = relocate::relocate(&staged, &old, &new)
        .map_err(|e| Error::io("cannot relocate", &staged, e))?;
    log.section(&format!(
        "pyv: relocated {old} -> {new}: {binaries} binary files, {moved:?}"
    ));
    phase.finish();
    Ok(staged)
}

/// Whether `bytes` is an ELF or Mach-O file (either byte order, fat or thin).
fn is_object_file(bytes: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 6] = [
        *b"\x7fELF",
        [0xfe, 0xed, 0xfa, 0xce],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xcf, 0xfa, 0xed, 0xfe],
        [0xca, 0xfe, 0xba, 0xbe],
    ];
    bytes.first_chunk::<4>().is_some_and(|m| MAGICS.contains(m))
}

/// In ELF and Mach-O files, rewrite every C string that starts with `old`
/// to start with `new`, padding with NULs after the string's end: the way conda itself puts a
/// prefix into binaries, so offsets never move. Needs `new` no longer than `old` (the stage
/// path always is longer than the final one). Returns the number of files changed.
pub fn rewrite_binary_prefix(tree: &Path, old: &str, new: &str) -> std::io::Result<usize> {
    if new.len() > old.len() || old == new {
        return Ok(0);
    }
    let finder = memmem::Finder::new(old.as_bytes());
    let mut changed = 0;
    let mut stack = vec![tree.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let path = entry.path();
            let mut bytes = fs::read(&path)?;
            // Only executables and libraries hold NUL-terminated C strings; other binary files
            // (`.pyc`, archives) store lengths, which a padded rewrite would corrupt.
            if !is_object_file(&bytes) || finder.find(&bytes).is_none() {
                continue;
            }
            let hits: Vec<usize> = finder.find_iter(&bytes).collect();
            for at in hits {
                if bytes[at..at + old.len()] != *old.as_bytes() {
                    continue; // rewritten by an earlier hit's shift
                }
                // The whole C string, every occurrence in it (`$OLD/lib:$OLD/lib64`): a later
                // hit inside it has moved and would not be found at its old offset.
                let end = memchr::memchr(0, &bytes[at..]).map_or(bytes.len(), |n| at + n);
                let mut s = Vec::with_capacity(end - at);
                let mut last = at;
                for hit in finder.find_iter(&bytes[at..end]).map(|i| at + i) {
                    s.extend_from_slice(&bytes[last..hit]);
                    s.extend_from_slice(new.as_bytes());
                    last = hit + old.len();
                }
                s.extend_from_slice(&bytes[last..end]);
                s.resize(end - at, 0);
                bytes[at..end].copy_from_slice(&s);
            }
            let mut f = OpenOptions::new().write(true).truncate(true).open(&path)?;
            f.write_all(&bytes)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// python-build's links for an unpacked PyPy or GraalPy: `bin/python` and `bin/python3` (and
/// for PyPy `lib/libpypy*` -> `../bin/libpypy*`) when the archive lacks them, so shims named
/// `python` and `python3` work as with pyenv.
pub fn add_links(prefix: &Path, flavour: Flavour) -> Result<()> {
    let bin = prefix.join("bin");
    let entries = fs::read_dir(&bin).map_err(|e| Error::io("cannot read", &bin, e))?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let stem = match flavour {
        Flavour::PyPy => "pypy",
        Flavour::GraalPy => "graalpy",
        _ => return Ok(()),
    };
    // The interpreter: a real executable file named `pypy3.9`, `pypy3`, `pypy`, `graalpy` or
    // `graalpython` (not `graalpy-config`); the most specific name wins.
    let interpreter = names
        .iter()
        .filter(|n| {
            let rest = n
                .strip_prefix(stem)
                .or_else(|| n.strip_prefix("graalpython"));
            rest.is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        })
        .filter(|n| {
            let p = bin.join(n);
            fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) && pyv_core::fsx::is_executable(&p)
        })
        .max_by_key(|n| n.len())
        .cloned();
    let Some(interpreter) = interpreter else {
        return Err(Error::user(
            format!(
                "the {} archive has no {stem}* interpreter in bin/",
                flavour.label()
            ),
            Some("the archive does not have the layout of an official release".to_string()),
        ));
    };
    for link in ["python", "python3"] {
        let p = bin.join(link);
        if fs::symlink_metadata(&p).is_err() {
            symlink(&interpreter, &p).map_err(|e| Error::io("cannot create", &p, e))?;
        }
    }
    if flavour == Flavour::PyPy {
        let lib = prefix.join("lib");
        for n in names.iter().filter(|n| n.starts_with("libpypy")) {
            fs::create_dir_all(&lib).map_err(|e| Error::io("cannot create", &lib, e))?;
            let p = lib.join(n);
            if fs::symlink_metadata(&p).is_err() {
                symlink(format!("../bin/{n}"), &p)
                    .map_err(|e| Error::io("cannot create", &p, e))?;
            }
        }
    }
    Ok(())
}

/// pip from the interpreter's own `ensurepip` (as python-build's `ensurepip` step does), run
/// in the stage and then relocated to `target`. A Python without `ensurepip` (or whose
/// ensurepip fails) is still installed: the returned warning says so.
pub fn ensure_pip(
    layout: &Layout,
    name: &str,
    staged: &Path,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<Option<String>> {
    let python = staged.join("bin").join("python");
    let has_pip = |p: &Path| {
        Command::new(p)
            .args(["-E", "-s", "-c", "import pip"])
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has_pip(&python) {
        return Ok(None);
    }
    let phase = reporter.phase(Step::Pip);
    let log = Log::create(layout, name)?;
    log.section("pyv: python -m ensurepip");
    let mut cmd = Command::new(&python);
    cmd.args(["-E", "-s", "-m", "ensurepip", "--default-pip"])
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .stdin(Stdio::null())
        .stdout(log.stdio()?)
        .stderr(log.stdio()?)
        .process_group(0);
    crate::install::tether::die_with_parent(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::io("cannot run", &python, e))?;
    let _watcher = crate::install::tether::watch(child.id());
    let status = build::wait_interruptibly(&mut child)
        .map_err(|e| Error::io("cannot wait for", &python, e))??;
    if !status.success() || !has_pip(&python) {
        drop(phase);
        // Its first line of output says why (`ensurepip is disabled in Debian/Ubuntu ...`).
        let text = fs::read_to_string(&log.path).unwrap_or_default();
        let why = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("==> "))
            .map(|l| format!(": {l}"))
            .unwrap_or_default();
        return Ok(Some(format!(
            "{name} has no pip: its `ensurepip` {}{why} (log: {}); the interpreter works, and \
             its virtualenvs get pip from their own ensurepip",
            if status.success() {
                "did not install it".to_string()
            } else {
                format!("failed ({})", build::describe(status))
            },
            log.path.display()
        )));
    }
    let old = staged.to_string_lossy().into_owned();
    let new = target.to_string_lossy().into_owned();
    relocate::relocate(staged, &old, &new).map_err(|e| Error::io("cannot relocate", staged, e))?;
    phase.finish();
    Ok(None)
}

/// Printed first by the check for the other Pythons (then `CHECK_SCRIPT`'s lines); it runs on
/// Python 2 and 3: `impl <sys.implementation.name>` and, for PyPy and GraalPy,
/// `impl_version <x.y[.z]>` (GraalPy's from its cache tag, `graalpy241-311` for 24.1, since
/// its `sys.implementation.version` is the CPython version it implements).
const IMPL_SCRIPT: &str = r#"
import sys, re
impl = getattr(getattr(sys, "implementation", None), "name", None)
if impl is None:
    import platform
    impl = platform.python_implementation().lower()
sys.stdout.write("impl " + impl + "\n")
pv = getattr(sys, "pypy_version_info", None)
if pv is not None:
    sys.stdout.write("impl_version %d.%d.%d\n" % tuple(pv[:3]))
else:
    m = re.match(r"graalpy(\d\d)(\d+)-", getattr(getattr(sys, "implementation", None), "cache_tag", None) or "")
    if m:
        sys.stdout.write("impl_version %s.%s\n" % m.groups())
"#;

/// Run the staged interpreter of a PyPy/GraalPy/conda row: it must start, be the expected
/// implementation and version and import `ssl`. Returns warnings.
pub fn verify(prefix: &Path, row: &Row, reporter: &dyn Reporter) -> Result<Vec<String>> {
    let phase = reporter.phase(Step::Verify);
    let flavour = row.flavour();
    let fail = |why: String| {
        Error::user(
            format!(
                "the {} {} does not work here: {why}",
                flavour.label(),
                row.version
            ),
            Some(format!(
                "the download may not fit this system ({}); nothing was installed",
                row.target
            )),
        )
    };
    let bin = prefix.join("bin");
    let python = ["python3", "python"]
        .iter()
        .map(|n| bin.join(n))
        .find(|p| pyv_core::fsx::is_executable(p))
        .ok_or_else(|| fail("it has no bin/python3 or bin/python".to_string()))?;
    let script = format!("{IMPL_SCRIPT}{}", crate::install::verify::CHECK_SCRIPT);
    let stdout = super::run_check(&python, &script, &["ssl"]).map_err(fail)?;
    judge(&stdout, row).map_err(fail)?;
    phase.finish();
    Ok(Vec::new())
}

/// Judge the check's output against what the row's name and table say.
fn judge(text: &str, row: &Row) -> std::result::Result<(), String> {
    let flavour = row.flavour();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix(' ')))
            .unwrap_or("nothing")
            .trim()
            .to_string()
    };
    let implementation = field("impl");
    if let Some(ok) = flavour.implementations(&row.version) {
        if !ok.contains(&implementation.as_str()) {
            return Err(format!(
                "it reports the implementation `{implementation}`, expected {}",
                ok.join(" or ")
            ));
        }
    }
    if let Some(want) = flavour.implementation_version(&row.version) {
        let got = field("impl_version");
        // graalpython 20-22 has no graalpy cache tag: nothing to compare.
        let skip = flavour == Flavour::GraalPy && got == "nothing";
        if !skip && got != want {
            return Err(format!(
                "it reports {} version {got}, expected {want}",
                flavour.label()
            ));
        }
    }
    let python = if row.python.is_empty() {
        flavour.python_from_name(&row.version)
    } else {
        Some(row.python.clone())
    };
    let reported = field("version");
    if let Some(want) = python {
        if reported != want && !reported.starts_with(&format!("{want}.")) {
            return Err(format!("it reports Python {reported}, expected {want}.x"));
        }
    }
    if let Some(why) = crate::install::verify::import_failure(text, "ssl") {
        return Err(format!("it cannot import `ssl`: {why}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, python: &str) -> Row {
        Row {
            version: name.into(),
            target: "x86_64-unknown-linux-gnu".into(),
            path: "https://h/f.tar.bz2".into(),
            sha256: "0".repeat(64),
            python: python.into(),
        }
    }

    #[test]
    fn judges_implementation_and_versions() {
        let pypy = "impl pypy\nimpl_version 7.3.11\nversion 3.9.16\nssl ok\n";
        assert_eq!(judge(pypy, &row("pypy3.9-7.3.11", "3.9")), Ok(()));
        assert_eq!(judge(pypy, &row("pypy3.9-7.3.11", "")), Ok(()));
        let e = judge(pypy, &row("pypy3.9-7.3.12", "")).unwrap_err();
        assert!(e.contains("PyPy version 7.3.11, expected 7.3.12"), "{e}");
        let e = judge(pypy, &row("pypy3.10-7.3.11", "")).unwrap_err();
        assert!(e.contains("Python 3.9.16, expected 3.10.x"), "{e}");
        let cpython = "impl cpython\nversion 3.9.16\nssl ok\n";
        let e = judge(cpython, &row("pypy3.9-7.3.11", "")).unwrap_err();
        assert!(e.contains("implementation `cpython`, expected pypy"), "{e}");
        let graal = "impl graalpy\nimpl_version 24.1\nversion 3.11.7\nssl ok\n";
        assert_eq!(judge(graal, &row("graalpy-24.1.1", "")), Ok(()));
        assert!(judge(graal, &row("graalpy-24.2.0", "")).is_err());
        let old_graal = "impl graalpython\nversion 3.8.5\nssl ok\n";
        assert_eq!(judge(old_graal, &row("graalpython-21.3.0", "")), Ok(()));
        let conda = "impl cpython\nversion 3.12.7\nssl missing libssl.so.3: nope\n";
        let e = judge(conda, &row("miniforge3-24.11.0-0", "3.12")).unwrap_err();
        assert!(e.contains("cannot import `ssl`: libssl.so.3"), "{e}");
        let conda = conda.replace("ssl missing libssl.so.3: nope", "ssl ok");
        assert_eq!(judge(&conda, &row("miniforge3-24.11.0-0", "3.12")), Ok(()));
        assert!(judge(&conda, &row("miniforge3-24.11.0-0", "3.11")).is_err());
        assert_eq!(judge(&conda, &row("anaconda3-2024.10-1", "")), Ok(()));
    }

    #[test]
    fn binary_prefixes_are_rewritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let old = "/r/.staging/x.1/dest/r/versions/x";
        let new = "/r/versions/x";
        let mut bin = b"\x7fELF\0junk\0".to_vec();
        bin.extend_from_slice(format!("{old}/lib/libfoo.so\0after\0{old}\0").as_bytes());
        let len = bin.len();
        fs::write(dir.path().join("b"), &bin).unwrap();
        // A .pyc (length-prefixed strings) is left alone.
        let pyc = format!("\x0d\x0d\0\0{old}/x.py").into_bytes();
        fs::write(dir.path().join("x.pyc"), &pyc).unwrap();
        fs::write(dir.path().join("t"), format!("#!{old}/bin/python\n")).unwrap();
        assert_eq!(rewrite_binary_prefix(dir.path(), old, new).unwrap(), 1);
        let got = fs::read(dir.path().join("b")).unwrap();
        assert_eq!(got.len(), len, "offsets never move");
        let want_a = format!("{new}/lib/libfoo.so\0");
        assert!(memmem::find(&got, want_a.as_bytes()).is_some());
        assert!(memmem::find(&got, b"\0after\0").is_some());
        assert!(memmem::find(&got, old.as_bytes()).is_none());
        assert_eq!(fs::read(dir.path().join("x.pyc")).unwrap(), pyc);
        // Text files are relocate's job.
        assert!(fs::read_to_string(dir.path().join("t"))
            .unwrap()
            .contains(old));
    }

    /// `$OLD/lib:$OLD/lib/x` (an RPATH, a search-path list) names the prefix twice in one C
    /// string: both are rewritten.
    #[test]
    fn every_prefix_in_one_c_string_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let old = "/r/.staging/x.1/dest/r/versions/x";
        let new = "/r/versions/x";
        let mut bin = b"\x7fELF\0".to_vec();
        bin.extend_from_slice(format!("{old}/lib:{old}/lib/pkgconfig:{old}\0end\0").as_bytes());
        let len = bin.len();
        fs::write(dir.path().join("b"), &bin).unwrap();
        assert_eq!(rewrite_binary_prefix(dir.path(), old, new).unwrap(), 1);
        let got = fs::read(dir.path().join("b")).unwrap();
        assert_eq!(got.len(), len, "offsets never move");
        let want = format!("{new}/lib:{new}/lib/pkgconfig:{new}\0");
        assert!(
            memmem::find(&got, want.as_bytes()).is_some(),
            "{}",
            String::from_utf8_lossy(&got)
        );
        assert!(memmem::find(&got, old.as_bytes()).is_none());
        assert!(memmem::find(&got, b"\0end\0").is_some());
    }
}
