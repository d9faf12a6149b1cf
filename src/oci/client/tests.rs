//! The client against the real CNCF registry (`docker-registry`, distribution 2.8) with
//! htpasswd authentication, over plain http on 127.0.0.1.

use super::*;
use crate::oci::auth::Credentials;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const PASSWORD: &str = "Corr3ct-Horse-pw";

pub struct TestRegistry {
    child: Child,
    pub port: u16,
    pub storage: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestRegistry {
    /// `None` (and a note) where `docker-registry` or `htpasswd` is not installed.
    pub fn start() -> Option<TestRegistry> {
        if !Path::new("/usr/bin/docker-registry").exists() {
            eprintln!("docker-registry is not installed: skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("htpasswd")
            .args(["-Bbn", "tester", PASSWORD])
            .output()
            .expect("htpasswd (apache2-utils)");
        assert!(out.status.success());
        let htpasswd = dir.path().join("htpasswd");
        std::fs::write(&htpasswd, &out.stdout).unwrap();
        let storage = dir.path().join("storage");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\nauth:\n  htpasswd:\n    realm: pyv-test\n    path: {}\n",
                storage.display(),
                htpasswd.display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let reg = TestRegistry {
            child,
            port,
            storage,
            _dir: dir,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(reg);
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("docker-registry did not start on port {port}");
    }

    pub fn client(&self, password: &str) -> Registry {
        let r =
            Reference::parse(&format!("oci://127.0.0.1:{}/team/pyv", self.port), "test").unwrap();
        let creds = Credentials {
            user: "tester".into(),
            secret: password.into(),
            source: "the test".into(),
        };
        Registry::new(r, "", Some(creds)).unwrap()
    }

    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

fn manifest_for(layer: &str, size: usize) -> Vec<u8> {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": "application/vnd.pyv.artifact.v1",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                   "digest": digest_of(b"{}"), "size": 2},
        "layers": [{"mediaType": "application/vnd.pyv.artifact.layer.v1.tar+gzip",
                    "digest": layer, "size": size}],
        "annotations": {"org.pyv.version": "3.99.1"}
    })
    .to_string()
    .into_bytes()
}

#[test]
fn push_pull_and_a_tampered_blob_against_the_real_registry() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let mut c = reg.client(PASSWORD);
    let archive: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let layer = digest_of(&archive);
    assert!(c.push_blob(&digest_of(b"{}"), b"{}").unwrap());
    assert!(c.push_blob(&layer, &archive).unwrap());
    // What the registry has is not sent again.
    assert!(!c.push_blob(&layer, &archive).unwrap());
    let m = manifest_for(&layer, archive.len());
    c.put_manifest("cpython-3.99.1-k", MANIFEST, &m).unwrap();

    let mut fresh = reg.client(PASSWORD);
    let (body, digest, kind) = fresh.manifest("cpython-3.99.1-k").unwrap().unwrap();
    assert_eq!(
        (body.as_slice(), digest.as_str()),
        (m.as_slice(), digest_of(&m).as_str())
    );
    assert!(kind.starts_with(MANIFEST), "{kind}");
    assert_eq!(fresh.manifest("cpython-3.99.1-unknown").unwrap(), None);
    let mut got = Vec::new();
    fresh
        .blob_to(&layer, archive.len() as u64, &mut got)
        .unwrap();
    assert_eq!(got, archive);

    // The registry hands over other bytes (same length): refused.
    let file = reg.blob_file(&layer);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();
    let e = fresh
        .blob_to(&layer, archive.len() as u64, &mut std::io::sink())
        .unwrap_err();
    assert!(
        e.contains("refused, nothing was unpacked") && !e.contains('\n'),
        "{e}"
    );
}

#[test]
fn a_wrong_password_is_one_line_without_it() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let wrong = "Wr0ng-Secret-xyz";
    let mut c = reg.client(wrong);
    let e = c.manifest("anything").unwrap_err();
    assert!(e.contains("refused access (401)"), "{e}");
    assert!(
        e.contains("registry 127.0.0.1:") && e.contains("repository team/pyv"),
        "{e}"
    );
    assert!(e.contains("credentials of tester from the test"), "{e}");
    assert!(!e.contains(wrong) && !e.contains('\n'), "{e}");
    let mut anon = reg.client(PASSWORD);
    anon.creds = None;
    let e = anon.manifest("anything").unwrap_err();
    assert!(e.contains("no credentials (anonymous)"), "{e}");
}

#[test]
fn a_registry_killed_mid_download_ends_cleanly_with_nothing_left() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("cpython-3.99.1-big.tar.gz");
    let bytes: Vec<u8> = (0..48u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&archive, &bytes).unwrap();
    let sha = crate::digest::hex(&Sha256::digest(&bytes));
    let m = crate::install::manifest::Manifest::parse(&format!(
        "key = cpython-3.99.1-big\nsha256 = {sha}\nsize = {}\nprefix = /p\nplatform = {}\n",
        bytes.len(),
        crate::install::artifact::platform()
    ))
    .unwrap();
    let mut c = reg.client(PASSWORD);
    crate::oci::artifact::push(&mut c, &archive, &m).unwrap();

    let into = dir.path().join("cache");
    std::fs::create_dir(&into).unwrap();
    let target = into.join("cpython-3.99.1-big.tar.gz");
    let mpath = into.join("cpython-3.99.1-big.manifest");
    let part = target.with_extension("part");
    let pid = reg.child.id() as i32;
    let watcher = {
        let part = part.clone();
        std::thread::spawn(move || {
            for _ in 0..4000 {
                if std::fs::metadata(&part).is_ok_and(|m| m.len() > 0) {
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return true;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            false
        })
    };
    let mut fresh = reg.client(PASSWORD);
    let e =
        crate::oci::artifact::pull(&mut fresh, "cpython-3.99.1-big", &target, &mpath).unwrap_err();
    assert!(
        watcher.join().unwrap(),
        "the download was never seen under way"
    );
    assert!(
        !e.contains('\n') && e.contains("registry 127.0.0.1:"),
        "{e}"
    );
    let left: Vec<_> = std::fs::read_dir(&into)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn big_blobs_go_in_chunks_and_an_interrupted_upload_resumes() {
    let Some(reg) = TestRegistry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    let bytes: Vec<u8> = (0..(5u32 << 20) + 12345).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();
    let digest = digest_of(&bytes);
    let mut c = reg.client(PASSWORD);
    c.chunk = 1 << 20;
    assert!(c
        .push_blob_file(&digest, &file, bytes.len() as u64)
        .unwrap());
    assert!(!c
        .push_blob_file(&digest, &file, bytes.len() as u64)
        .unwrap());
    let mut got = Vec::new();
    c.blob_to(&digest, bytes.len() as u64, &mut got).unwrap();
    assert!(got == bytes);

    // An upload that got its first 2 MiB in, then stopped: continued from the registry's
    // status, not from the start (the registry refuses a chunk that does not follow on).
    let other: Vec<u8> = bytes.iter().map(|b| b ^ 0x55).collect();
    std::fs::write(&file, &other).unwrap();
    let digest = digest_of(&other);
    let mut location = c.start_upload().unwrap();
    for i in 0..2u64 {
        let url = location.clone();
        let chunk = other[(i << 20) as usize..((i + 1) << 20) as usize].to_vec();
        let range = format!("{}-{}", i << 20, ((i + 1) << 20) - 1);
        let resp = c
            .send("pull,push", &|cl| {
                cl.patch(url.clone())
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .header("Content-Range", &range)
                    .body(chunk.clone())
            })
            .unwrap();
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        location = c.location(&resp).unwrap();
    }
    assert_eq!(c.upload_offset(&location).unwrap(), 2 << 20);
    c.continue_upload(location, None, &digest, &file, other.len() as u64)
        .unwrap();
    let mut got = Vec::new();
    c.blob_to(&digest, other.len() as u64, &mut got).unwrap();
    assert!(got == other);
}

/// A registry that wants a Bearer token (as GHCR, Docker Hub, Harbor do), on a real socket:
/// answers each request by `answer(request line, headers)`, and records the requests.
fn token_registry(
    answer: impl Fn(&str, &str, u16) -> String + Send + 'static,
) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let (first, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
            log.lock().unwrap().push(head.clone());
            let reply = answer(first, headers, port);
            let mut s = stream;
            let _ = s.write_all(reply.as_bytes());
        }
    });
    (port, seen)
}

fn reply(status: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn a_bearer_challenge_gets_a_token_for_the_repository_scope() {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("tester:{PASSWORD}"));
    let (port, seen) = token_registry(move |first, headers, port| {
        if first.starts_with("GET /token?") {
            if headers.contains(&format!("authorization: Basic {basic}")) {
                reply("200 OK", "", r#"{"token":"TOK-abc123","expires_in":300}"#)
            } else {
                reply("401 Unauthorized", "", "{}")
            }
        } else if headers.contains("authorization: Bearer TOK-abc123") {
            reply("404 Not Found", "", "{}")
        } else {
            reply(
                "401 Unauthorized",
                &format!(
                    "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",\
                     service=\"reg,1\",scope=\"repository:team/pyv:pull\"\r\n"
                ),
                "{}",
            )
        }
    });
    let r = Reference::parse(&format!("oci://127.0.0.1:{port}/team/pyv"), "test").unwrap();
    let creds = |secret: &str| {
        Some(Credentials {
            user: "tester".into(),
            secret: secret.into(),
            source: "the test".into(),
        })
    };
    let mut c = Registry::new(r.clone(), "", creds(PASSWORD)).unwrap();
    assert_eq!(c.manifest("cpython-3.99.1-k").unwrap(), None);
    let log = seen.lock().unwrap().clone();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log[1].starts_with("GET /token?service=reg%2C1&scope=repository%3Ateam%2Fpyv%3Apull "),
        "{log:?}"
    );
    // The token is kept: the next request goes straight in.
    assert_eq!(c.manifest("other").unwrap(), None);
    assert_eq!(seen.lock().unwrap().len(), 4);

    let wrong = "Wr0ng-Secret-xyz";
    let mut c = Registry::new(r, "", creds(wrong)).unwrap();
    let e = c.manifest("cpython-3.99.1-k").unwrap_err();
    assert!(
        e.contains("refused access (401)") && e.contains("repository team/pyv"),
        "{e}"
    );
    assert!(!e.contains(wrong) && !e.contains("TOK-"), "{e}");
}
