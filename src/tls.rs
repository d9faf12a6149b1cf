//! Which certificate authorities pyv trusts, and how a certificate nobody vouches for is told.
//!
//! The roots (see docs/networks.md):
//! - default: the roots bundled in pyv (webpki-roots, Mozilla's list) **and** the system's:
//!   `SSL_CERT_FILE` and/or `SSL_CERT_DIR` when set (they replace the OS store, as they do for
//!   OpenSSL and curl), else the OS store (`/etc/ssl/certs/ca-certificates.crt` and the other
//!   places OpenSSL looks, read by rustls-native-certs);
//! - `PYV_TLS_ROOTS=system`: only the system's (`SSL_CERT_FILE`/`SSL_CERT_DIR`, else the OS
//!   store), for a network whose proxy re-signs everything and a policy that trusts only that;
//! - `PYV_TLS_ROOTS=bundled`: only the bundled roots (the variables and the OS store are not
//!   read), pyv's behaviour before it read the system's.
//!
//! A `SSL_CERT_FILE` that does not exist or holds no certificate, an `SSL_CERT_DIR` that is not
//! a directory or holds none, is an error naming the variable: trusting less than was asked
//! silently would turn into an "unknown issuer" much later and far from its cause.
//!
//! The verifier is rustls' own (webpki), wrapped: when it finds no root for a chain, the error
//! carries the name of the issuer the chain stops at, so the one line pyv prints can say whom
//! to trust (a company proxy's CA, a self-signed mirror).

use pyv_core::env_vars::EnvVars;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Where the roots come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// Bundled plus the system's (the default).
    Both,
    /// The system's only.
    System,
    /// The bundled ones only.
    Bundled,
}

impl Roots {
    /// `PYV_TLS_ROOTS`, read from the environment.
    pub fn from_env() -> Result<Roots, String> {
        match std::env::var(EnvVars::PYV_TLS_ROOTS) {
            Err(_) => Ok(Roots::Both),
            Ok(v) => Roots::parse(&v),
        }
    }

    fn parse(v: &str) -> Result<Roots, String> {
        match v.trim() {
            "" => Ok(Roots::Both),
            "system" => Ok(Roots::System),
            "bundled" => Ok(Roots::Bundled),
            other => Err(format!(
                "{}=`{}` is neither `system` nor `bundled` (hint: unset it to trust both the \
                 system's roots and pyv's bundled ones)",
                EnvVars::PYV_TLS_ROOTS,
                pyv_core::report::escape(other)
            )),
        }
    }
}

/// The TLS configuration every client uses (built once per process).
pub fn config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG.get_or_init(build).clone()
}

fn build() -> Result<rustls::ClientConfig, String> {
    let roots = Roots::from_env()?;
    let mut store = RootCertStore::empty();
    if roots != Roots::Bundled {
        for der in system_certs()? {
            // One odd certificate in the OS store (an expired format, a duplicate) is skipped,
            // as OpenSSL skips it.
            let _ = store.add(der);
        }
    }
    if roots != Roots::System {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
        .build()
        .map_err(|e| match roots {
            Roots::System => format!(
                "no certificate authority to trust: the system's store is empty ({e}) (hint: \
                 install the `ca-certificates` package, set SSL_CERT_FILE to a CA bundle, or \
                 unset {})",
                EnvVars::PYV_TLS_ROOTS
            ),
            _ => format!("cannot set up TLS: {e}"),
        })?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier { inner }))
        .with_no_client_auth();
    Ok(config)
}

/// The system's roots: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the OS store.
fn system_certs() -> Result<Vec<CertificateDer<'static>>, String> {
    let file = std::env::var_os(EnvVars::SSL_CERT_FILE).filter(|v| !v.is_empty());
    let dir = std::env::var_os(EnvVars::SSL_CERT_DIR).filter(|v| !v.is_empty());
    if file.is_none() && dir.is_none() {
        // The OS store; what cannot be read there is the system's business (an empty store
        // still leaves the bundled roots, or is said when only the system's are asked for).
        return Ok(rustls_native_certs::load_native_certs().certs);
    }
    let mut certs = Vec::new();
    if let Some(file) = file {
        certs.extend(bundle(EnvVars::SSL_CERT_FILE, Path::new(&file))?);
    }
    if let Some(dir) = dir {
        certs.extend(directory(Path::new(&dir))?);
    }
    Ok(certs)
}

/// The certificates of the PEM bundle `path` named by `var`: at least one.
fn bundle(var: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = pyv_core::report::shown(path);
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "{var}=`{shown}` cannot be read: {} (hint: point {var} at a PEM file of CA \
             certificates, or unset it to use the system store)",
            reason(&e)
        )
    })?;
    let certs = pem_certs(&bytes);
    if certs.is_empty() {
        return Err(format!(
            "{var}=`{shown}` holds no PEM certificate (hint: point {var} at a PEM file of CA \
             certificates, `-----BEGIN CERTIFICATE-----` blocks, or unset it to use the system \
             store)"
        ));
    }
    Ok(certs)
}

/// The certificates in the files of `SSL_CERT_DIR` (OpenSSL's hashed `*.0` links, or any PEM
/// files): at least one.
fn directory(dir: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let var = EnvVars::SSL_CERT_DIR;
    let shown = pyv_core::report::shown(dir);
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{var}=`{shown}` cannot be read: {} (hint: point {var} at a directory of PEM CA \
             certificates, or unset it to use the system store)",
            reason(&e)
        )
    })?;
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut certs = Vec::new();
    for p in paths {
        if p.is_file() {
            if let Ok(bytes) = std::fs::read(&p) {
                certs.extend(pem_certs(&bytes));
            }
        }
    }
    if certs.is_empty() {
        return Err(format!(
            "{var}=`{shown}` holds no PEM certificate (hint: point {var} at a directory of PEM \
             CA certificates, or unset it to use the system store)"
        ));
    }
    Ok(certs)
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn pem_certs(bytes: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .collect()
}

/// rustls' verifier, naming the issuer when no trusted root vouches for the chain.
#[derive(Debug)]
struct Verifier {
    inner: Arc<WebPkiServerVerifier>,
}

/// The chain a server sent stops at `issuer`, which no trusted root is.
#[derive(Debug)]
pub struct UnknownIssuer {
    pub issuer: Option<String>,
}

impl std::fmt::Display for UnknownIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.issuer {
            Some(i) => write!(f, "certificate issued by an unknown authority `{i}`"),
            None => write!(f, "certificate issued by an unknown authority"),
        }
    }
}

impl std::error::Error for UnknownIssuer {}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                    // The top of the chain sent: its issuer is the root nobody here trusts.
                    let top = intermediates.last().unwrap_or(end_entity);
                    rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
                        Arc::new(UnknownIssuer {
                            issuer: issuer_name(top),
                        }),
                    )))
                }
                e => e,
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// One DER element: (tag, contents, what follows).
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &d| (a << 8) | d as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The issuer of a DER certificate, as its common name (else its organization), if it has one.
pub fn issuer_name(cert: &[u8]) -> Option<String> {
    let (_, certificate, _) = tlv(cert)?;
    let (_, mut tbs, _) = tlv(certificate)?;
    // [0] version (optional), serial number, signature algorithm, then the issuer.
    let (tag, _, rest) = tlv(tbs)?;
    if tag == 0xa0 {
        tbs = rest;
        tbs = tlv(tbs)?.2;
    } else {
        tbs = rest;
    }
    let (_, _, rest) = tlv(tbs)?;
    let (_, mut name, _) = tlv(rest)?;
    let (mut cn, mut org) = (None, None);
    while let Some((_, set, next)) = tlv(name) {
        name = next;
        let mut set = set;
        while let Some((_, atv, more)) = tlv(set) {
            set = more;
            let Some((0x06, oid, value)) = tlv(atv) else {
                continue;
            };
            let Some((_, text, _)) = tlv(value) else {
                continue;
            };
            let text = String::from_utf8_lossy(text).into_owned();
            match oid {
                [0x55, 0x04, 0x03] => cn = Some(text),
                [0x55, 0x04, 0x0a] => org = Some(text),
                _ => {}
            }
        }
    }
    cn.or(org)
}

/// The [`UnknownIssuer`] somewhere in the causes of `e`, if that is why it failed.
pub fn unknown_issuer<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a UnknownIssuer> {
    let mut src = Some(e);
    while let Some(inner) = src {
        if let Some(rustls::Error::InvalidCertificate(CertificateError::Other(o))) =
            inner.downcast_ref::<rustls::Error>()
        {
            if let Some(u) = o.0.downcast_ref::<UnknownIssuer>() {
                return Some(u);
            }
        }
        // An io::Error's `source()` skips what it wraps: look inside.
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            if let Some(found) = io.get_ref().and_then(|i| unknown_issuer(i)) {
                return Some(found);
            }
        }
        src = inner.source();
    }
    None
}

/// The one line for a server whose certificate no trusted root vouches for.
pub fn unknown_issuer_line(host: &str, u: &UnknownIssuer) -> String {
    let by = match &u.issuer {
        Some(i) => format!("issued by `{}`", pyv_core::report::escape(i)),
        None => "issued by an authority it does not name".to_string(),
    };
    format!(
        "the certificate of `{}` is {by}, which pyv does not trust (hint: a company proxy or a \
         private mirror re-signs with its own CA: add that CA to the system store \
         (update-ca-certificates), or set SSL_CERT_FILE to a PEM bundle holding it)",
        pyv_core::report::escape(host)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_parse() {
        assert_eq!(Roots::parse("system"), Ok(Roots::System));
        assert_eq!(Roots::parse(" bundled "), Ok(Roots::Bundled));
        assert_eq!(Roots::parse(""), Ok(Roots::Both));
        let e = Roots::parse("native\x1b[31m").unwrap_err();
        assert!(e.contains("PYV_TLS_ROOTS=`native\\u{1b}[31m`"), "{e}");
    }

    #[test]
    fn junk_has_no_issuer() {
        assert_eq!(issuer_name(b"\x30\x00"), None);
        assert_eq!(issuer_name(b""), None);
        assert_eq!(issuer_name(b"\x30\x84\xff\xff\xff\xff"), None);
        assert_eq!(issuer_name(b"\x30\x03\x30\x01\x02"), None);
    }
}
