//! An artifact's manifest (`<key>.manifest` beside `<key>.tar.gz`): `key = value` lines
//! (sha256, size, the build prefix, what the key was made of). Unknown keys are kept, so
//! writers can add fields freely.
//!
//! A manifest is parsed into a typed value or refused: the fields relocation and verification
//! depend on must be there and make sense (a `key` that is a plain file name, a 64-hex
//! `sha256`, a `size`, an absolute `prefix` that is not `/`). A manifest that is not one is a
//! corrupt artifact: with no prefix, or `/`, relocation would rewrite every byte of every text
//! file. It is at most [`MAX_BYTES`] long, from a mirror or from disk.

/// The longest manifest read (a real one is under 1 KiB).
pub const MAX_BYTES: u64 = 64 * 1024;

/// A parsed, checked manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The artifact key (`cpython-3.12.1-linux-x86_64-<hash>`), a plain file name stem.
    pub key: String,
    /// The archive's SHA-256, lowercase hex.
    pub sha256: String,
    /// The archive's size in bytes.
    pub size: u64,
    /// The prefix the tree was built for: absolute, not `/`, no `.`/`..`, no trailing `/`.
    pub prefix: String,
    /// When the artifact was made (`created`, Unix seconds; 0 when missing or not a number,
    /// which sorts it first: it is optional, for listings only).
    pub created: u64,
    /// Every `key = value` pair in order (including the ones above).
    pub fields: Vec<(String, String)>,
}

impl Manifest {
    /// A manifest for a new artifact, with `extra` fields (what the key was made of) first.
    pub fn new(
        key: &str,
        sha256: &str,
        size: u64,
        prefix: &str,
        extra: &[(String, String)],
    ) -> Result<Manifest, String> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: &str| {
            let v = v.replace(['\n', '\r'], " ");
            match fields.iter_mut().find(|(f, _)| f == k) {
                Some(f) => f.1 = v,
                None => fields.push((k.to_string(), v)),
            }
        };
        for (k, v) in extra {
            set(k, v);
        }
        set("key", key);
        set("archive", &format!("{key}.{}", super::artifact::EXT));
        set("sha256", sha256);
        set("size", &size.to_string());
        set("prefix", prefix);
        Manifest::from_fields(fields)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn to_text(&self) -> String {
        self.fields
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }

    /// Parse and check a manifest's text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        if text.len() as u64 > MAX_BYTES {
            return Err(format!(
                "the manifest is larger than {} KiB",
                MAX_BYTES >> 10
            ));
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        for (k, v) in text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
        {
            if fields.iter().any(|(f, _)| *f == k) {
                return Err(format!("the manifest names `{k}` twice"));
            }
            fields.push((k, v));
        }
        Manifest::from_fields(fields)
    }

    fn from_fields(fields: Vec<(String, String)>) -> Result<Manifest, String> {
        let get = |k: &str| {
            fields
                .iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| format!("the manifest has no `{k}`"))
        };
        let key = get("key")?;
        if key.is_empty()
            || key.len() > 200
            || key.starts_with('.')
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
        {
            return Err(format!("the manifest's key `{key}` is not a plain name"));
        }
        let sha256 = get("sha256")?;
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!(
                "the manifest's sha256 `{sha256}` is not 64 hex digits"
            ));
        }
        let size = get("size")?;
        let size: u64 = size
            .parse()
            .map_err(|_| format!("the manifest's size `{size}` is not a number of bytes"))?;
        let prefix = check_prefix(get("prefix")?)?;
        let created = get("created")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Ok(Manifest {
            key: key.to_string(),
            sha256: sha256.to_string(),
            size,
            prefix,
            created,
            fields,
        })
    }
}

/// An absolute directory other than `/`, without `.`/`..` components or control characters,
/// as written without a trailing `/`.
fn check_prefix(raw: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("the manifest's prefix `{raw}` {why}"));
    if !raw.starts_with('/') {
        return bad("is not an absolute path");
    }
    if raw.chars().any(char::is_control) {
        return bad("contains control characters");
    }
    let trimmed = raw.trim_end_matches('/');
    if trimmed.is_empty() {
        return bad("is the root directory");
    }
    if trimmed[1..]
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return bad("has an empty, `.` or `..` component");
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn text(prefix: &str) -> String {
        format!("key = cpython-3.99.1-k\nsha256 = {SHA}\nsize = 12\nprefix = {prefix}\nextra=1\n")
    }

    #[test]
    fn round_trip() {
        let extra = [("name".to_string(), "3.99.1".to_string())];
        let m = Manifest::new("cpython-3.99.1-k", SHA, 12, "/x/y", &extra).unwrap();
        let back = Manifest::parse(&m.to_text()).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            (back.size, back.prefix.as_str(), back.get("name")),
            (12, "/x/y", Some("3.99.1"))
        );
        let p = Manifest::parse(&format!("# c\n{}", text("/a/b/"))).unwrap();
        assert_eq!((p.prefix.as_str(), p.get("extra")), ("/a/b", Some("1")));
        assert_eq!(p.created, 0);
        let dated = Manifest::parse(&format!("{}created = 1700000000\n", text("/a"))).unwrap();
        assert_eq!(dated.created, 1_700_000_000);
        let undated = Manifest::parse(&format!("{}created = soon\n", text("/a"))).unwrap();
        assert_eq!(undated.created, 0);
    }

    #[test]
    fn what_relocation_cannot_use_is_refused() {
        for (prefix, why) in [
            ("", "not an absolute path"),
            ("/", "root directory"),
            ("//", "root directory"),
            ("relative/p", "not an absolute path"),
            ("/a/../b", "`..`"),
            ("/a//b", "empty"),
        ] {
            let e = Manifest::parse(&text(prefix)).unwrap_err();
            assert!(e.contains(why), "{prefix:?}: {e}");
        }
        let no_prefix = text("/p").replace("prefix = /p\n", "");
        assert!(Manifest::parse(&no_prefix)
            .unwrap_err()
            .contains("no `prefix`"));
        let bad_sha = text("/p").replace(SHA, "abc");
        assert!(Manifest::parse(&bad_sha).unwrap_err().contains("sha256"));
        let bad_size = text("/p").replace("size = 12", "size = -1");
        assert!(Manifest::parse(&bad_size).unwrap_err().contains("size"));
        let bad_key = text("/p").replace("cpython-3.99.1-k", "../escape");
        assert!(Manifest::parse(&bad_key)
            .unwrap_err()
            .contains("plain name"));
        let twice = format!("{}prefix = /q\n", text("/p"));
        assert!(Manifest::parse(&twice).unwrap_err().contains("twice"));
        let huge = format!("{}{}", text("/p"), "#".repeat(MAX_BYTES as usize));
        assert!(Manifest::parse(&huge).unwrap_err().contains("64 KiB"));
    }
}
