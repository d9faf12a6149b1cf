//! How pyv spells a digest: lowercase hex for SHA-256 sums (downloads, the artifact cache's
//! keys, template keys). One function, so every place writes the same spelling. The shim crate
//! (std-only) has none and needs none.

/// `bytes` as lowercase hex, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_lowercase_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab, 0xff, 0x10]), "000fabff10");
        assert_eq!(hex(&[]), "");
    }
}
