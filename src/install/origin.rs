//! `versions/<name>/.pyv-origin`: how a version came to be, as `key = value` lines.
//! `how = source` (compiled here), `cached` (unpacked from the artifact cache or an artifact
//! mirror) or `prebuilt` (a downloaded prebuilt interpreter); `key = <artifact key>` names the
//! artifact. Unknown keys are kept by [`read`] so that writers can add fields freely.

use std::fs;
use std::path::Path;

/// The file's name inside a version directory.
pub const FILE: &str = ".pyv-origin";

/// The parsed file: its `key = value` pairs in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub fields: Vec<(String, String)>,
}

impl Origin {
    pub fn new(how: &str) -> Origin {
        let mut o = Origin::default();
        o.set("how", how);
        o
    }

    /// Set (or replace) one field.
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        let value = value.replace(['\n', '\r'], " ");
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some(f) => f.1 = value,
            None => self.fields.push((key.to_string(), value)),
        }
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `source`, `cached`, `prebuilt`, ...
    #[allow(dead_code)] // for `pyv versions` and the prebuilt installs
    pub fn how(&self) -> Option<&str> {
        self.get("how")
    }

    pub fn to_text(&self) -> String {
        self.fields
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }

    pub fn parse(text: &str) -> Origin {
        let fields = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Origin { fields }
    }
}

/// Write `<version dir>/.pyv-origin` (atomically: temp file + rename).
pub fn write(version_dir: &Path, origin: &Origin) -> std::io::Result<()> {
    pyv_core::fsx::write_atomic(&version_dir.join(FILE), origin.to_text().as_bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The origin of an installed version, if it has the file.
#[allow(dead_code)] // for `pyv versions` and the prebuilt installs
pub fn read(version_dir: &Path) -> Option<Origin> {
    fs::read_to_string(version_dir.join(FILE))
        .ok()
        .map(|t| Origin::parse(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let mut o = Origin::new("cached");
        o.set("key", "cpython-3.11.2-linux-x86_64-0123");
        write(tmp.path(), &o).unwrap();
        let back = read(tmp.path()).unwrap();
        assert_eq!(back, o);
        assert_eq!(back.how(), Some("cached"));
        assert_eq!(
            Origin::parse("# c\nhow = prebuilt\nextra=1\n").get("extra"),
            Some("1")
        );
        assert!(read(&tmp.path().join("missing")).is_none());
    }
}
