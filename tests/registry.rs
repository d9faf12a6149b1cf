//! Builds shared through the real CNCF registry (`docker-registry`, distribution 2.8, htpasswd
//! auth, plain http on 127.0.0.1): `pyv cache push` from one root and cache, `pyv install`
//! into a fresh root with an empty cache pulling it (no configure runs), and what is refused.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::fake_release;
use common::http::Server;
use common::{run, Env};

const V: &str = "3.99.1";
const PASSWORD: &str = "Corr3ct-Horse-pw";

struct Registry {
    child: Child,
    port: u16,
    storage: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn start() -> Option<Registry> {
        if !Path::new("/usr/bin/docker-registry").exists() {
            eprintln!(
                "docker-registry is not installed (apt-get install docker-registry): skipped"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("htpasswd")
            .args(["-Bbn", "tester", PASSWORD])
            .output()
            .expect("htpasswd (apache2-utils)");
        let htpasswd = dir.path().join("htpasswd");
        fs::write(&htpasswd, &out.stdout).unwrap();
        let storage = dir.path().join("storage");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        fs::write(
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
        let reg = Registry {
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
        panic!("docker-registry did not start");
    }

    fn url(&self, repo: &str) -> String {
        format!("oci://127.0.0.1:{}/{repo}", self.port)
    }

    fn blobs(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let root = self.storage.join("docker/registry/v2/blobs/sha256");
        for a in fs::read_dir(root).unwrap().flatten() {
            for b in fs::read_dir(a.path()).unwrap().flatten() {
                out.push(b.path().join("data"));
            }
        }
        out
    }
}

fn serve() -> (Server, String) {
    let tgz = fake_release::tgz(V);
    let s = Server::start();
    s.file(&format!("/{V}/Python-{V}.tgz"), tgz.clone());
    (s, fake_release::sha256(&tgz))
}

fn with_registry<'a>(c: &'a mut Command, password: &str) -> &'a mut Command {
    c.env("PYV_REGISTRY_USER", "tester")
        .env("PYV_REGISTRY_PASSWORD", password)
        .env("DOCKER_CONFIG", "/nonexistent-pyv-docker-config")
}

fn install(env: &Env, cache: &Path, server: &Server, sha: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_ARTIFACT_CACHE", "1")
        .env("PYV_CACHE_DIR", cache)
        .env("FAKE_CONFIGURE_LOG", cache.with_file_name("configure.log"))
        .env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--skip-preflight", "--sha256", sha, V]);
    with_registry(&mut c, PASSWORD);
    c
}

fn builds(cache: &Path) -> usize {
    fs::read_to_string(cache.with_file_name("configure.log"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn ok(c: &mut Command) -> (String, String) {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{c:?}\n{out}\n{err}");
    (out, err)
}

fn push(env: &Env, cache: &Path, reference: &str, password: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_CACHE_DIR", cache)
        .args(["cache", "push", reference]);
    with_registry(&mut c, password);
    c
}

fn leftovers(cache: &Path) -> Vec<String> {
    fs::read_dir(cache.join("artifacts"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".part"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_build_pushed_from_one_machine_installs_on_another_without_compiling() {
    let Some(reg) = Registry::start() else { return };
    let (server, sha) = serve();
    let a = Env::new();
    let cache_a = a.path().join("cache");
    ok(&mut install(&a, &cache_a, &server, &sha));
    assert_eq!(builds(&cache_a), 1);
    let (out, _) = ok(&mut push(&a, &cache_a, &reg.url("team/pyv"), PASSWORD));
    assert!(out.contains("pushed oci://"), "{out}");
    // Again: the registry has it all; only looked at.
    let (out, _) = ok(&mut push(&a, &cache_a, &reg.url("team/pyv"), PASSWORD));
    assert!(
        out.contains("already there:") && !out.contains("pushed"),
        "{out}"
    );
    let mut list = a.pyv();
    list.env("PYV_CACHE_DIR", &cache_a)
        .args(["cache", "list", "--remote", &reg.url("team/pyv")]);
    let (out, _) = ok(with_registry(&mut list, PASSWORD));
    assert!(
        out.contains(" (1):") && out.contains(&format!("cpython-{V}-")),
        "{out}"
    );

    let b = Env::without_spaces("pyv-oci-");
    let cache_b = b.path().join("cache");
    let (_, err) =
        ok(install(&b, &cache_b, &server, &sha).env("PYV_ARTIFACT_MIRROR", reg.url("team/pyv")));
    assert_eq!(builds(&cache_b), 0, "root B ran configure:\n{err}");
    assert!(err.contains("reusing the cached build"), "{err}");
    assert!(b.version_dir(V).join("bin").is_dir());

    // An empty repository: the usual source build, said in one line.
    let c = Env::without_spaces("pyv-oci-");
    let cache_c = c.path().join("cache");
    let (_, err) =
        ok(install(&c, &cache_c, &server, &sha).env("PYV_ARTIFACT_MIRROR", reg.url("team/empty")));
    assert!(err.contains("has no build cpython-"), "{err}");
    assert_eq!(builds(&cache_c), 1);

    // A tampered blob in the registry's storage: refused before unpacking, nothing left.
    for blob in reg.blobs() {
        let mut bytes = fs::read(&blob).unwrap();
        if bytes.len() > 1000 {
            let n = bytes.len() / 2;
            bytes[n] ^= 1;
            fs::write(&blob, bytes).unwrap();
        }
    }
    let d = Env::without_spaces("pyv-oci-");
    let cache_d = d.path().join("cache");
    let (_, err) =
        ok(install(&d, &cache_d, &server, &sha).env("PYV_ARTIFACT_MIRROR", reg.url("team/pyv")));
    assert!(err.contains("nothing was unpacked"), "{err}");
    assert_eq!(builds(&cache_d), 1, "{err}");
    assert_eq!(leftovers(&cache_d), Vec::<String>::new());

    // By default only what the installed versions were made from is pushed; named, any.
    ok(a.pyv().args(["uninstall", "-f", V]));
    let (out, _) = ok(&mut push(&a, &cache_a, &reg.url("team/other"), PASSWORD));
    assert!(!out.contains("pushed"), "{out}");
    let (out, _) = ok(push(&a, &cache_a, &reg.url("team/other"), PASSWORD).arg(V));
    assert!(out.contains("pushed oci://"), "{out}");
}

#[test]
fn a_wrong_password_is_one_line_without_the_password() {
    let Some(reg) = Registry::start() else { return };
    let (server, sha) = serve();
    let a = Env::new();
    let cache_a = a.path().join("cache");
    ok(&mut install(&a, &cache_a, &server, &sha));
    let wrong = "Wr0ng-Secret-xyz";
    let (code, out, err) = run(&mut push(&a, &cache_a, &reg.url("team/pyv"), wrong));
    assert_ne!(code, 0);
    assert!(err.contains("refused access (401)"), "{err}");
    assert!(
        err.contains("PYV_REGISTRY_USER/PYV_REGISTRY_PASSWORD"),
        "{err}"
    );
    assert!(!err.contains(wrong) && !out.contains(wrong), "{err}");
    let (code, _, err) = run(&mut push(
        &a,
        &cache_a,
        "oci://127.0.0.1/Bad//repo",
        PASSWORD,
    ));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`oci://127.0.0.1/Bad//repo`") && err.contains("pyv cache push"),
        "{err}"
    );
    // A bad oci:// mirror: a usage error naming it and its variable, before anything happens.
    let (code, _, err) = run(install(&a, &cache_a, &server, &sha)
        .arg("--force")
        .env("PYV_ARTIFACT_MIRROR", "oci://reg.example/Team/x"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("PYV_ARTIFACT_MIRROR: `oci://reg.example/Team/x`"),
        "{err}"
    );
}
