//! A tiny fake CPython source release for driving `pyv install` end to end in seconds: its
//! `configure` writes a Makefile whose targets "compile" four objects and install a
//! `bin/python3` script that answers pyv's import check. Behaviour is steered through the
//! environment pyv passes down: `FAKE_FAIL=configure|make|install`, `FAKE_SLEEP=<phase>`
//! (`FAKE_SLEEP_SECS`, default 30), `FAKE_GATE=<file>` (configure waits until the file
//! exists), `FAKE_VERIFY_DONE=<file>` (the interpreter check creates it after its sleep),
//! `FAKE_PIDS=<file>` (a sleeping configure or interpreter check writes its pid and its
//! `sleep`'s there),
//! `FAKE_MISSING="sqlite3 ssl"` (modules that fail to import),
//! `FAKE_CONFIGURE_LOG=<file>` (configure appends its arguments there: proof that a build ran).
//! What reached the build is installed beside it in `lib/`: `configure.args`, `configure.env`
//! (`CFLAGS`, `CPPFLAGS`, `LDFLAGS`, `LDFLAGS_NODIST`, `PKG_CONFIG_PATH` as configure saw
//! them), `make.args` and `make-install.args` (the target and make's `MAKEFLAGS`); `make
//! altinstall` installs the same as `make install`.
//! `FAKE_REAL_PYTHON=<path>` installs `bin/python3` as a symlink to that real interpreter
//! (for tests that need one: venvs, pip).
//! The install also has `bin/fake-tool`, a script whose shebang names `<prefix>/bin/python3`.

use std::io::Write;

const CONFIGURE: &str = r#"#!/bin/sh
echo "fake configure $*"
if [ -n "$FAKE_CONFIGURE_LOG" ]; then echo "$*" >> "$FAKE_CONFIGURE_LOG"; fi
if [ "$FAKE_SLEEP" = configure ]; then
  sleep "${FAKE_SLEEP_SECS:-30}" &
  if [ -n "$FAKE_PIDS" ]; then echo "$$ $!" > "$FAKE_PIDS.tmp" && mv "$FAKE_PIDS.tmp" "$FAKE_PIDS"; fi
  wait $!
fi
# FAKE_GATE=<file>: wait (up to 2 minutes) until the test creates that file.
if [ -n "$FAKE_GATE" ]; then
  i=0
  while [ ! -e "$FAKE_GATE" ] && [ "$i" -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done
fi
if [ "$FAKE_FAIL" = configure ]; then
  echo "configure: error: no acceptable C compiler found in \$PATH" >&2
  exit 1
fi
prefix=/usr/local
for a in "$@"; do case "$a" in --prefix=*) prefix="${a#--prefix=}";; esac; done
sed "s|@PREFIX@|$prefix|" Makefile.in > Makefile
echo "$*" > configure.args
printf 'CFLAGS=%s\nCPPFLAGS=%s\nLDFLAGS=%s\nLDFLAGS_NODIST=%s\nPKG_CONFIG_PATH=%s\n' \
  "$CFLAGS" "$CPPFLAGS" "$LDFLAGS" "$LDFLAGS_NODIST" "$PKG_CONFIG_PATH" > configure.env
"#;

const MAKEFILE_IN: &str = "PREFIX=@PREFIX@
OBJS=a.o b.o c.o d.o
all: $(OBJS)
\t@[ -e make.args ] || echo \"make [$(MAKEFLAGS)]\" > make.args
%.o: %.c
\t@echo \"gcc -c $< -o $@\"
\t@if [ \"$$FAKE_SLEEP\" = make ]; then sleep \"$${FAKE_SLEEP_SECS:-30}\"; fi
\t@if [ \"$$FAKE_FAIL\" = make ]; then echo \"$<:1:10: fatal error: openssl/ssl.h: No such file or directory\" >&2; exit 1; fi
\t@cp $< $@
install altinstall: all
\t@if [ \"$$FAKE_SLEEP\" = install ]; then sleep \"$${FAKE_SLEEP_SECS:-30}\"; fi
\t@if [ \"$$FAKE_FAIL\" = install ]; then echo \"install: cannot write\" >&2; exit 2; fi
\tmkdir -p \"$(DESTDIR)$(PREFIX)/bin\" \"$(DESTDIR)$(PREFIX)/lib\"
\tcp python3.in \"$(DESTDIR)$(PREFIX)/bin/python3\"
\tcp pip3.in \"$(DESTDIR)$(PREFIX)/bin/pip3\"
\tcp configure.args configure.env make.args \"$(DESTDIR)$(PREFIX)/lib/\"
\techo \"make $@ [$(MAKEFLAGS)]\" > \"$(DESTDIR)$(PREFIX)/lib/make-install.args\"
\tprintf '#!%s/bin/python3\\nprint(\"tool\")\\n' \"$(PREFIX)\" > \"$(DESTDIR)$(PREFIX)/bin/fake-tool\"
\tchmod 755 \"$(DESTDIR)$(PREFIX)/bin/fake-tool\"
\tchmod 755 \"$(DESTDIR)$(PREFIX)/bin/python3\" \"$(DESTDIR)$(PREFIX)/bin/pip3\"
\t@if [ -n \"$$FAKE_REAL_PYTHON\" ]; then ln -sf \"$$FAKE_REAL_PYTHON\" \"$(DESTDIR)$(PREFIX)/bin/python3\"; fi
";

const PYTHON3: &str = r#"#!/bin/sh
if [ "$1" = "-E" ]; then
  if [ "$FAKE_SLEEP" = verify ]; then
    sleep "${FAKE_SLEEP_SECS:-30}" &
    if [ -n "$FAKE_PIDS" ]; then echo "$$ $!" > "$FAKE_PIDS.tmp" && mv "$FAKE_PIDS.tmp" "$FAKE_PIDS"; fi
    wait $!
    if [ -n "$FAKE_VERIFY_DONE" ]; then : > "$FAKE_VERIFY_DONE"; fi
  fi
  shift 4
  for m in "$@"; do
    case " $FAKE_MISSING " in
      *" $m "*) echo "$m missing No module named '_$m'";;
      *) echo "$m ok";;
    esac
  done
  exit 0
fi
echo "fake python $(basename "$(dirname "$(dirname "$0")")") $*"
"#;

const PIP3: &str = "#!/bin/sh\necho \"pip 99.0 (fake)\"\n";

/// A `.tgz` of `Python-<version>/` with the fake build system.
pub fn tgz(version: &str) -> Vec<u8> {
    tgz_with(version, &[])
}

/// The same with extra regular files (`relative path`, bytes) added to the tree.
pub fn tgz_with(version: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let top = format!("Python-{version}");
    let mut files: Vec<(String, Vec<u8>, u32)> = vec![
        ("configure".into(), CONFIGURE.into(), 0o755),
        ("Makefile.in".into(), MAKEFILE_IN.into(), 0o644),
        ("python3.in".into(), PYTHON3.into(), 0o755),
        ("pip3.in".into(), PIP3.into(), 0o755),
    ];
    for c in ["a.c", "b.c", "c.c", "d.c"] {
        files.push((c.into(), b"int x;\n".to_vec(), 0o644));
    }
    for (p, b) in extra {
        files.push((p.to_string(), b.to_vec(), 0o644));
    }
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(enc);
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    tar.append_data(&mut dir, format!("{top}/"), std::io::empty())
        .unwrap();
    for (path, bytes, mode) in files {
        let mut h = tar::Header::new_gnu();
        h.set_mode(mode);
        h.set_size(bytes.len() as u64);
        tar.append_data(&mut h, format!("{top}/{path}"), bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// The SHA-256 of some bytes, lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A gzip'd tar with one raw entry whose header is written by hand, so that names the `tar`
/// crate refuses to create (`../x`, `/abs`) can be tested.
pub fn raw_tgz(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = [0u8; 512];
        h[..e.name.len()].copy_from_slice(e.name.as_bytes());
        write_octal(&mut h[100..108], e.mode as u64);
        write_octal(&mut h[108..116], 0);
        write_octal(&mut h[116..124], 0);
        write_octal(&mut h[124..136], e.body.len() as u64);
        write_octal(&mut h[136..148], 0);
        h[156] = e.kind;
        h[157..157 + e.link.len()].copy_from_slice(e.link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        write_octal(&mut h[148..155], sum as u64);
        h[155] = b' ';
        out.extend_from_slice(&h);
        out.extend_from_slice(e.body);
        let pad = (512 - e.body.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out.extend([0u8; 1024]);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&out).unwrap();
    enc.finish().unwrap()
}

fn write_octal(field: &mut [u8], v: u64) {
    let s = format!("{v:0width$o}\0", width = field.len() - 1);
    field.copy_from_slice(s.as_bytes());
}

/// One hand-made tar entry: `kind` is the typeflag (`b'0'` file, `b'2'` symlink, `b'1'` hard
/// link, `b'3'` char device, `b'5'` directory).
pub struct RawEntry<'a> {
    pub name: &'a str,
    pub kind: u8,
    pub link: &'a str,
    pub body: &'a [u8],
    pub mode: u32,
}

impl<'a> RawEntry<'a> {
    pub fn file(name: &'a str, body: &'a [u8]) -> Self {
        RawEntry {
            name,
            kind: b'0',
            link: "",
            body,
            mode: 0o644,
        }
    }
    pub fn dir(name: &'a str) -> Self {
        RawEntry {
            name,
            kind: b'5',
            link: "",
            body: b"",
            mode: 0o755,
        }
    }
    pub fn link(name: &'a str, kind: u8, link: &'a str) -> Self {
        RawEntry {
            name,
            kind,
            link,
            body: b"",
            mode: 0o777,
        }
    }
}

const API_RELEASES: &str = "/api/v2/downloads/release/";
const API_FILES: &str = "/api/v2/downloads/release_file/";
const FTP: &str = "https://www.python.org/ftp/python";

/// A server answering python.org's release API (`PYV_PYTHON_ORG_API=<url>/api/v2/downloads/`)
/// with `versions`, each a fake release served as `/ftp/python/<v>/Python-<v>.tgz`
/// (`PYV_PYTHON_ORG=<url>/ftp/python/`). The API lists `versions` (with their fake tgz served under `/ftp/python/`).
pub fn python_org(versions: &[&str]) -> crate::common::http::Server {
    let s = crate::common::http::Server::start();
    let mut rels = Vec::new();
    let mut files = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let id = 900 + i as u32;
        rels.push(format!(
            r#"{{"name": "Python {v}", "slug": "python-{slug}", "version": 3,
  "is_published": true, "is_latest": false, "release_date": "2026-05-01T12:00:00Z",
  "pre_release": false, "release_page": null, "release_notes_url": "",
  "show_on_download_page": true,
  "resource_uri": "https://www.python.org/api/v2/downloads/release/{id}/"}}"#,
            slug = v.replace('.', "")
        ));
        let tgz = tgz(v);
        let url = format!("{FTP}/{v}/Python-{v}.tgz");
        files.push(format!(
            r#"{{"name": "Gzipped source tarball", "slug": "Python-{v}.tgz", "os": "https://www.python.org/api/v2/downloads/os/3/",
  "release": "https://www.python.org/api/v2/downloads/release/{id}/", "description": "",
  "is_source": true, "url": "{url}", "gpg_signature_file": "{url}.asc",
  "md5_sum": "0123456789abcdef0123456789abcdef", "filesize": 1234, "download_button": true,
  "resource_uri": "https://www.python.org/api/v2/downloads/release_file/1{id}/",
  "sigstore_signature_file": "", "sigstore_cert_file": "", "sigstore_bundle_file": "",
  "sha256_sum": "{sha}"}}"#,
            sha = sha256(&tgz)
        ));
        s.file(&format!("/ftp/python/{v}/Python-{v}.tgz"), tgz);
    }
    s.file(API_RELEASES, format!("[{}]", rels.join(",")).into_bytes());
    s.file(API_FILES, format!("[{}]", files.join(",")).into_bytes());
    s
}
