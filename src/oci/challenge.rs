//! A registry's `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or
//! `Basic realm="…"`. Parameters are parsed as RFC 7235 auth-params: token or quoted-string
//! values (with `\` escapes), commas inside quotes kept, spaces around `=` and `,` allowed,
//! names case-insensitive.

/// How the registry wants to be spoken to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// Get a token from `realm` (with `service` and `scope` as query parameters).
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
}

/// Parses one challenge header; `None` for schemes pyv does not speak or a Bearer without a
/// realm.
pub fn parse(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (&header[..i], &header[i..]),
        None => (header, ""),
    };
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = params(rest)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    Some(Challenge::Bearer {
        realm: get("realm").filter(|r| !r.is_empty())?,
        service: get("service"),
        scope: get("scope"),
    })
}

/// `name=value` pairs separated by commas; `None` when the text is not that.
fn params(text: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars
            .peek()
            .is_some_and(|c| c.is_ascii_whitespace() || *c == ',')
        {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_ascii_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') || name.is_empty() {
            return None;
        }
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_ascii_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(realm: &str, service: Option<&str>, scope: Option<&str>) -> Option<Challenge> {
        Some(Challenge::Bearer {
            realm: realm.into(),
            service: service.map(Into::into),
            scope: scope.map(Into::into),
        })
    }

    #[test]
    fn bearer_challenges_as_registries_send_them() {
        assert_eq!(
            parse(
                r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:team/x:pull""#
            ),
            bearer(
                "https://ghcr.io/token",
                Some("ghcr.io"),
                Some("repository:team/x:pull")
            )
        );
        // Commas inside quotes (two actions), spaces, case, escapes, token values.
        assert_eq!(
            parse(
                r#"bearer  Realm = "https://a/t?x=1" , scope="repository:r:pull,push", service=reg\ "#
            ),
            bearer(
                "https://a/t?x=1",
                Some(r"reg\"),
                Some("repository:r:pull,push")
            )
        );
        assert_eq!(
            parse(r#"Bearer realm="a\"b",service="s""#),
            bearer("a\"b", Some("s"), None)
        );
    }

    #[test]
    fn basic_and_what_is_not_understood() {
        assert_eq!(
            parse(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse("Negotiate abc"), None);
        assert_eq!(parse(r#"Bearer service="s""#), None);
        assert_eq!(parse(r#"Bearer realm="unterminated"#), None);
        assert_eq!(parse("Bearer =x"), None);
    }
}
