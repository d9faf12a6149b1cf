//! Company networks, with real parts: a throwaway CA made with `openssl`, a TLS server on
//! 127.0.0.1 (Python's `ssl` + `http.server`) serving a fake release in python.org's layout,
//! and a real CONNECT proxy (Debian's `tinyproxy`, with Basic credentials). pyv trusts what
//! `SSL_CERT_FILE` names, says in one line whom it does not trust, and goes through the proxy
//! the environment names, saying so when the proxy refuses.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{fake_release, run, under_ci, Env};

const V: &str = "3.99.1";

/// Kills the child when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(!under_ci(), "{tool} is missing (tests/run.sh installs it)");
        eprintln!("skipping: {tool} is not installed");
    }
    found
}

fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh")
        .args(["-ec", script])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`, CN "pyv test CA") and a server certificate for 127.0.0.1 it signed.
fn make_ca(dir: &Path) {
    sh(
        dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
           -subj '/CN=pyv test CA' -addext basicConstraints=critical,CA:TRUE \
           -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
         openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
           -subj '/CN=127.0.0.1' 2>/dev/null
         printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
           -out server.pem -days 2 -extfile ext.cnf 2>/dev/null",
    );
}

/// A TLS file server on 127.0.0.1 for `root`, with `dir`'s server certificate; its port.
fn tls_server(dir: &Path, root: &Path) -> (Killed, u16) {
    let script = r#"
import http.server, ssl, sys, functools
root, cert, key = sys.argv[1:4]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=root))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(root)
        .arg(dir.join("server.pem"))
        .arg(dir.join("server.key"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the TLS server's port");
    (Killed(child), port)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real tinyproxy on 127.0.0.1 asking for `user:secret`; its port.
fn tinyproxy(dir: &Path) -> (Killed, u16) {
    let port = free_port();
    let conf = dir.join("tinyproxy.conf");
    fs::write(
        &conf,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Error\n\
             BasicAuth user secret\n"
        ),
    )
    .unwrap();
    let child = Command::new("tinyproxy")
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "tinyproxy never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Killed(child), port)
}

/// A fake release of `V` in python.org's layout under `env`; the mirror and its digest.
fn mirror(env: &Env) -> (PathBuf, String) {
    let tgz = fake_release::tgz(V);
    let m = env.path().join("mirror");
    fs::create_dir_all(m.join(V)).unwrap();
    fs::write(m.join(format!("{V}/Python-{V}.tgz")), &tgz).unwrap();
    (m, fake_release::sha256(&tgz))
}

fn install(env: &Env, port: u16, sha: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_MIRROR", format!("https://127.0.0.1:{port}"))
        .env("PYV_HTTP_CONNECT_TIMEOUT", "5")
        .args(["install", "--skip-preflight", "--sha256", sha, V]);
    c
}

#[test]
fn https_trusts_ssl_cert_file_and_names_the_issuer_it_does_not_trust() {
    if !have("openssl") || !have("python3") {
        return;
    }
    let env = Env::new();
    let pki = env.path().join("pki");
    fs::create_dir_all(&pki).unwrap();
    make_ca(&pki);
    let (root, sha) = mirror(&env);
    let (_server, port) = tls_server(&pki, &root);

    // The OS store does not hold the throwaway CA: one line naming the host and the issuer.
    let (code, _, err) = run(&mut install(&env, port, &sha));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("pyv test CA"), "the issuer is named: {err}");
    assert!(err.contains("127.0.0.1"), "the host is named: {err}");
    assert!(
        err.contains("SSL_CERT_FILE"),
        "the hint names SSL_CERT_FILE: {err}"
    );
    assert!(!err.contains("error sending request"), "{err}");
    assert!(!env.version_dir(V).exists());

    // `bundled` reads neither the variable nor the OS store.
    let (code, _, err) = run(install(&env, port, &sha)
        .env("SSL_CERT_FILE", pki.join("ca.pem"))
        .env("PYV_TLS_ROOTS", "bundled"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("pyv test CA"), "{err}");

    // SSL_CERT_DIR alone works too, and so does SSL_CERT_FILE (with `system` or by default).
    let certs = pki.join("certs");
    fs::create_dir_all(&certs).unwrap();
    fs::copy(pki.join("ca.pem"), certs.join("ca.pem")).unwrap();
    let (code, _, err) = run(install(&env, port, &sha)
        .env("SSL_CERT_DIR", &certs)
        .env("PYV_TLS_ROOTS", "system"));
    assert_eq!(code, 0, "{err}");
    assert!(env.version_dir(V).join("bin/python3").exists());
    let (code, _, err) = run(install(&env, port, &sha)
        .arg("--force")
        .env("SSL_CERT_FILE", pki.join("ca.pem")));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_missing_or_empty_bundle_is_an_error_naming_the_variable() {
    let env = Env::new();
    let empty = env.path().join("empty.pem");
    fs::write(&empty, "no certificate here\n").unwrap();
    for (var, value, says) in [
        (
            "SSL_CERT_FILE",
            env.path().join("nope.pem"),
            "cannot be read",
        ),
        ("SSL_CERT_FILE", empty.clone(), "holds no PEM certificate"),
        ("SSL_CERT_DIR", env.path().join("no-dir"), "cannot be read"),
        (
            "SSL_CERT_DIR",
            env.path().to_path_buf(),
            "holds no PEM certificate",
        ),
    ] {
        let (code, _, err) = run(install(&env, 1, &"0".repeat(64)).env(var, &value));
        assert_eq!(code, 1, "{var}: {err}");
        assert!(err.contains(&format!("{var}=")), "{var}: {err}");
        assert!(err.contains(says), "{var}: {err}");
    }
    let (code, _, err) = run(install(&env, 1, &"0".repeat(64)).env("PYV_TLS_ROOTS", "native"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("PYV_TLS_ROOTS=`native`"), "{err}");
}

#[test]
fn installs_through_a_real_proxy_and_says_when_it_refuses() {
    if !have("openssl") || !have("python3") || !have("tinyproxy") {
        return;
    }
    let env = Env::new();
    let pki = env.path().join("pki");
    fs::create_dir_all(&pki).unwrap();
    make_ca(&pki);
    let (root, sha) = mirror(&env);
    let (_server, port) = tls_server(&pki, &root);
    let (_proxy, proxy_port) = tinyproxy(&pki);
    let ca = pki.join("ca.pem");

    // No credentials: the proxy's 407, said as such.
    let (code, _, err) = run(install(&env, port, &sha)
        .env("SSL_CERT_FILE", &ca)
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy_port}")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("asks for credentials"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{proxy_port}")), "{err}");

    // Wrong ones: refused, and the password is never shown.
    let (code, _, err) = run(install(&env, port, &sha).env("SSL_CERT_FILE", &ca).env(
        "https_proxy",
        format!("http://user:wrongpass@127.0.0.1:{proxy_port}"),
    ));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("refused"), "{err}");
    assert!(err.contains("credentials"), "{err}");
    assert!(!err.contains("wrongpass"), "no password in messages: {err}");

    // The right ones, through ALL_PROXY: installed through the tunnel.
    let (code, _, err) = run(install(&env, port, &sha).env("SSL_CERT_FILE", &ca).env(
        "ALL_PROXY",
        format!("http://user:secret@127.0.0.1:{proxy_port}"),
    ));
    assert_eq!(code, 0, "{err}");
    assert!(env.version_dir(V).join("bin/python3").exists());

    // A proxy where nothing listens: said in one line; NO_PROXY reaches the server directly.
    let dead = free_port();
    let _ = fs::remove_dir_all(env.path().join("cache"));
    let (code, _, err) = run(install(&env, port, &sha)
        .arg("--force")
        .env("SSL_CERT_FILE", &ca)
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{dead}")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("refused the connection"), "{err}");
    assert!(err.contains("NO_PROXY"), "{err}");
    let (code, _, err) = run(install(&env, port, &sha)
        .arg("--force")
        .env("SSL_CERT_FILE", &ca)
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{dead}"))
        .env("NO_PROXY", "127.0.0.1"));
    assert_eq!(code, 0, "{err}");
}
