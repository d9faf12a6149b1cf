//! The template's text written again for one environment: its markers replaced as that venv
//! would have written the values, pip's scripts and their `RECORD` rows.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use memchr::memmem;
use sha2::{Digest, Sha256};

use super::Wanted;

/// The marker -> value replacements of one environment.
#[derive(Clone, Copy)]
pub(super) struct Subst<'a> {
    pub(super) pairs: [(&'a str, &'a str); 3],
    pub(super) quoting: bool,
}

impl Subst<'_> {
    /// `text` with every marker replaced as venv's `replace_variables` would have written the
    /// value: when this venv quotes, a `'...'` region holding a marker becomes the quoted
    /// real text (`.ps1`: PowerShell's quoting); elsewhere the raw value.
    pub(super) fn apply(&self, text: &[u8], ps1: bool) -> Vec<u8> {
        let mut out = text.to_vec();
        if self.quoting {
            for (mark, _) in self.pairs {
                out = replace_quoted(&out, mark.as_bytes(), |inner| {
                    let raw = self.raw(inner);
                    let raw = String::from_utf8_lossy(&raw);
                    if ps1 {
                        quote_ps1(&raw)
                    } else {
                        shlex_quote(&raw)
                    }
                });
            }
        }
        self.raw(&out)
    }

    pub(super) fn raw(&self, text: &[u8]) -> Vec<u8> {
        let mut out = text.to_vec();
        for (mark, value) in self.pairs {
            out = replace_all(&out, mark.as_bytes(), value.as_bytes());
        }
        out
    }
}

/// Replace every `'...'` region (on one line) that contains `mark` by `quote(region inside)`.
fn replace_quoted(text: &[u8], mark: &[u8], quote: impl Fn(&[u8]) -> String) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while let Some(i) = memmem::find(&text[at..], mark).map(|i| i + at) {
        let line_start = text[..i]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let open = text[line_start.max(at)..i]
            .iter()
            .rposition(|&b| b == b'\'')
            .map(|p| p + line_start.max(at));
        let close = text[i + mark.len()..]
            .iter()
            .take_while(|&&b| b != b'\n')
            .position(|&b| b == b'\'')
            .map(|p| p + i + mark.len());
        match (open, close) {
            (Some(o), Some(c)) => {
                out.extend_from_slice(&text[at..o]);
                out.extend_from_slice(quote(&text[o + 1..c]).as_bytes());
                at = c + 1;
            }
            _ => {
                out.extend_from_slice(&text[at..i + mark.len()]);
                at = i + mark.len();
            }
        }
    }
    out.extend_from_slice(&text[at..]);
    out
}

/// `text` with every `from` replaced by `to` (left to right, not overlapping).
pub(in crate::venv) fn replace_all(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let finder = memmem::Finder::new(from);
    let mut out = Vec::with_capacity(text.len());
    let mut last = 0;
    for at in finder.find_iter(text) {
        out.extend_from_slice(&text[last..at]);
        out.extend_from_slice(to);
        last = at + from.len();
    }
    out.extend_from_slice(&text[last..]);
    out
}

/// Python's `shlex.quote`.
pub(super) fn shlex_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// venv's `quote_ps1`.
fn quote_ps1(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `pyvenv.cfg` for this environment: the template's keys, with the options' values and the
/// `command =` line (3.11+) rebuilt as venv writes it.
pub(super) fn config(text: &str, s: &Subst, w: &Wanted, real: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let key = line.split('=').next().unwrap_or_default().trim();
        match key {
            "include-system-site-packages" => out.push_str(&format!(
                "include-system-site-packages = {}",
                if w.system_site { "true" } else { "false" }
            )),
            "command" if line.contains(" -m venv ") => {
                let head = &line[..line.find(" -m venv ").unwrap_or(0)];
                let mut args = Vec::new();
                if w.copies {
                    args.push("--copies".to_string());
                }
                if w.without_pip {
                    args.push("--without-pip".into());
                }
                if w.system_site {
                    args.push("--system-site-packages".into());
                }
                if w.clear {
                    args.push("--clear".into());
                }
                args.push(format!("--prompt=\"{}\"", w.prompt));
                args.push(real.to_string());
                out.push_str(&format!("{head} -m venv {}", args.join(" ")));
            }
            _ => out.push_str(&String::from_utf8_lossy(&s.raw(line.as_bytes()))),
        }
        out.push('\n');
    }
    out
}

/// A pip console script made in the template, rewritten for the interpreter under `real`:
/// `None` if `bytes` is not one.
pub(super) fn console_script(bytes: &[u8], marker: &str, real: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (exe, body) = if let Some(rest) = text.strip_prefix("#!/bin/sh\n'''exec' ") {
        let (line, rest) = rest.split_once('\n')?;
        let exe = line.strip_suffix(" \"$0\" \"$@\"")?;
        let exe = exe
            .strip_prefix('"')
            .and_then(|e| e.strip_suffix('"'))
            .unwrap_or(exe);
        (exe, rest.strip_prefix("' '''\n")?)
    } else {
        let (line, body) = text.strip_prefix("#!")?.split_once('\n')?;
        (line, body)
    };
    let tail = exe.strip_prefix(marker)?;
    let exe = format!("{real}{tail}");
    let mut out = shebang(&exe).into_bytes();
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

/// The first line(s) pip's script maker (distlib) writes for `exe` on Linux.
fn shebang(exe: &str) -> String {
    let exe = if exe.contains(' ') {
        format!("\"{exe}\"")
    } else {
        exe.to_string()
    };
    if !exe.contains(' ') && exe.len() + 3 <= crate::install::relocate::MAX_SHEBANG {
        format!("#!{exe}\n")
    } else {
        format!("#!/bin/sh\n'''exec' {exe} \"$0\" \"$@\"\n' '''\n")
    }
}

/// `sha256=<urlsafe base64, unpadded>` as in a wheel's RECORD.
pub(super) fn record_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("sha256={}", URL_SAFE_NO_PAD.encode(digest))
}

/// A pip console script written for an environment: its name, `RECORD` hash and size.
pub(super) type Script = (String, String, usize);

/// Rewrite the `RECORD` rows of `../../../bin/<script>` in every `*.dist-info` of the
/// `site-packages` below `dir` (`lib/pythonX.Y/site-packages`: looked for two levels down).
pub(super) fn fix_records(dir: &Path, scripts: &[Script]) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            let p = e.path();
            if e.file_name() == "site-packages" {
                fix_records_in(&p, scripts)?;
            } else if p.parent() == Some(dir) && dir.file_name().is_some_and(|n| n == "lib") {
                fix_records(&p, scripts)?;
            }
        }
    }
    Ok(())
}

fn fix_records_in(site: &Path, scripts: &[Script]) -> io::Result<()> {
    for e in fs::read_dir(site)? {
        let e = e?;
        let p = e.path();
        if !e.file_type()?.is_dir() {
            continue;
        }
        if e.file_name().to_string_lossy().ends_with(".dist-info") {
            let record = p.join("RECORD");
            let Ok(text) = fs::read_to_string(&record) else {
                continue;
            };
            let mut changed = false;
            let mut out = String::with_capacity(text.len());
            for line in text.split_inclusive('\n') {
                let path = line.split(',').next().unwrap_or_default();
                let script = path
                    .strip_prefix("../../../bin/")
                    .and_then(|n| scripts.iter().find(|(s, _, _)| s == n));
                match script {
                    Some((_, hash, size)) => {
                        let end = &line[line.trim_end_matches(['\r', '\n']).len()..];
                        out.push_str(&format!("{path},{hash},{size}{end}"));
                        changed = true;
                    }
                    None => out.push_str(line),
                }
            }
            if changed {
                // A hard link to the template's RECORD: replace it, never write through it.
                let tmp = p.join(".RECORD.pyv-tmp");
                fs::write(&tmp, out)?;
                fs::rename(&tmp, &record)?;
            }
        }
    }
    Ok(())
}

pub(super) fn relink(src: &Path, dst: &Path, s: &Subst) -> io::Result<()> {
    let target = fs::read_link(src)?;
    let target = s.raw(target.as_os_str().as_bytes());
    symlink(std::ffi::OsStr::from_bytes(&target), dst)
}

/// Write `bytes` to the new file `dst` with `src`'s permission bits.
pub(super) fn write_like(src: &Path, dst: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::write(dst, bytes)?;
    fs::set_permissions(dst, fs::metadata(src)?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venv::fast::PROMPT_MARK;

    fn subst(quoting: bool) -> Subst<'static> {
        Subst {
            pairs: [
                ("/c/b/pyvTMPLenv 7q", "/r o/envs/web"),
                ("pyvTMPLenv 7q", "web"),
                (PROMPT_MARK, "web"),
            ],
            quoting,
        }
    }

    #[test]
    fn quoted_regions_get_the_real_value_quoted_like_shlex() {
        let s = subst(true);
        let got = s.apply(
            b"VIRTUAL_ENV='/c/b/pyvTMPLenv 7q'\nPS1='(pyvTMPLprompt 7q) '\"${PS1:-}\"\nX=pyvTMPLprompt 7q\n",
            false,
        );
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "VIRTUAL_ENV='/r o/envs/web'\nPS1='(web) '\"${PS1:-}\"\nX=web\n"
        );
        // A value shlex finds safe is written bare, as venv would.
        let got = s.apply(b"N='pyvTMPLenv 7q'\n", false);
        assert_eq!(got, b"N=web\n");
        let got = s.apply(b"$v = '/c/b/pyvTMPLenv 7q'\n", true);
        assert_eq!(got, b"$v = '/r o/envs/web'\n");
    }

    #[test]
    fn unquoting_venvs_get_raw_values() {
        let got = subst(false).apply(
            b"VIRTUAL_ENV=\"/c/b/pyvTMPLenv 7q\"\nif ('pyvTMPLenv 7q')\n",
            false,
        );
        assert_eq!(got, b"VIRTUAL_ENV=\"/r o/envs/web\"\nif ('web')\n");
    }

    #[test]
    fn shlex_quote_matches_python() {
        assert_eq!(shlex_quote("/a/b-c_d.e"), "/a/b-c_d.e");
        assert_eq!(shlex_quote("(web) "), "'(web) '");
        assert_eq!(shlex_quote("it's"), "'it'\"'\"'s'");
        assert_eq!(shlex_quote(""), "''");
    }

    #[test]
    fn console_scripts_get_pips_shebang() {
        let body = "# -*- coding: utf-8 -*-\nimport sys\n";
        let tramp =
            format!("#!/bin/sh\n'''exec' \"/m k/bin/python3.11\" \"$0\" \"$@\"\n' '''\n{body}");
        let got = console_script(tramp.as_bytes(), "/m k", "/real/e").unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            format!("#!/real/e/bin/python3.11\n{body}")
        );
        let simple = format!("#!/m k/bin/python3.11\n{body}");
        let got = console_script(simple.as_bytes(), "/m k", "/real e").unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            format!("#!/bin/sh\n'''exec' \"/real e/bin/python3.11\" \"$0\" \"$@\"\n' '''\n{body}")
        );
        let long = format!("/{}", "x".repeat(130));
        let got =
            String::from_utf8(console_script(simple.as_bytes(), "/m k", &long).unwrap()).unwrap();
        assert!(
            got.starts_with(&format!("#!/bin/sh\n'''exec' {long}/bin/python3.11 \"$0\"")),
            "{got}"
        );
        assert_eq!(console_script(b"#!/bin/sh\necho\n", "/m k", "/r"), None);
    }

    #[test]
    fn record_hash_is_urlsafe_base64_without_padding() {
        // python3 -c "import hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(b'abc').digest()).rstrip(b'='))"
        assert_eq!(
            record_hash(b"abc"),
            "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[test]
    fn config_keeps_keys_and_rebuilds_the_command() {
        let text = "home = /v/bin\ninclude-system-site-packages = false\nversion = 3.11.7\nprompt = 'pyvTMPLprompt 7q'\nexecutable = /v/bin/python3.11\ncommand = /v/bin/python -m venv --prompt=\"pyvTMPLprompt 7q\" /c/b/pyvTMPLenv 7q\n";
        let w = Wanted {
            copies: true,
            system_site: true,
            without_pip: true,
            clear: false,
            prompt: "web".into(),
        };
        let got = config(text, &subst(true), &w, "/r o/envs/web");
        assert_eq!(got, "home = /v/bin\ninclude-system-site-packages = true\nversion = 3.11.7\nprompt = 'web'\nexecutable = /v/bin/python3.11\ncommand = /v/bin/python -m venv --copies --without-pip --system-site-packages --prompt=\"web\" /r o/envs/web\n");
    }
}
