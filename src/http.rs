//! The one HTTP client configuration pyv uses (downloads, the release API, artifact mirrors),
//! the bounds every transfer lives within, and the one way a failed request is described.
//!
//! Bounds (each can be lowered or raised through the environment, in seconds):
//! - connecting: [`Limits::connect`] (`PYV_HTTP_CONNECT_TIMEOUT`, default 10 s);
//! - a stall: the server sending less than [`MIN_RATE`] bytes per second over a window of
//!   [`Limits::stall`] (`PYV_HTTP_STALL_TIMEOUT`, default 30 s), or nothing at all for that
//!   long (headers included): a firewall that accepts and never answers, a drip of one byte
//!   every 20 s;
//! - the whole request, headers to last byte: [`Limits::deadline`] (`PYV_HTTP_TIMEOUT`,
//!   default 120 s for small documents such as the release API or a manifest, 1 hour for
//!   downloads);
//! - the size of the body: [`Body`] stops at a cap (small documents: their own cap; downloads:
//!   what the manifest says, else a ceiling).
//!
//! A request that has not been answered after [`NOTICE_AFTER`] says what it is waiting for.

use pyv_core::env_vars::EnvVars;
use std::io::{self, Read};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Below this rate (bytes per second, averaged over the stall window) a transfer has stalled.
pub const MIN_RATE: u64 = 1024;

/// How long a request may go unanswered before pyv says what it is waiting for.
pub const NOTICE_AFTER: Duration = Duration::from_secs(2);

/// The longest any of [`Limits`] may be set to (a year): what an environment variable asks
/// beyond that is taken as this.
pub const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a request may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect: Duration,
    pub stall: Duration,
    pub deadline: Duration,
}

/// The kind of transfer, for its default deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A small document: the release API, a manifest (2 minutes).
    Document,
    /// An archive (1 hour).
    Download,
}

impl Limits {
    /// The limits for `kind`, with the environment's overrides.
    pub fn from_env(kind: Kind) -> Limits {
        let secs = |var: &str, default: u64| {
            let v = env_positive(var, &format!("{default} s"));
            // Longer than a year is as good as no limit (and `1e30` would not fit a Duration).
            v.map_or(Duration::from_secs(default), |v| {
                Duration::from_secs_f64(v.min(LONGEST.as_secs_f64()))
            })
        };
        Limits {
            connect: secs(EnvVars::PYV_HTTP_CONNECT_TIMEOUT, 10),
            stall: secs(EnvVars::PYV_HTTP_STALL_TIMEOUT, 30),
            deadline: secs(
                EnvVars::PYV_HTTP_TIMEOUT,
                match kind {
                    Kind::Document => 120,
                    Kind::Download => 3600,
                },
            ),
        }
    }
}

/// The positive number in the environment variable `var`, if set. Anything else is said in one
/// line (the variable, its value and `default`, what is used instead) and ignored.
pub fn env_positive(var: &str, default: &str) -> Option<f64> {
    let raw = std::env::var(var).ok()?;
    let v = raw
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0);
    if v.is_none() {
        crate::ui::err(&format!(
            "pyv: warning: {var}=`{}` is not a positive number; using {default} (hint: unset it, \
             or set a number such as `60`)",
            raw.escape_debug()
        ));
    }
    v
}

/// A blocking client with pyv's user agent and `limits` (reqwest's own timeout bounds the wait
/// for the headers and each read of the body: the stall window), trusting the roots
/// [`crate::tls`] chose, through the proxy the environment names (reqwest reads `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` and their lower-case forms). Every request pyv sends
/// goes through a client made here. The error is one line naming what is wrong.
pub fn client(limits: &Limits) -> Result<reqwest::blocking::Client, String> {
    let tls = crate::tls::config()?;
    reqwest::blocking::Client::builder()
        .user_agent(concat!("pyv/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(limits.connect)
        .timeout(limits.stall)
        .use_preconfigured_tls(tls)
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {}", describe(&e)))
}

/// Send `req` for `url`; when no answer came after [`NOTICE_AFTER`], `say` is told once what
/// pyv is waiting for.
pub fn send(
    req: reqwest::blocking::RequestBuilder,
    url: &str,
    limits: &Limits,
    say: &(dyn Fn(&str) + Sync),
) -> reqwest::Result<reqwest::blocking::Response> {
    let (done, waiting) = mpsc::channel::<()>();
    std::thread::scope(|s| {
        s.spawn(move || {
            if waiting.recv_timeout(NOTICE_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
                say(&format!(
                    "waiting for {} to answer {url} (gives up after {} without an answer)",
                    host_of(url),
                    crate::ui::human_duration(limits.connect + limits.stall)
                ));
            }
        });
        let r = req.send();
        drop(done);
        r
    })
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// Why a body was cut short by its bounds (inside the `io::Error` [`Body`] returns).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("timed out: the transfer took longer than {}", crate::ui::human_duration(*.0))]
    Deadline(Duration),
    #[error(
        "timed out: the server sent {bytes} bytes in {} (stalled, under {MIN_RATE} bytes/s)",
        crate::ui::human_duration(*.window)
    )]
    Stalled { bytes: u64, window: Duration },
    #[error("timed out: no data for {}", crate::ui::human_duration(*.0))]
    Silent(Duration),
    #[error("the answer is larger than {} bytes, more than it can be", .0)]
    TooLarge(u64),
}

impl BodyError {
    /// The bound an I/O error from [`Body`] reports, if it is one.
    pub fn of(e: &io::Error) -> Option<&BodyError> {
        e.get_ref().and_then(|i| i.downcast_ref::<BodyError>())
    }
}

/// A response body read within `limits` (deadline counted from `started`) and at most `max`
/// bytes; a breach is an `io::Error` holding a [`BodyError`].
pub struct Body<R> {
    inner: R,
    limits: Limits,
    started: Instant,
    window_start: Instant,
    window_bytes: u64,
    total: u64,
    max: u64,
}

impl<R: Read> Body<R> {
    pub fn new(inner: R, limits: Limits, started: Instant, max: u64) -> Body<R> {
        Body {
            inner,
            limits,
            started,
            window_start: Instant::now(),
            window_bytes: 0,
            total: 0,
            max,
        }
    }

    fn fail(e: BodyError) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, e)
    }
}

impl<R: Read> Read for Body<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.started.elapsed() > self.limits.deadline {
            return Err(Body::<R>::fail(BodyError::Deadline(self.limits.deadline)));
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) if is_timeout(&e) => {
                return Err(Body::<R>::fail(BodyError::Silent(self.limits.stall)))
            }
            Err(e) => return Err(e),
        };
        self.total += n as u64;
        if self.total > self.max {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                BodyError::TooLarge(self.max),
            ));
        }
        self.window_bytes += n as u64;
        let window = self.window_start.elapsed();
        if window >= self.limits.stall {
            if self.window_bytes < MIN_RATE * window.as_secs().max(1) && n > 0 {
                return Err(Body::<R>::fail(BodyError::Stalled {
                    bytes: self.window_bytes,
                    window,
                }));
            }
            self.window_start = Instant::now();
            self.window_bytes = 0;
        }
        Ok(n)
    }
}

/// Whether an I/O error from reqwest's body is its read timeout.
fn is_timeout(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::TimedOut {
        return true;
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|i| i as _);
    while let Some(inner) = src {
        if inner
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        src = inner.source();
    }
    false
}

/// The whole body of a small document (at most `max` bytes) within `limits`.
pub fn read_small(
    resp: reqwest::blocking::Response,
    limits: Limits,
    started: Instant,
    max: u64,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    Body::new(resp, limits, started, max)
        .read_to_end(&mut body)
        .map_err(|e| match BodyError::of(&e) {
            Some(b) => b.to_string(),
            None => format!("connection lost: {e}"),
        })?;
    Ok(body)
}

/// How long a `Retry-After` answer is waited for, at most (once).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wait a 429/503 answer asks for (`Retry-After: <seconds>`), if it asks for one.
pub fn retry_after(resp: &reqwest::blocking::Response) -> Option<Duration> {
    resp.headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The proxy (`host:port`, never its credentials) the environment sends `url` through, and
/// whether its URL carries credentials: reqwest's own rules (`HTTPS_PROXY`, `HTTP_PROXY`,
/// `ALL_PROXY`, `NO_PROXY`, upper case first).
pub fn proxy_for(url: &str) -> Option<(String, bool)> {
    let uri: http::Uri = url.parse().ok()?;
    let i = hyper_util::client::proxy::matcher::Matcher::from_env().intercept(&uri)?;
    let p = i.uri();
    let host = p.host().unwrap_or("?");
    let shown = match p.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    Some((shown, i.basic_auth().is_some()))
}

/// A request that failed at the proxy, said in one line, if that is where it failed.
pub fn proxy_failure(e: &reqwest::Error) -> Option<String> {
    let url = e.url()?;
    let (proxy, has_credentials) = proxy_for(url.as_str())?;
    let proxy = pyv_core::report::escape(&proxy).into_owned();
    let host = pyv_core::report::escape(url.host_str().unwrap_or("?")).into_owned();
    let vars = format!(
        "{}, {}, {} (and lower case)",
        EnvVars::HTTPS_PROXY,
        EnvVars::HTTP_PROXY,
        EnvVars::ALL_PROXY
    );
    let mut chain = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(inner) = src {
        chain.push(inner);
        src = inner.source();
    }
    let text: Vec<String> = chain.iter().map(|c| c.to_string()).collect();
    let said = |needle: &str| text.iter().any(|t| t.contains(needle));
    let refused = chain.iter().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::ConnectionRefused)
    });
    if said("proxy authorization required") {
        return Some(if has_credentials {
            format!(
                "the proxy `{proxy}` refused the credentials in its URL (407 Proxy Authentication Required) (hint: check the user and password in {vars})"
            )
        } else {
            format!(
                "the proxy `{proxy}` asks for credentials (407 Proxy Authentication Required) (hint: give them in the proxy URL, `http://user:password@host:port`, in {vars})"
            )
        });
    }
    if refused {
        return Some(format!(
            "the proxy `{proxy}` refused the connection (nothing listens there) (hint: check {vars}, or name `{host}` in {} to reach it directly)",
            EnvVars::NO_PROXY
        ));
    }
    if said("tunnel error: unsuccessful") && has_credentials {
        return Some(format!(
            "the proxy `{proxy}` refused to connect to `{host}` (hint: check the credentials in \
             its URL in {vars}; or its rules may not allow `{host}`: name it in {} to reach it \
             directly)",
            EnvVars::NO_PROXY
        ));
    }
    if said("tunnel error: unsuccessful") {
        return Some(format!(
            "the proxy `{proxy}` refused to connect to `{host}` (hint: the proxy's rules may not allow it; name `{host}` in {} to reach it directly)",
            EnvVars::NO_PROXY
        ));
    }
    if said("tunnel error") {
        let last = text.last().cloned().unwrap_or_default();
        return Some(format!(
            "the proxy `{proxy}` failed: {} (hint: check {vars})",
            pyv_core::report::escape(&last)
        ));
    }
    None
}

/// A reqwest error as one short phrase with its causes ("cannot connect: ... refused"), not
/// just "error sending request".
pub fn describe(e: &reqwest::Error) -> String {
    if let Some(u) = crate::tls::unknown_issuer(e) {
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .map_or("?".to_string(), str::to_string);
        return crate::tls::unknown_issuer_line(&host, u);
    }
    if let Some(p) = proxy_failure(e) {
        return p;
    }
    let mut s = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `chunk` bytes per read, sleeping `pause` first.
    struct Slow {
        chunk: usize,
        pause: Duration,
        left: usize,
    }
    impl Read for Slow {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(self.pause);
            let n = self.chunk.min(buf.len()).min(self.left);
            self.left -= n;
            Ok(n)
        }
    }

    fn limits(stall_ms: u64, deadline_ms: u64) -> Limits {
        Limits {
            connect: Duration::from_secs(1),
            stall: Duration::from_millis(stall_ms),
            deadline: Duration::from_millis(deadline_ms),
        }
    }

    fn read_all(r: impl Read) -> Result<usize, String> {
        let mut v = Vec::new();
        let mut b = r;
        b.read_to_end(&mut v)
            .map(|_| v.len())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_drip_stalls_an_endless_body_is_capped_a_slow_one_hits_the_deadline() {
        let drip = Slow {
            chunk: 1,
            pause: Duration::from_millis(20),
            left: usize::MAX,
        };
        let e = read_all(Body::new(
            drip,
            limits(200, 60_000),
            Instant::now(),
            1 << 30,
        ));
        assert!(e.unwrap_err().contains("stalled"));
        let endless = Slow {
            chunk: 4096,
            pause: Duration::ZERO,
            left: usize::MAX,
        };
        let e = read_all(Body::new(
            endless,
            limits(200, 60_000),
            Instant::now(),
            100_000,
        ));
        assert!(e.unwrap_err().contains("larger than 100000 bytes"));
        let steady = Slow {
            chunk: 64 * 1024,
            pause: Duration::from_millis(30),
            left: usize::MAX,
        };
        let e = read_all(Body::new(
            steady,
            limits(200, 300),
            Instant::now(),
            u64::MAX,
        ));
        assert!(e.unwrap_err().contains("took longer than"));
        let fine = Slow {
            chunk: 4096,
            pause: Duration::ZERO,
            left: 100_000,
        };
        assert_eq!(
            read_all(Body::new(fine, limits(200, 300), Instant::now(), 100_000)),
            Ok(100_000)
        );
    }
}
