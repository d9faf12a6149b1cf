//! A build key as an OCI tag. Tags are `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`; keys are plain
//! file-name stems of up to 200 characters. The mapping: every character outside
//! `[A-Za-z0-9._-]` becomes `_`; a leading `.` or `-` gets a `_` in front; a result longer
//! than 128 characters keeps its first 111 and ends in `-` plus the first 16 hex digits of the
//! key's SHA-256, so two long keys never share a tag. A key that already is a valid tag (every
//! key pyv makes today: `cpython-3.12.1-linux-x86_64-<hash>`) is its own tag.

use sha2::{Digest, Sha256};

pub const MAX: usize = 128;

/// The tag for build key `key`.
pub fn for_key(key: &str) -> String {
    let mut tag: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if tag.is_empty() || tag.starts_with(['.', '-']) {
        tag.insert(0, '_');
    }
    if tag.len() > MAX {
        let sum = crate::digest::hex(&Sha256::digest(key.as_bytes()));
        tag.truncate(MAX - 17);
        tag.push('-');
        tag.push_str(&sum[..16]);
    }
    tag
}

/// Whether `tag` is in the tag grammar.
pub fn is_valid(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= MAX
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_is_a_tag_stays_itself() {
        let key = "cpython-3.12.1-linux-x86_64-0123456789abcdef";
        assert_eq!(for_key(key), key);
    }

    #[test]
    fn every_key_maps_into_the_grammar_and_long_keys_stay_apart() {
        for key in ["", ".hidden", "-dash", "a+b~c", "é", "a b"] {
            let t = for_key(key);
            assert!(is_valid(&t), "{key:?} -> {t:?}");
        }
        assert_eq!(for_key("a+b"), "a_b");
        assert_eq!(for_key(".x"), "_.x");
        let a = format!("{}a", "k".repeat(199));
        let b = format!("{}b", "k".repeat(199));
        let (ta, tb) = (for_key(&a), for_key(&b));
        assert!(is_valid(&ta) && is_valid(&tb));
        assert_eq!(ta.len(), MAX);
        assert_ne!(ta, tb);
        assert!(!is_valid(&"x".repeat(129)) && !is_valid("-x") && !is_valid(".x"));
    }
}
