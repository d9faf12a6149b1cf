//! A registry client on pyv's one HTTP client ([`crate::http::client`], so its TLS trust and
//! bounds apply): the distribution API calls pyv needs (manifests by tag, blobs by digest,
//! uploads), with Bearer-token and Basic authentication answered as the registry asks.
//!
//! Every failure is one line naming the registry and repository; a 401/403 also says where the
//! credentials came from (or that there were none). No secret or token is ever in a message.

use std::io::{Read, Write};
use std::time::Instant;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

use super::auth::Credentials;
use super::challenge::{self, Challenge};
use super::reference::Reference;
use crate::http::{self, Kind, Limits};

pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The largest manifest or token answer read.
const SMALL_MAX: u64 = 4 << 20;

pub struct Registry {
    pub reference: Reference,
    base: String,
    client: Client,
    limits: Limits,
    creds: Option<Credentials>,
    /// Blobs larger than this go in PATCH chunks of this size.
    pub chunk: u64,
    /// `Authorization` value that worked last (a Bearer token or Basic).
    auth: Option<String>,
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", crate::digest::hex(&Sha256::digest(bytes)))
}

impl Registry {
    pub fn new(
        reference: Reference,
        insecure: &str,
        creds: Option<Credentials>,
    ) -> Result<Registry, String> {
        let limits = Limits::from_env(Kind::Download);
        let client = http::client(&limits)?;
        Ok(Registry {
            base: reference.base_url(insecure),
            reference,
            client,
            limits,
            creds,
            chunk: 16 << 20,
            auth: None,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.reference.repository)
    }

    fn what(&self) -> String {
        format!(
            "registry {} (repository {})",
            self.reference.registry, self.reference.repository
        )
    }

    fn cred_source(&self) -> String {
        match &self.creds {
            Some(c) => format!("credentials of {} from {}", c.user, c.source),
            None => "no credentials (anonymous)".into(),
        }
    }

    /// Sends a request built by `build` (called again after authenticating), answering one
    /// 401 challenge. `scope_action`: `pull` or `pull,push`.
    fn send(
        &mut self,
        scope_action: &str,
        build: &dyn Fn(&Client) -> RequestBuilder,
    ) -> Result<Response, String> {
        let go = |this: &Registry| {
            let mut req = build(&this.client);
            if let Some(a) = &this.auth {
                req = req.header(AUTHORIZATION, a);
            }
            req.send()
                .map_err(|e| format!("{}: {}", this.what(), http::describe(&e.without_url())))
        };
        let resp = go(self)?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return self.refuse(resp);
        }
        let header = resp
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(challenge::parse);
        match header {
            Some(Challenge::Basic) => self.auth = self.basic(),
            Some(Challenge::Bearer { realm, service, .. }) => {
                let scope = format!("repository:{}:{scope_action}", self.reference.repository);
                self.auth = Some(format!("Bearer {}", self.token(&realm, service, &scope)?));
            }
            None => return Err(self.denied(resp.status())),
        }
        if self.auth.is_none() {
            return Err(self.denied(StatusCode::UNAUTHORIZED));
        }
        let resp = go(self)?;
        self.refuse(resp)
    }

    fn refuse(&self, resp: Response) -> Result<Response, String> {
        match resp.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(self.denied(resp.status())),
            _ => Ok(resp),
        }
    }

    fn denied(&self, status: StatusCode) -> String {
        format!(
            "{} refused access ({}) with {} (hint: `docker login {}`, or set {} and {})",
            self.what(),
            status.as_u16(),
            self.cred_source(),
            self.reference.registry,
            pyv_core::env_vars::EnvVars::PYV_REGISTRY_USER,
            pyv_core::env_vars::EnvVars::PYV_REGISTRY_PASSWORD
        )
    }

    fn basic(&self) -> Option<String> {
        use base64::Engine as _;
        let c = self.creds.as_ref()?;
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.user, c.secret))
        ))
    }

    fn token(&self, realm: &str, service: Option<String>, scope: &str) -> Result<String, String> {
        let mut url = reqwest::Url::parse(realm)
            .map_err(|_| format!("{}: its token realm is not a URL", self.what()))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = &service {
                q.append_pair("service", s);
            }
            q.append_pair("scope", scope);
        }
        let mut req = self.client.get(url);
        if let Some(b) = self.basic() {
            req = req.header(AUTHORIZATION, b);
        }
        let started = Instant::now();
        let resp = req.send().map_err(|e| {
            format!(
                "{}: token: {}",
                self.what(),
                http::describe(&e.without_url())
            )
        })?;
        if !resp.status().is_success() {
            return Err(self.denied(resp.status()));
        }
        let body = http::read_small(resp, self.limits, started, SMALL_MAX)
            .map_err(|e| format!("{}: token: {e}", self.what()))?;
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        json.get("token")
            .or_else(|| json.get("access_token"))
            .and_then(|v| v.as_str())
            .map(String::from)
            .ok_or_else(|| format!("{}: the token answer has no token", self.what()))
    }

    /// The manifest `reference` (a tag or digest) points at: `(bytes, digest, media type)`,
    /// `None` when the registry does not have it.
    pub fn manifest(
        &mut self,
        reference: &str,
    ) -> Result<Option<(Vec<u8>, String, String)>, String> {
        let url = self.url(&format!("manifests/{reference}"));
        let resp = self.send("pull", &|c| {
            c.get(&url).header(ACCEPT, format!("{MANIFEST}, {INDEX}"))
        })?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.ok(&resp, "manifest")?;
        let kind = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = http::read_small(resp, self.limits, Instant::now(), SMALL_MAX)
            .map_err(|e| format!("{}: manifest {reference}: {e}", self.what()))?;
        let digest = digest_of(&body);
        if reference.starts_with("sha256:") && reference != digest {
            return Err(format!(
                "{}: manifest {reference} arrived with digest {digest}: refused",
                self.what()
            ));
        }
        Ok(Some((body, digest, kind)))
    }

    fn ok(&self, resp: &Response, what: &str) -> Result<(), String> {
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "{}: {what}: HTTP {}",
                self.what(),
                resp.status().as_u16()
            ))
        }
    }

    /// The repository's tags (the first 10000; none when the repository does not exist).
    pub fn tags(&mut self) -> Result<Vec<String>, String> {
        let url = self.url("tags/list?n=10000");
        let resp = self.send("pull", &|c| c.get(&url))?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        self.ok(&resp, "tags")?;
        let body = http::read_small(resp, self.limits, Instant::now(), SMALL_MAX)
            .map_err(|e| format!("{}: tags: {e}", self.what()))?;
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|_| format!("{}: the tag list is not JSON", self.what()))?;
        Ok(json
            .get("tags")
            .and_then(|t| t.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .filter(|t| super::tag::is_valid(t))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Whether the registry has blob `digest` (a HEAD).
    pub fn has_blob(&mut self, digest: &str) -> Result<bool, String> {
        let url = self.url(&format!("blobs/{digest}"));
        let resp = self.send("pull", &|c| c.head(&url))?;
        Ok(resp.status().is_success())
    }

    /// Streams blob `digest` (`size` bytes) into `out`, checking size and SHA-256 as it goes:
    /// `Err` when the bytes are not the ones asked for (the caller unpacks only after `Ok`).
    pub fn blob_to(&mut self, digest: &str, size: u64, out: &mut dyn Write) -> Result<(), String> {
        let url = self.url(&format!("blobs/{digest}"));
        let resp = self.send("pull", &|c| c.get(&url))?;
        self.ok(&resp, &format!("blob {digest}"))?;
        let mut body = http::Body::new(resp, self.limits, Instant::now(), size);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut got = 0u64;
        loop {
            let n = body.read(&mut buf).map_err(|e| {
                let why = match http::BodyError::of(&e) {
                    Some(b) => b.to_string(),
                    None => format!("connection lost: {e}"),
                };
                format!("{}: blob {digest}: {why}", self.what())
            })?;
            if n == 0 {
                break;
            }
            got += n as u64;
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| format!("writing blob {digest}: {e}"))?;
        }
        let actual = format!("sha256:{}", crate::digest::hex(&hasher.finalize()));
        if got != size || actual != digest {
            return Err(format!(
                "{}: blob {digest} arrived as {got} bytes with digest {actual}: refused, \
                 nothing was unpacked",
                self.what()
            ));
        }
        Ok(())
    }

    /// Uploads `bytes` as blob `digest` unless the registry has it (HEAD first), in one PUT.
    /// `true` when it was sent.
    pub fn push_blob(&mut self, digest: &str, bytes: &[u8]) -> Result<bool, String> {
        if self.has_blob(digest)? {
            return Ok(false);
        }
        let start = self.url("blobs/uploads/");
        let resp = self.send("pull,push", &|c| c.post(&start))?;
        if resp.status() != StatusCode::ACCEPTED {
            return Err(self
                .ok(&resp, "starting an upload")
                .err()
                .unwrap_or_else(|| {
                    format!(
                        "{}: starting an upload: HTTP {}",
                        self.what(),
                        resp.status()
                    )
                }));
        }
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("{}: an upload without a Location", self.what()))?;
        let mut url = reqwest::Url::parse(&self.base)
            .and_then(|b| b.join(location))
            .map_err(|_| format!("{}: an upload Location that is not a URL", self.what()))?;
        url.query_pairs_mut().append_pair("digest", digest);
        let body = bytes.to_vec();
        let resp = self.send("pull,push", &|c| {
            c.request(Method::PUT, url.clone())
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body.clone())
        })?;
        self.ok(&resp, &format!("uploading blob {digest}"))?;
        Ok(true)
    }

    fn start_upload(&mut self) -> Result<reqwest::Url, String> {
        let start = self.url("blobs/uploads/");
        let resp = self.send("pull,push", &|c| c.post(&start))?;
        if resp.status() != StatusCode::ACCEPTED {
            return Err(format!(
                "{}: starting an upload: HTTP {}",
                self.what(),
                resp.status().as_u16()
            ));
        }
        self.location(&resp)
    }

    fn location(&self, resp: &Response) -> Result<reqwest::Url, String> {
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("{}: an upload without a Location", self.what()))?;
        reqwest::Url::parse(&self.base)
            .and_then(|b| b.join(location))
            .map_err(|_| format!("{}: an upload Location that is not a URL", self.what()))
    }

    /// Uploads file `path` (`size` bytes) as blob `digest` unless the registry has it: one PUT
    /// up to [`Self::chunk`] bytes, else PATCH chunks (`Content-Range`), each failed chunk
    /// resumed (twice) from where the registry's upload status (`Range`) says it got to.
    /// `true` when it was sent.
    pub fn push_blob_file(
        &mut self,
        digest: &str,
        path: &std::path::Path,
        size: u64,
    ) -> Result<bool, String> {
        if self.has_blob(digest)? {
            return Ok(false);
        }
        if size <= self.chunk {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            return self.push_blob(digest, &bytes);
        }
        let location = self.start_upload()?;
        self.continue_upload(location, Some(0), digest, path, size)?;
        Ok(true)
    }

    /// Sends what the upload at `location` lacks of `path` (from `offset`, else from where its
    /// status says), then completes it as `digest`.
    pub fn continue_upload(
        &mut self,
        mut location: reqwest::Url,
        offset: Option<u64>,
        digest: &str,
        path: &std::path::Path,
        size: u64,
    ) -> Result<(), String> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut retries = 0;
        let mut offset = match offset {
            Some(o) => o,
            None => self.upload_offset(&location)?,
        };
        while offset < size {
            let len = self.chunk.min(size - offset);
            let mut buf = vec![0u8; len as usize];
            file.seek(SeekFrom::Start(offset))
                .and_then(|_| file.read_exact(&mut buf))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let range = format!("{offset}-{}", offset + len - 1);
            let url = location.clone();
            let sent = self.send("pull,push", &|c| {
                c.patch(url.clone())
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .header("Content-Range", &range)
                    .body(buf.clone())
            });
            match sent {
                Ok(resp) if resp.status() == StatusCode::ACCEPTED => {
                    location = self.location(&resp)?;
                    offset += len;
                }
                failed if retries < 2 => {
                    retries += 1;
                    let _ = failed;
                    offset = self.upload_offset(&location)?;
                }
                Ok(resp) => {
                    return Err(format!(
                        "{}: uploading blob {digest} at {range}: HTTP {}",
                        self.what(),
                        resp.status().as_u16()
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        location.query_pairs_mut().append_pair("digest", digest);
        let resp = self.send("pull,push", &|c| c.put(location.clone()))?;
        self.ok(&resp, &format!("completing blob {digest}"))
    }

    /// How many bytes the upload at `location` holds (its status's `Range: 0-<last>`;
    /// distribution says `0-0` for an empty upload too: taken as empty).
    fn upload_offset(&mut self, location: &reqwest::Url) -> Result<u64, String> {
        let url = location.clone();
        let resp = self.send("pull,push", &|c| c.get(url.clone()))?;
        if resp.status() != StatusCode::NO_CONTENT {
            return Err(format!(
                "{}: the upload's status: HTTP {}",
                self.what(),
                resp.status().as_u16()
            ));
        }
        let last = resp
            .headers()
            .get("Range")
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.strip_prefix("0-").or_else(|| r.strip_prefix("bytes=0-")))
            .and_then(|n| n.parse::<u64>().ok());
        Ok(last.map_or(0, |n| if n == 0 { 0 } else { n + 1 }))
    }

    /// Puts manifest `bytes` (of `media_type`) under `tag`.
    pub fn put_manifest(
        &mut self,
        tag: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        let url = self.url(&format!("manifests/{tag}"));
        let body = bytes.to_vec();
        let resp = self.send("pull,push", &|c| {
            c.put(&url)
                .header(CONTENT_TYPE, media_type)
                .body(body.clone())
        })?;
        self.ok(&resp, &format!("manifest {tag}"))
    }
}

#[cfg(test)]
mod tests;
