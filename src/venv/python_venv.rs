//! Running the base version's own `python -m venv` into a scratch directory (its output kept
//! for the error, Ctrl-C and pyv's death reaching it), and rewriting the scratch path venv
//! wrote into the tree's text files and links to the final one. The scratch, the lock and the
//! commit are `create`'s.

use std::fs::{self, File};
use std::io::{self, Read, Seek};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use super::create::{Base, Options};
use super::{fast, interrupted, VenvError};
use crate::error::Result;
use crate::signals;

/// Run venv into `scratch`, its output kept for the error unless `verbose`.
pub(crate) fn run_venv(base: &Base, name: &str, opts: &Options, scratch: &Path) -> Result<()> {
    let mut cmd = Command::new(&base.python);
    cmd.args(["-m", "venv"]);
    if opts.system_site_packages {
        cmd.arg("--system-site-packages");
    }
    if opts.without_pip {
        cmd.arg("--without-pip");
    }
    let has_prompt = opts
        .venv_args
        .iter()
        .any(|a| a == "--prompt" || a.starts_with("--prompt="));
    if !has_prompt {
        // Without it the prompt would be the scratch directory's name.
        cmd.arg(format!("--prompt={name}"));
    }
    cmd.args(&opts.venv_args).arg(scratch).stdin(Stdio::null());
    let log = if opts.verbose {
        None
    } else {
        let f = tempfile::tempfile()
            .map_err(|e| VenvError::io("cannot create a log in", std::env::temp_dir(), e))?;
        let out = f
            .try_clone()
            .map_err(|e| VenvError::io("cannot create a log in", std::env::temp_dir(), e))?;
        let err = f
            .try_clone()
            .map_err(|e| VenvError::io("cannot create a log in", std::env::temp_dir(), e))?;
        cmd.stdout(out).stderr(err);
        Some(f)
    };
    // venv and the ensurepip (pip) it runs are a process group of their own that dies with
    // pyv, however pyv dies (see `install::tether`); Ctrl-C reaches them through pyv.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    crate::install::tether::die_with_parent(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| VenvError::io("cannot run", &base.python, e))?;
    let _watcher = crate::install::tether::watch(child.id());
    let status: ExitStatus = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Err(VenvError::io("cannot wait for", &base.python, e).into()),
        }
        if signals::pending().is_some() {
            signals::kill_group(child.id()); // venv and the ensurepip it runs
            let _ = child.wait();
            return Err(VenvError::Interrupted { name: name.into() }.into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    interrupted(name)?;
    if status.success() && scratch.join("pyvenv.cfg").is_file() {
        return Ok(());
    }
    let output = log.map(read_log).unwrap_or_default();
    Err(VenvError::VenvFailed {
        version: base.version.clone(),
        status: match status.code() {
            Some(c) => format!("exit status {c}"),
            None if status.success() => "it made no pyvenv.cfg".into(),
            None => "killed by a signal".into(),
        },
        output,
    }
    .into())
}

fn read_log(mut f: File) -> String {
    let mut s = String::new();
    let _ = f.rewind();
    let _ = f.read_to_string(&mut s);
    s
}

/// Replace the bytes of `from` with `to` in every text file and symlink target under `dir`
/// (not following symlinks, skipping `__pycache__`).
pub(crate) fn rewrite_paths(dir: &Path, from: &Path, to: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let (from_b, to_b) = (from.as_os_str().as_bytes(), to.as_os_str().as_bytes());
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if entry.file_name() != "__pycache__" {
                rewrite_paths(&path, from, to)?;
            }
        } else if kind.is_symlink() {
            let target = fs::read_link(&path)?;
            if let Some(new) = replace_bytes(target.as_os_str().as_bytes(), from_b, to_b) {
                fs::remove_file(&path)?;
                symlink(std::ffi::OsStr::from_bytes(&new), &path)?;
            }
        } else if kind.is_file() {
            let bytes = fs::read(&path)?;
            if bytes.contains(&0) {
                continue; // binary
            }
            if let Some(new) = replace_bytes(&bytes, from_b, to_b) {
                fs::write(&path, new)?; // in place: keeps the file's mode
            }
        }
    }
    Ok(())
}

/// `haystack` with every `from` replaced by `to`, or None if there is none.
fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Option<Vec<u8>> {
    memchr::memmem::find(haystack, from)?;
    Some(fast::replace_all(haystack, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence() {
        let got = replace_bytes(
            b"#!/a/.x.tmp-1/bin/python\nX=/a/.x.tmp-1\n",
            b"/a/.x.tmp-1",
            b"/a/x",
        );
        assert_eq!(got.unwrap(), b"#!/a/x/bin/python\nX=/a/x\n");
        assert_eq!(replace_bytes(b"nothing here", b"/a", b"/b"), None);
        // Left to right, not overlapping, as the byte-by-byte scan did.
        assert_eq!(replace_bytes(b"aaaxaa", b"aa", b"b").unwrap(), b"baxb");
    }

    #[test]
    fn rewrites_text_files_and_links_but_not_binaries() {
        let d = tempfile::tempdir().unwrap();
        let from = d.path().join(".e.tmp-7");
        let to = d.path().join("e");
        fs::create_dir_all(from.join("bin")).unwrap();
        fs::create_dir_all(from.join("lib/__pycache__")).unwrap();
        let script = format!("#!{}/bin/python\n", from.display());
        fs::write(from.join("bin/pip"), &script).unwrap();
        fs::write(from.join("lib/__pycache__/x.pyc"), &script).unwrap();
        let mut binary = script.clone().into_bytes();
        binary.push(0);
        fs::write(from.join("bin/blob"), &binary).unwrap();
        symlink(from.join("bin/pip"), from.join("bin/pip3")).unwrap();
        rewrite_paths(&from, &from, &to).unwrap();
        let pip = fs::read_to_string(from.join("bin/pip")).unwrap();
        assert_eq!(pip, format!("#!{}/bin/python\n", to.display()));
        assert_eq!(
            fs::read_link(from.join("bin/pip3")).unwrap(),
            to.join("bin/pip")
        );
        assert_eq!(fs::read(from.join("bin/blob")).unwrap(), binary);
        assert_eq!(
            fs::read_to_string(from.join("lib/__pycache__/x.pyc")).unwrap(),
            script
        );
    }
}
