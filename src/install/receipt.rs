//! How an installed version was made, recorded inside it as `versions/<name>/.pyv-install`, so
//! `pyv versions` can say `3.12.7 (prebuilt)` while the name stays the plain version that
//! `.python-version` files of every tool understand. (Called a receipt, not an origin: `Origin`
//! already means "who selected this version".)
//!
//! The file is line-based `key=value`, one field per line; `#` lines, blank lines and unknown
//! keys are ignored, so new kinds (`cached`) and fields can be added without breaking older
//! readers. Only `kind` is required. The file is written into the staged tree before the
//! publishing rename, so a visible version never lacks it; versions installed before receipts
//! existed (or by hand) simply have none.

use std::fs;
use std::io;
use std::path::Path;

/// The receipt's file name inside a version directory (a dot-name: `bin/` listings skip it).
pub const FILE: &str = ".pyv-install";

/// How a version was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Built here from python.org's source.
    Source,
    /// Unpacked from a python-build-standalone archive.
    Prebuilt,
    /// Unpacked from the artifact cache (an earlier source build with the same key).
    Cached,
    /// PyPy, GraalPy or a conda installer (`crate::install::prebuilt::flavour`).
    PyPy,
    GraalPy,
    Conda,
    /// A kind this pyv does not know (written by a newer one); shown as written.
    Other(String),
}

impl Kind {
    pub fn as_str(&self) -> &str {
        match self {
            Kind::Source => "source",
            Kind::Prebuilt => "prebuilt",
            Kind::Cached => "cached",
            Kind::PyPy => "pypy",
            Kind::GraalPy => "graalpy",
            Kind::Conda => "conda",
            Kind::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Kind {
        match s {
            "source" => Kind::Source,
            "prebuilt" => Kind::Prebuilt,
            "cached" => Kind::Cached,
            "pypy" => Kind::PyPy,
            "graalpy" => Kind::GraalPy,
            "conda" => Kind::Conda,
            other => Kind::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parsed receipt: its kind and every other field in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub kind: Kind,
    pub fields: Vec<(String, String)>,
}

impl Receipt {
    pub fn new(kind: Kind) -> Receipt {
        Receipt {
            kind,
            fields: vec![(
                "installed_by".into(),
                concat!("pyv ", env!("CARGO_PKG_VERSION")).into(),
            )],
        }
    }

    /// Add a field (`archive`, `sha256`, ...). Line breaks in the value become spaces.
    pub fn with(mut self, key: &str, value: &str) -> Receipt {
        self.fields
            .push((key.to_string(), value.replace(['\n', '\r'], " ")));
        self
    }

    #[allow(dead_code)] // read by tests; for doctor and future readers of the other fields
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn to_text(&self) -> String {
        let mut s = format!(
            "# how pyv installed this version; `key=value` lines\nkind={}\n",
            self.kind
        );
        for (k, v) in &self.fields {
            s.push_str(&format!("{k}={v}\n"));
        }
        s
    }

    /// Parse a receipt's text; None without a `kind` line.
    pub fn parse(text: &str) -> Option<Receipt> {
        let mut kind = None;
        let mut fields = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            if k == "kind" {
                kind.get_or_insert_with(|| Kind::parse(v));
            } else {
                fields.push((k.to_string(), v.to_string()));
            }
        }
        Some(Receipt {
            kind: kind.filter(|k| !k.as_str().is_empty())?,
            fields,
        })
    }

    /// Write `dir/.pyv-install` (temp file + rename: a reader never sees half of it).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        Ok(pyv_core::fsx::write_atomic(
            &dir.join(FILE),
            self.to_text().as_bytes(),
        )?)
    }

    /// The receipt of the version in `dir`, if it has a readable one.
    pub fn read(dir: &Path) -> Option<Receipt> {
        Receipt::parse(&fs::read_to_string(dir.join(FILE)).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ignores_what_it_does_not_know() {
        let r = Receipt::new(Kind::Prebuilt)
            .with("archive", "cpython-3.12.7+2024.tar.gz")
            .with("note", "two\nlines");
        let back = Receipt::parse(&r.to_text()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.get("note"), Some("two lines"));

        let future = "# x\nkind=relocated\nfrom=prebuilt\nno equals sign here\n\nkind=source\n";
        let f = Receipt::parse(future).unwrap();
        assert_eq!(f.kind, Kind::Other("relocated".into()));
        assert_eq!(Receipt::parse("kind=cached\n").unwrap().kind, Kind::Cached);
        assert_eq!(f.get("from"), Some("prebuilt"));
        assert_eq!(Receipt::parse("archive=x\n"), None);
        assert_eq!(Receipt::parse("kind=\n"), None);
    }

    #[test]
    fn written_into_a_directory_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Receipt::read(dir.path()), None);
        Receipt::new(Kind::Source).write(dir.path()).unwrap();
        assert_eq!(Receipt::read(dir.path()).unwrap().kind, Kind::Source);
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temp file left behind");
    }
}
