//! `pyv update` and the catalog refreshes `pyv install` does by itself, against a local server
//! that answers python.org's release API (`/api/v2/downloads/release/` and `.../release_file/`)
//! and serves fake source releases under `/ftp/python/`.

mod common;

use std::fs;
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::fake_release;
use common::http::{Fault, Server};
use common::{ok_stdout, run, run_within, Env};

const API_RELEASES: &str = "/api/v2/downloads/release/";
const API_FILES: &str = "/api/v2/downloads/release_file/";
const FTP: &str = "https://www.python.org/ftp/python";

/// One release in python.org's `release/` format.
struct Rel {
    id: u32,
    version: &'static str,
    published: bool,
    pre: bool,
}

fn releases_json(rels: &[Rel]) -> String {
    let items: Vec<String> = rels
        .iter()
        .map(|r| {
            format!(
                r#"{{"name": "Python {v}", "slug": "python-{slug}", "version": 3,
  "is_published": {p}, "is_latest": false, "release_date": "2026-05-01T12:00:00Z",
  "pre_release": {pre}, "release_page": null,
  "release_notes_url": "https://docs.python.org/release/{v}/whatsnew/changelog.html",
  "show_on_download_page": true,
  "resource_uri": "https://www.python.org/api/v2/downloads/release/{id}/"}}"#,
                v = r.version,
                slug = r.version.replace('.', ""),
                p = r.published,
                pre = r.pre,
                id = r.id
            )
        })
        .collect();
    format!("[{}]", items.join(",\n"))
}

/// One file in python.org's `release_file/` format (`os/3/` is "Source release").
fn file_json(release: u32, url: &str, sha256: &str) -> String {
    let name = url.rsplit('/').next().unwrap();
    format!(
        r#"{{"name": "Gzipped source tarball", "slug": "{name}", "os": "https://www.python.org/api/v2/downloads/os/3/",
  "release": "https://www.python.org/api/v2/downloads/release/{release}/", "description": "",
  "is_source": true, "url": "{url}", "gpg_signature_file": "{url}.asc",
  "md5_sum": "0123456789abcdef0123456789abcdef", "filesize": 1234, "download_button": true,
  "resource_uri": "https://www.python.org/api/v2/downloads/release_file/1{release}/",
  "sigstore_signature_file": "", "sigstore_cert_file": "", "sigstore_bundle_file": "",
  "sha256_sum": "{sha256}"}}"#
    )
}

/// The embedded catalog's digest of 3.11.2's .tgz.
fn embedded_3_11_2_tgz() -> &'static str {
    include_str!("../src/catalog/cpython.tsv")
        .lines()
        .find(|l| l.contains("/Python-3.11.2.tgz"))
        .and_then(|l| l.rsplit('\t').next())
        .unwrap()
}

/// A fake python.org. Its API lists: 3.99.1 and 3.99.2 (new, fake releases served under
/// /ftp/python), 3.100.0a1 (a pre-release), 3.99.3 (unpublished), 3.99.4 (a .tgz without a
/// sha256) and 3.11.2 (embedded; `tgz_3_11_2_sha` is what the API claims its .tgz hashes to).
/// `newest` limits the new releases to 3.99.1 when false.
fn python_org(newest: bool, tgz_3_11_2_sha: &str) -> Server {
    let s = Server::start();
    let mut rels = vec![
        Rel {
            id: 1,
            version: "3.99.1",
            published: true,
            pre: false,
        },
        Rel {
            id: 3,
            version: "3.100.0a1",
            published: true,
            pre: true,
        },
        Rel {
            id: 4,
            version: "3.99.3",
            published: false,
            pre: false,
        },
        Rel {
            id: 5,
            version: "3.99.4",
            published: true,
            pre: false,
        },
        Rel {
            id: 6,
            version: "3.11.2",
            published: true,
            pre: false,
        },
    ];
    let mut files = vec![
        file_json(
            3,
            &format!("{FTP}/3.100.0/Python-3.100.0a1.tgz"),
            &"b".repeat(64),
        ),
        file_json(
            4,
            &format!("{FTP}/3.99.3/Python-3.99.3.tgz"),
            &"c".repeat(64),
        ),
        file_json(5, &format!("{FTP}/3.99.4/Python-3.99.4.tgz"), ""),
        file_json(
            6,
            &format!("{FTP}/3.11.2/Python-3.11.2.tgz"),
            tgz_3_11_2_sha,
        ),
        file_json(
            1,
            &format!("{FTP}/3.99.1/python-3.99.1-amd64.exe"),
            &"d".repeat(64),
        ),
    ];
    let mut versions = vec!["3.99.1"];
    if newest {
        rels.push(Rel {
            id: 2,
            version: "3.99.2",
            published: true,
            pre: false,
        });
        versions.push("3.99.2");
    }
    for (id, v) in (1..).zip(versions) {
        let tgz = fake_release::tgz(v);
        files.push(file_json(
            id,
            &format!("{FTP}/{v}/Python-{v}.tgz"),
            &fake_release::sha256(&tgz).to_uppercase(),
        ));
        s.file(&format!("/ftp/python/{v}/Python-{v}.tgz"), tgz);
    }
    s.file(API_RELEASES, releases_json(&rels).into_bytes());
    s.file(API_FILES, format!("[{}]", files.join(",\n")).into_bytes());
    s
}

/// `pyv` pointed at `server` as python.org: its files and, named explicitly (pyv never reads
/// the API from PYV_PYTHON_ORG's host), its API.
fn pyv(env: &Env, server: &Server) -> Command {
    let mut c = env.pyv();
    c.env("PYV_PYTHON_ORG", format!("{}/ftp/python/", server.url()))
        .env("PYV_PYTHON_ORG_API", api_of(server));
    c
}

fn api_of(server: &Server) -> String {
    format!("{}/api/v2/downloads/", server.url())
}

fn api_requests(server: &Server) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.contains("/api/"))
        .collect()
}

fn cache_file(env: &Env) -> std::path::PathBuf {
    env.path().join("cache/catalog/python-org.tsv")
}

/// Pretend the cached release data was fetched `age` ago.
fn age_cache(env: &Env, age: Duration) {
    let path = cache_file(env);
    let text = fs::read_to_string(&path).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let secs = (SystemTime::now() - age)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (head, tail) = first.split_once("fetched_at=").unwrap();
    let tail = tail.split_once(' ').map_or("", |(_, t)| t);
    fs::write(&path, format!("{head}fetched_at={secs} {tail}\n{rest}")).unwrap();
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn update_then_list_shows_new_releases() {
    let env = Env::new();
    let server = python_org(true, embedded_3_11_2_tgz());
    let (code, out, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!(
            "updated pyv's catalog from {}/api/v2/downloads/",
            server.url()
        )),
        "{out}"
    );
    assert!(
        out.contains("now installable: 3.99.1, 3.99.2, 3.100.0a1"),
        "{out}"
    );
    assert!(out.contains("skipped 1 archive(s)"), "{out}");
    assert!(out.contains("3.99.4/Python-3.99.4.tgz"), "{out}");
    assert_eq!(
        api_requests(&server),
        [format!("GET {API_RELEASES}"), format!("GET {API_FILES}")]
    );
    assert!(fs::read_to_string(cache_file(&env))
        .unwrap()
        .starts_with("# pyv release data: fetched_at="));

    let list = ok_stdout(env.pyv().args(["install", "--list"]));
    let lines: Vec<&str> = list.lines().collect();
    for v in [
        "3.99.1",
        "3.99.2",
        "3.99.2t",
        "3.100.0a1",
        "3.11.2",
        "2.7.18",
    ] {
        assert!(lines.contains(&v), "{v} missing from --list");
    }
    for v in ["3.99.3", "3.99.4"] {
        assert!(!lines.contains(&v), "{v} (unpublished / no sha256) listed");
    }
    assert_eq!(
        ok_stdout(env.pyv().args(["latest", "-k", "3.99"])),
        "3.99.2\n"
    );
    assert_eq!(
        ok_stdout(env.pyv().args(["latest", "-k", "3.99t"])),
        "3.99.2t\n"
    );
    // The pre-release only when asked for by name.
    assert_eq!(
        ok_stdout(env.pyv().args(["latest", "-k", "3.100.0a1"])),
        "3.100.0a1\n"
    );
    assert_eq!(run(env.pyv().args(["latest", "-k", "3.100"])).0, 1);
    // Reading the merged catalog never touched the network again.
    assert_eq!(api_requests(&server).len(), 2);
}

#[test]
fn an_unknown_version_updates_the_catalog_and_installs() {
    let env = Env::new();
    let server = python_org(true, embedded_3_11_2_tgz());
    let (code, out, err) = run(pyv(&env, &server).args(["install", "--skip-preflight", "3.99.2"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("`3.99.2` is not in pyv's release list; updating it"),
        "{err}"
    );
    assert!(out.contains("installed Python 3.99.2"), "{out}");
    assert!(env.version_dir("3.99.2").join("bin/python3").exists());
    let reqs = server.requests();
    assert_eq!(
        reqs,
        [
            format!("GET {API_RELEASES}"),
            format!("GET {API_FILES}"),
            "GET /ftp/python/3.99.2/Python-3.99.2.tgz".to_string(),
        ]
    );
    // Now known: installing 3.99.1 does not fetch the release list again.
    let (code, _, err) = run(pyv(&env, &server).args(["install", "--skip-preflight", "3.99.1"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(api_requests(&server).len(), 2);
    // Still unknown after a successful update: one fetch, then the usual error.
    let (code, _, err) = run(pyv(&env, &server).args(["install", "3.99.9"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("`3.99.9` is not a CPython release pyv knows"),
        "{err}"
    );
    assert_eq!(api_requests(&server).len(), 4);
}

#[test]
fn offline_update_fails_clearly_and_the_embedded_catalog_still_works() {
    let env = Env::new();
    let port = closed_port();
    let offline = || {
        let mut c = env.pyv();
        c.env(
            "PYV_PYTHON_ORG",
            format!("http://127.0.0.1:{port}/ftp/python"),
        )
        .env(
            "PYV_PYTHON_ORG_API",
            format!("http://127.0.0.1:{port}/api/v2/downloads/"),
        );
        c
    };
    let (code, out, err) = run(offline().arg("update"));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("pyv: update:"))
        .collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "pyv: cannot fetch the release list from http://127.0.0.1:{port}/api/v2/downloads/release/: cannot connect"
        )),
        "{err}"
    );
    assert!(lines[1].starts_with("hint: check the network"), "{err}");
    assert!(!cache_file(&env).exists());

    // An unknown version: the failed update is one warning line, then the usual error.
    let (code, _, err) = run(offline().args(["install", "3.99.2"]));
    assert_eq!(code, 1, "{err}");
    let warning: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warning.len(), 1, "{err}");
    assert!(
        warning[0].starts_with(
            "pyv: warning: cannot update the release list to look for `3.99.2`: cannot fetch"
        ),
        "{err}"
    );
    assert!(
        err.contains("`3.99.2` is not a CPython release pyv knows"),
        "{err}"
    );

    // Known versions still resolve from the embedded catalog.
    assert_eq!(
        ok_stdout(offline().args(["latest", "-k", "3.9"])),
        "3.9.25\n"
    );
    assert!(ok_stdout(offline().args(["install", "--list"]))
        .lines()
        .any(|l| l == "3.11.2"));
}

#[test]
fn a_stale_catalog_is_refreshed_for_a_prefix() {
    // Fetched when only 3.99.1 was out.
    let env = Env::new();
    let old = python_org(false, embedded_3_11_2_tgz());
    ok_stdout(pyv(&env, &old).arg("update"));
    let new = python_org(true, embedded_3_11_2_tgz());

    // Fresh (an hour old): the prefix resolves from the cache, python.org is not asked.
    age_cache(&env, Duration::from_secs(3600));
    let (code, out, err) = run(pyv(&env, &new).args(["install", "--skip-preflight", "3.99"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed Python 3.99.1"), "{out}");
    assert!(api_requests(&new).is_empty(), "{:?}", new.requests());

    // Over a day old: refreshed first, so `3.99` is the newest 3.99.x python.org lists.
    age_cache(&env, Duration::from_secs(25 * 3600));
    let (code, out, err) = run(pyv(&env, &new).args(["install", "--skip-preflight", "3.99"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed Python 3.99.2"), "{out}");
    assert_eq!(api_requests(&new).len(), 2);
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn a_failed_refresh_of_a_stale_catalog_is_a_warning() {
    let env = Env::new();
    let server = python_org(false, embedded_3_11_2_tgz());
    ok_stdout(pyv(&env, &server).arg("update"));
    age_cache(&env, Duration::from_secs(2 * 24 * 3600));
    server.fault(API_RELEASES, Fault::NotFound);
    let (code, out, err) = run(pyv(&env, &server).args(["install", "--skip-preflight", "3.99"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "pyv: warning: cannot refresh the release list to resolve `3.99`: cannot fetch the \
             release list from {}{API_RELEASES}: HTTP 404 Not Found; using the releases pyv knows",
            server.url()
        )),
        "{err}"
    );
    assert!(out.contains("installed Python 3.99.1"), "{out}");
    // Within the hour the next install does not ask again (an offline or firewalled machine
    // would wait for a connect timeout every time); `pyv update` always asks.
    let asked = |s: &common::http::Server| {
        s.requests()
            .iter()
            .filter(|r| r.contains(API_RELEASES))
            .count()
    };
    let before = asked(&server);
    let (code, _, err) =
        run(pyv(&env, &server).args(["install", "--skip-preflight", "--force", "3.99"]));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("cannot refresh"), "{err}");
    assert_eq!(
        asked(&server),
        before,
        "asked python.org again within the hour"
    );
    let _ = run(pyv(&env, &server).arg("update"));
    assert_eq!(asked(&server), before + 1);
}

#[test]
fn a_digest_conflict_with_the_embedded_catalog_is_an_error() {
    let env = Env::new();
    let embedded = embedded_3_11_2_tgz();
    let bad = "e".repeat(64);
    let server = python_org(true, &bad);
    let (code, out, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!(
            "pyv: sha256 conflict for `3.11.2/Python-3.11.2.tgz`: pyv's embedded catalog says \
             {embedded}, but the release data from {}/api/v2/downloads/ says {bad}",
            server.url()
        )),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert!(!cache_file(&env).exists(), "nothing may be saved");
    // The auto-update of `install` stops on it too, instead of warning and going on.
    let (code, _, err) = run(pyv(&env, &server).args(["install", "--skip-preflight", "3.99.2"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("sha256 conflict for `3.11.2/Python-3.11.2.tgz`"),
        "{err}"
    );
    assert!(!env.version_dir("3.99.2").exists());
    // A cache file that contradicts the embedded catalog is refused when read.
    let good = python_org(true, embedded);
    ok_stdout(pyv(&env, &good).arg("update"));
    let path = cache_file(&env);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace(embedded, &bad)).unwrap();
    let (code, _, err) = run(env.pyv().args(["install", "--list"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "the cached release data `{}` says {bad}",
            path.display()
        )),
        "{err}"
    );
    // Commands that do not install never read the catalog, so it cannot break them.
    env.fake_version("3.12.1", &["python"]);
    for args in [&["versions"][..], &["version-name"], &["prefix", "3.12.1"]] {
        let (code, _, err) = run(env.pyv().args(args).env("PYV_VERSION", "3.12.1"));
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
    }
}

/// A server whose API lists exactly `rels` and `files` (JSON objects, as python.org writes).
fn api_server(rels: &[Rel], files: &[String]) -> Server {
    let s = Server::start();
    s.file(API_RELEASES, releases_json(rels).into_bytes());
    s.file(API_FILES, format!("[{}]", files.join(",\n")).into_bytes());
    s
}

fn rel(id: u32, version: &'static str) -> Rel {
    Rel {
        id,
        version,
        published: true,
        pre: false,
    }
}

#[test]
fn an_empty_or_junk_answer_is_refused_and_known_releases_are_never_dropped() {
    let env = Env::new();
    ok_stdout(pyv(&env, &python_org(true, embedded_3_11_2_tgz())).arg("update"));
    let saved = fs::read_to_string(cache_file(&env)).unwrap();
    assert!(saved.contains("3.99.2/Python-3.99.2.tgz"), "{saved}");

    let empty = api_server(&[], &[]);
    let junk = Server::start();
    junk.file(API_RELEASES, br#"[{"foo": 1}, {"name": 7}, []]"#.to_vec());
    junk.file(API_FILES, br#"{"objects": [{"url": null}, 3]}"#.to_vec());
    for server in [&empty, &junk] {
        let (code, out, err) = run(pyv(&env, server).arg("update"));
        assert_eq!(code, 1, "{out}{err}");
        assert!(
            err.contains("lists no usable CPython source release"),
            "{err}"
        );
        assert!(err.contains("hint:"), "{err}");
        assert_eq!(fs::read_to_string(cache_file(&env)).unwrap(), saved);
    }
    // An answer without 3.99.2 (a mirror behind python.org) adds what it has, drops nothing.
    let partial = python_org(false, embedded_3_11_2_tgz());
    ok_stdout(pyv(&env, &partial).arg("update"));
    assert_eq!(
        ok_stdout(env.pyv().args(["latest", "-k", "3.99"])),
        "3.99.2\n"
    );
}

#[test]
fn digests_are_pinned_on_first_sight_and_one_file_has_one_digest() {
    let env = Env::new();
    ok_stdout(pyv(&env, &python_org(true, embedded_3_11_2_tgz())).arg("update"));
    let saved = fs::read_to_string(cache_file(&env)).unwrap();
    let first = fake_release::sha256(&fake_release::tgz("3.99.1"));
    let other = "f".repeat(64);
    let url = format!("{FTP}/3.99.1/Python-3.99.1.tgz");
    let changed = api_server(&[rel(1, "3.99.1")], &[file_json(1, &url, &other)]);
    let (code, out, err) = run(pyv(&env, &changed).arg("update"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("sha256 conflict for `3.99.1/Python-3.99.1.tgz`")
            && err.contains(&first)
            && err.contains(&other)
            && err.contains("fetched before"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(cache_file(&env)).unwrap(), saved);

    // One answer naming two digests for one file.
    let fresh = Env::new();
    let twice = api_server(
        &[rel(1, "3.99.7")],
        &[
            file_json(
                1,
                &format!("{FTP}/3.99.7/Python-3.99.7.tgz"),
                &"a".repeat(64),
            ),
            file_json(
                1,
                &format!("{FTP}/3.99.7/Python-3.99.7.tgz"),
                &"b".repeat(64),
            ),
        ],
    );
    let (code, out, err) = run(pyv(&fresh, &twice).arg("update"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("sha256 conflict for `3.99.7/Python-3.99.7.tgz`")
            && err.contains(&"a".repeat(64))
            && err.contains(&"b".repeat(64)),
        "{err}"
    );
    assert!(!cache_file(&fresh).exists());
}

#[test]
fn a_row_outside_python_org_source_paths_is_reported_as_such() {
    let env = Env::new();
    let a = "a".repeat(64);
    let server = api_server(
        &[rel(1, "3.99.1"), rel(2, "3.99.5")],
        &[
            file_json(1, &format!("{FTP}/3.99.1/Python-3.99.1.tgz"), &a),
            file_json(2, &format!("{FTP}/3.99.5/x/../Python-3.99.5.tgz"), &a),
            file_json(2, "https://evil.example/dl/Python-3.99.5.tar.xz", &a),
        ],
    );
    let (code, out, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("skipped 2 archive(s) whose URL is not a python.org source path")
            && out.contains("3.99.5/x/../Python-3.99.5.tgz")
            && out.contains("https://evil.example/dl/Python-3.99.5.tar.xz"),
        "{out}"
    );
    assert!(!out.contains("without a SHA-256"), "{out}");
}

#[test]
fn escapes_in_the_apis_urls_are_shown_escaped() {
    let env = Env::new();
    let a = "a".repeat(64);
    // JSON's `\u001b`: the URL python.org (or a server posing as it) sends holds a real ESC,
    // one that clears the screen and one that sets the window title (an OSC ended by BEL).
    let server = api_server(
        &[rel(1, "3.99.1"), rel(2, "3.99.5")],
        &[
            file_json(1, &format!("{FTP}/3.99.1/Python-3.99.1.tgz"), &a),
            file_json(
                2,
                "https://evil.example/\\u001b[2J\\u001b]0;title\\u0007/Python-3.99.5.tgz",
                &a,
            ),
        ],
    );
    let (code, out, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 0, "{err}");
    let text = format!("{out}{err}");
    assert!(
        !text.contains(['\x1b', '\x07']),
        "raw control bytes: {text:?}"
    );
    assert!(
        out.contains("whose URL is not a python.org source path")
            && out
                .contains("https://evil.example/\\u{1b}[2J\\u{1b}]0;title\\u{7}/Python-3.99.5.tgz"),
        "{out}"
    );
}

#[test]
fn a_dripping_api_times_out_with_a_reason() {
    let env = Env::new();
    let server = python_org(true, embedded_3_11_2_tgz());
    server.fault(API_RELEASES, Fault::Trickle(Duration::from_millis(300)));
    let started = std::time::Instant::now();
    let (code, out, err) = run_within(
        pyv(&env, &server)
            .arg("update")
            .env("PYV_HTTP_STALL_TIMEOUT", "1")
            .env("PYV_HTTP_TIMEOUT", "20"),
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("timed out") && err.contains("stalled"),
        "{err}"
    );
    assert!(!err.contains("error decoding"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );

    // The overall deadline holds even for a server fast enough not to stall.
    server.fault(API_RELEASES, Fault::Drip(Duration::from_millis(400)));
    let padded = format!(
        "{}{}",
        releases_json(&[rel(1, "3.99.1")]),
        " ".repeat(400 * 1024)
    );
    server.file(API_RELEASES, padded.into_bytes());
    let started = std::time::Instant::now();
    let (code, _, err) = run_within(
        pyv(&env, &server)
            .arg("update")
            .env("PYV_HTTP_STALL_TIMEOUT", "1")
            .env("PYV_HTTP_TIMEOUT", "2"),
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("timed out: the transfer took longer than 2.0s"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_server_that_never_answers_is_named_and_given_up_on() {
    let env = Env::new();
    let server = python_org(true, embedded_3_11_2_tgz());
    server.fault(API_RELEASES, Fault::Silent);
    let started = std::time::Instant::now();
    let (code, out, err) = run_within(
        pyv(&env, &server)
            .arg("update")
            .env("PYV_HTTP_STALL_TIMEOUT", "4"),
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!(
            "waiting for 127.0.0.1:{} to answer {}{API_RELEASES}",
            server.port,
            server.url()
        )),
        "{err}"
    );
    assert!(err.contains("timed out"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_429_is_waited_out_once_then_reported() {
    let env = Env::new();
    let server = python_org(true, embedded_3_11_2_tgz());
    server.fault(API_RELEASES, Fault::TooMany(1, Some(1)));
    let (code, out, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("429 Too Many Requests; waiting 1.0s"), "{err}");
    assert_eq!(
        api_requests(&server),
        [
            format!("GET {API_RELEASES}"),
            format!("GET {API_RELEASES}"),
            format!("GET {API_FILES}")
        ]
    );

    // Still refused after the wait: one wait, then the error says what happened.
    server.fault(API_RELEASES, Fault::TooMany(5, Some(1)));
    let (code, _, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("HTTP 429 Too Many Requests again after waiting")
            && err.contains("anonymous API requests a day"),
        "{err}"
    );
    // A wait longer than pyv is willing to sit through is reported at once.
    server.fault(API_RELEASES, Fault::TooMany(5, Some(86_400)));
    let started = std::time::Instant::now();
    let (code, _, err) = run(pyv(&env, &server).arg("update"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it asks to wait"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_connection_that_is_never_accepted_gives_up_at_the_connect_timeout() {
    // A listener whose accept queue is full: the kernel drops further SYNs, as a firewall that
    // swallows packets does.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => held.push(s),
            Err(_) => break, // the queue is full
        }
    }
    let env = Env::new();
    let started = std::time::Instant::now();
    let (code, out, err) = run_within(
        env.pyv()
            .arg("update")
            .env(
                "PYV_PYTHON_ORG_API",
                format!("http://{addr}/api/v2/downloads/"),
            )
            .env("PYV_HTTP_CONNECT_TIMEOUT", "3"),
        Duration::from_secs(60),
    );
    let took = started.elapsed();
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("timed out"), "{err}");
    assert!(
        err.contains(&format!("waiting for {addr} to answer")),
        "{err}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}: {err}");
    drop(listener);
}

/// A mirror (PYV_PYTHON_ORG) that serves a release list of its own is never asked for it:
/// the digests of releases pyv does not know come from python.org's API or one named in
/// PYV_PYTHON_ORG_API, never from the host that serves the bytes.
#[test]
fn the_release_list_is_never_read_from_the_mirrors_host() {
    let env = Env::new();
    let mirror = python_org(true, embedded_3_11_2_tgz());
    let unreachable = "http://127.0.0.1:1";
    for request in ["3.99.2", "3.99"] {
        let (code, out, err) = run(env
            .pyv()
            .args(["install", "--skip-preflight", request])
            .env("PYV_PYTHON_ORG", format!("{}/ftp/python/", mirror.url()))
            // python.org's own API, through a proxy that is not there: no test reaches it.
            .env_remove("PYV_PYTHON_ORG_API")
            .env("HTTPS_PROXY", unreachable)
            .env("https_proxy", unreachable)
            .env("ALL_PROXY", unreachable)
            .env("NO_PROXY", "127.0.0.1")
            .env("no_proxy", "127.0.0.1"));
        assert_eq!(code, 1, "{request}: {out}{err}");
        assert!(err.contains("www.python.org/api/v2/downloads/"), "{err}");
        assert!(api_requests(&mirror).is_empty(), "{:?}", mirror.requests());
        assert!(!env.version_dir("3.99.2").exists());
    }
}

/// Release data an earlier pyv read from a mirror's host is not trusted: a prefix does not
/// pick the mirror's own release, and says so.
#[test]
fn a_prefix_never_picks_a_release_only_a_mirror_vouches_for() {
    let env = Env::new();
    let mirror = python_org(true, embedded_3_11_2_tgz());
    let tgz = fake_release::tgz("3.99.2");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cache = cache_file(&env);
    fs::create_dir_all(cache.parent().unwrap()).unwrap();
    fs::write(
        &cache,
        format!(
            "# pyv release data: fetched_at={now} source={}\n\
             version\tfree_threaded\tformat\turl\tsha256\n\
             3.99.2\tno\ttgz\t{FTP}/3.99.2/Python-3.99.2.tgz\t{}\n",
            api_of(&mirror),
            fake_release::sha256(&tgz)
        ),
    )
    .unwrap();
    let (code, out, err) = run(env
        .pyv()
        .args(["install", "--skip-preflight", "3.99"])
        .env("PYV_PYTHON_ORG", format!("{}/ftp/python/", mirror.url())));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!(
            "not picking `3.99.2` for `3.99`: only the release data fetched from {} lists it",
            api_of(&mirror)
        )),
        "{err}"
    );
    assert!(mirror.requests().is_empty(), "{:?}", mirror.requests());
    assert!(!env.version_dir("3.99.2").exists());
    // Nor by name: its digest is not one pyv trusts.
    let (code, _, err) = run(env
        .pyv()
        .args(["install", "--skip-preflight", "3.99.2"])
        .env("PYV_PYTHON_ORG", format!("{}/ftp/python/", mirror.url())));
    assert_eq!(code, 1, "{err}");
    assert!(mirror.requests().is_empty(), "{:?}", mirror.requests());
}
