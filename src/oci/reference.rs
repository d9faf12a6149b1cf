//! `oci://HOST[:PORT]/REPO[/...][:TAG]`-less references, validated by the distribution spec's
//! grammar: a repository name is path components of `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
//! joined by `/`, 255 characters at most; the host is a DNS name, an IPv4 address or a
//! bracketed IPv6 address, with an optional port.

use std::fmt;

/// A parsed `oci://` reference: where the registry is and which repository in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host` or `host:port` as written (IPv6 in brackets), lowercase.
    pub registry: String,
    /// The host alone (no brackets, no port), lowercase.
    pub host: String,
    pub port: Option<u16>,
    /// The repository path, e.g. `team/pyv-builds`.
    pub repository: String,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)
    }
}

impl Reference {
    /// Parses `text` (from `source`, e.g. `PYV_ARTIFACT_MIRROR` or the command line). The error
    /// is one line naming the value (escaped) and its source, with a hint.
    pub fn parse(text: &str, source: &str) -> Result<Reference, String> {
        let fail = |why: &str| {
            format!(
                "{source}: `{}` is not an OCI reference: {why} (hint: write oci://HOST[:PORT]/REPO, \
                 e.g. oci://ghcr.io/team/pyv-builds)",
                pyv_core::report::escape(text)
            )
        };
        let rest = text
            .strip_prefix("oci://")
            .ok_or_else(|| fail("it does not start with oci://"))?;
        let (authority, repository) = rest
            .split_once('/')
            .ok_or_else(|| fail("there is no repository after the registry"))?;
        let (host, port) = split_authority(authority).map_err(|why| fail(&why))?;
        check_repository(repository).map_err(|why| fail(&why))?;
        let host = host.to_ascii_lowercase();
        let shown_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let registry = match port {
            Some(p) => format!("{shown_host}:{p}"),
            None => shown_host,
        };
        Ok(Reference {
            registry,
            host,
            port,
            repository: repository.to_string(),
        })
    }

    /// Whether this registry may be spoken to over plain http: loopback always, else only a
    /// host (or `host:port`) named in `insecure` (`PYV_INSECURE_REGISTRY`, comma-separated).
    pub fn plain_http_allowed(&self, insecure: &str) -> bool {
        if is_loopback(&self.host) {
            return true;
        }
        insecure
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .any(|s| s == self.host || s == self.registry)
    }

    /// `https://registry` (or `http://` where [`Self::plain_http_allowed`]), without a slash.
    pub fn base_url(&self, insecure: &str) -> String {
        let scheme = if self.plain_http_allowed(insecure) {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}", self.registry)
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn split_authority(authority: &str) -> Result<(&str, Option<u16>), String> {
    if authority.is_empty() {
        return Err("the registry host is empty".into());
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inner, after) = rest
            .split_once(']')
            .ok_or("an IPv6 host lacks its closing `]`")?;
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`{inner}` is not an IPv6 address"));
        }
        match after {
            "" => (inner, None),
            p => (
                inner,
                Some(p.strip_prefix(':').ok_or("junk after the IPv6 host")?),
            ),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(format!("the port `{}` is not a number 1-65535", esc(p))),
        },
    };
    if !authority.starts_with('[') {
        let labels_ok = host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !labels_ok {
            return Err(format!(
                "the host `{}` is not a DNS name or address",
                esc(host)
            ));
        }
    }
    Ok((host, port))
}

fn esc(s: &str) -> String {
    pyv_core::report::escape(s).into_owned()
}

/// The distribution spec's repository name grammar.
fn check_repository(repo: &str) -> Result<(), String> {
    if repo.is_empty() {
        return Err("the repository is empty".into());
    }
    if repo.len() > 255 {
        return Err("the repository is longer than 255 characters".into());
    }
    for component in repo.split('/') {
        if !component_ok(component) {
            return Err(format!(
                "the repository component `{}` is not lowercase letters and digits joined by \
                 `.`, `_`, `__` or dashes",
                esc(component)
            ));
        }
    }
    Ok(())
}

fn component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: `.`, `_`, `__` or one or more `-`, then an alphanumeric.
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Reference, String> {
        Reference::parse(s, "PYV_ARTIFACT_MIRROR")
    }

    #[test]
    fn good_references() {
        let r = p("oci://ghcr.io/team/pyv-builds").unwrap();
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.port, None);
        assert_eq!(r.repository, "team/pyv-builds");
        assert_eq!(r.to_string(), "oci://ghcr.io/team/pyv-builds");
        let r = p("oci://127.0.0.1:5000/a/b__c/d.e-f--g").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("127.0.0.1", Some(5000)));
        assert_eq!(r.registry, "127.0.0.1:5000");
        let r = p("oci://[::1]:5000/x").unwrap();
        assert_eq!(
            (r.host.as_str(), r.registry.as_str()),
            ("::1", "[::1]:5000")
        );
        assert_eq!(
            p("oci://Registry.Example.COM/x").unwrap().host,
            "registry.example.com"
        );
    }

    #[test]
    fn bad_references_name_value_and_source() {
        for bad in [
            "https://ghcr.io/x",
            "oci://ghcr.io",
            "oci://ghcr.io/",
            "oci:///x",
            "oci://ghcr.io:0/x",
            "oci://ghcr.io:99999/x",
            "oci://ghcr.io:5o/x",
            "oci://gh_cr.io/x",
            "oci://[::1/x",
            "oci://[nothex]/x",
            "oci://ghcr.io/Team/x",
            "oci://ghcr.io/a//b",
            "oci://ghcr.io/a/",
            "oci://ghcr.io/-a",
            "oci://ghcr.io/a___b",
            "oci://ghcr.io/a._b",
            "oci://ghcr.io/a:tag",
            "oci://ghcr.io/a\u{1b}[31m",
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.starts_with("PYV_ARTIFACT_MIRROR: `"), "{e}");
            assert!(e.contains("hint:"), "{e}");
            assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e:?}");
        }
        let long = format!("oci://h/{}", "a".repeat(256));
        assert!(p(&long).unwrap_err().contains("255"));
    }

    #[test]
    fn plain_http_only_for_loopback_and_named_hosts() {
        let loopback = [
            "oci://localhost:5000/x",
            "oci://127.0.0.1/x",
            "oci://[::1]:1/x",
        ];
        for s in loopback {
            assert_eq!(&p(s).unwrap().base_url("")[..7], "http://", "{s}");
        }
        let r = p("oci://reg.corp:5000/x").unwrap();
        assert_eq!(r.base_url(""), "https://reg.corp:5000");
        assert_eq!(r.base_url("other.corp"), "https://reg.corp:5000");
        assert_eq!(r.base_url("other, REG.corp"), "http://reg.corp:5000");
        assert_eq!(r.base_url("reg.corp:5000"), "http://reg.corp:5000");
        assert_eq!(r.base_url("reg.corp:6000"), "https://reg.corp:5000");
    }
}
