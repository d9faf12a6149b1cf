//! The one HTTP client configuration pyv uses (downloads, the release API, artifact mirrors),
//! and the one way a failed request is described to people.

use std::time::Duration;

/// A blocking client with pyv's user agent, a 15 s connect timeout and `read_timeout` per read
/// (in the blocking client `timeout` bounds each read, not the whole transfer).
pub fn client(read_timeout: Duration) -> reqwest::Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .user_agent(concat!("pyv/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .timeout(read_timeout)
        .build()
}

/// A reqwest error as one short phrase with its causes ("cannot connect: ... refused"), not
/// just "error sending request".
pub fn describe(e: &reqwest::Error) -> String {
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
