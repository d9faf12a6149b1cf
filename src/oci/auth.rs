//! Registry credentials, read as every registry client reads them. The order, first hit wins:
//!
//! 1. `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`): `credHelpers[<registry>]`,
//!    run as `docker-credential-<name> get` with the registry on stdin (JSON out);
//! 2. the same file's `auths[<registry>]`: base64 `auth` (`user:password`) or
//!    `username`/`password`;
//! 3. its `credsStore`, run the same way as a helper;
//! 4. `PYV_REGISTRY_USER` / `PYV_REGISTRY_PASSWORD`.
//!
//! Nothing found means anonymous access. A secret never appears in a message: [`Credentials`]
//! prints only the user and where the pair came from.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pyv_core::env_vars::EnvVars;
use pyv_core::report::escape;

/// A user and secret for one registry, with where they came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub secret: String,
    /// e.g. `credsStore docker-credential-pass`, `auths in /home/me/.docker/config.json`.
    pub source: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Credentials({} from {}, secret hidden)",
            self.user, self.source
        )
    }
}

/// The credentials for `registry` (`host` or `host:port`), reading variables through `env`
/// (the process environment in pyv, a table in tests). `Err` is one line: a config file that
/// is not JSON, a helper that failed; never a secret.
pub fn lookup(
    registry: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, String> {
    if let Some(path) = config_path(env) {
        if let Some(found) = from_config(&path, registry, env)? {
            return Ok(Some(found));
        }
    }
    let user = env(EnvVars::PYV_REGISTRY_USER).filter(|s| !s.is_empty());
    let secret = env(EnvVars::PYV_REGISTRY_PASSWORD);
    Ok(match (user, secret) {
        (Some(user), Some(secret)) => Some(Credentials {
            user,
            secret,
            source: format!(
                "{}/{}",
                EnvVars::PYV_REGISTRY_USER,
                EnvVars::PYV_REGISTRY_PASSWORD
            ),
        }),
        _ => None,
    })
}

fn config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let dir = match env(EnvVars::DOCKER_CONFIG).filter(|s| !s.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env(EnvVars::HOME).filter(|s| !s.is_empty())?).join(".docker"),
    };
    Some(dir.join("config.json"))
}

/// The keys `config.json` may file `registry` under (`docker login` writes `https://…` for
/// Docker Hub and bare hosts for the rest).
fn matches(key: &str, registry: &str) -> bool {
    let bare = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let bare = bare.split('/').next().unwrap_or(bare);
    bare.eq_ignore_ascii_case(registry)
}

fn from_config(
    path: &Path,
    registry: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, String> {
    let shown = pyv_core::report::shown(path);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown} is not JSON (line {}): registry credentials are read from it \
             (hint: fix it, or point {} at another directory)",
            e.line(),
            EnvVars::DOCKER_CONFIG
        )
    })?;
    let find = |field: &str| {
        json.get(field)
            .and_then(|v| v.as_object())
            .and_then(|m| m.iter().find(|(k, _)| matches(k, registry)))
            .map(|(_, v)| v.clone())
    };
    if let Some(helper) = find("credHelpers").and_then(|v| v.as_str().map(String::from)) {
        return helper_get(&helper, registry, env, "credHelpers", &shown);
    }
    if let Some(entry) = find("auths") {
        if let Some(auth) = entry.get("auth").and_then(|v| v.as_str()) {
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            let Some((user, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
                return Err(format!(
                    "{shown}: the `auth` of auths[{}] is not base64 of user:password \
                     (hint: run `docker login {}` again)",
                    escape(registry),
                    escape(registry)
                ));
            };
            return Ok(Some(Credentials {
                user: user.to_string(),
                secret: secret.to_string(),
                source: format!("auths in {shown}"),
            }));
        }
        let field = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(String::from);
        if let (Some(user), Some(secret)) = (field("username"), field("password")) {
            return Ok(Some(Credentials {
                user,
                secret,
                source: format!("auths in {shown}"),
            }));
        }
    }
    if let Some(store) = json.get("credsStore").and_then(|v| v.as_str()) {
        return helper_get(store, registry, env, "credsStore", &shown);
    }
    Ok(None)
}

/// Runs `docker-credential-<name> get` (found on `PATH` as `env` has it).
fn helper_get(
    name: &str,
    registry: &str,
    env: &dyn Fn(&str) -> Option<String>,
    field: &str,
    config: &str,
) -> Result<Option<Credentials>, String> {
    let program = format!("docker-credential-{name}");
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!(
            "{config}: the {field} helper `{}` is not a plain name (hint: name the \
             docker-credential-<name> program, e.g. \"pass\")",
            escape(name)
        ));
    }
    let path_var = env("PATH").unwrap_or_default();
    let Some(exe) = std::env::split_paths(&path_var)
        .map(|d| d.join(&program))
        .find(|p| p.is_file())
    else {
        return Err(format!(
            "{config} names the {field} helper {program}, which is not on PATH \
             (hint: install it, or remove {field} from the file)"
        ));
    };
    let fail = |why: String| format!("{program} get (from {field} in {config}) {why}");
    let mut child = Command::new(&exe)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(registry.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("failed: {e}")))?;
    if !out.status.success() {
        // `credentials not found in native keychain` is how helpers say "none": anonymous.
        let said = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        if said.to_ascii_lowercase().contains("not found") {
            return Ok(None);
        }
        return Err(fail(format!("exited with {}", out.status)));
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| fail("did not print JSON with Username and Secret".into()))?;
    let get = |k: &str| json.get(k).and_then(|v| v.as_str()).map(String::from);
    match (get("Username"), get("Secret")) {
        (Some(user), Some(secret)) => Ok(Some(Credentials {
            user,
            secret,
            source: format!("{field} {program}"),
        })),
        _ => Err(fail("did not print JSON with Username and Secret".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SECRET: &str = "s3cr3t-Pa55";

    fn env_of(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn b64(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn auths_then_variables_then_anonymous() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap().to_string();
        std::fs::write(
            dir.path().join("config.json"),
            format!(
                r#"{{"auths":{{"reg.one:5000":{{"auth":"{}"}},
                   "https://reg.two":{{"username":"bob","password":"{SECRET}"}}}}}}"#,
                b64(&format!("alice:{SECRET}:with-colon"))
            ),
        )
        .unwrap();
        let env = env_of(&[
            (EnvVars::DOCKER_CONFIG, d.clone()),
            (EnvVars::PYV_REGISTRY_USER, "carol".into()),
            (EnvVars::PYV_REGISTRY_PASSWORD, SECRET.into()),
        ]);
        let one = lookup("reg.one:5000", &env).unwrap().unwrap();
        assert_eq!(
            (one.user.as_str(), one.secret.as_str()),
            ("alice", "s3cr3t-Pa55:with-colon")
        );
        assert!(one.source.starts_with("auths in "), "{}", one.source);
        let two = lookup("reg.two", &env).unwrap().unwrap();
        assert_eq!((two.user.as_str(), two.secret.as_str()), ("bob", SECRET));
        let three = lookup("reg.three", &env).unwrap().unwrap();
        assert_eq!(three.user, "carol");
        assert_eq!(three.source, "PYV_REGISTRY_USER/PYV_REGISTRY_PASSWORD");
        assert!(!format!("{three:?}").contains(SECRET));
        let none = env_of(&[(EnvVars::DOCKER_CONFIG, d)]);
        assert_eq!(lookup("reg.three", &none).unwrap(), None);
    }

    #[test]
    fn helpers_run_with_the_registry_on_stdin() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        for (name, body) in [
            // Answers only for the registry it is asked about, read from stdin.
            ("store", format!(
                "read r; [ \"$1\" = get ] || exit 3; [ \"$r\" = reg.s ] || {{ echo 'credentials not found'; exit 1; }}\n\
                 printf '{{\"ServerURL\":\"%s\",\"Username\":\"u-%s\",\"Secret\":\"{SECRET}\"}}' \"$r\" \"$r\"\n")),
            ("broken", format!("echo 'oops {SECRET}' >&2; exit 2\n")),
        ] {
            let p = bin.join(format!("docker-credential-{name}"));
            std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"credsStore":"store","credHelpers":{"reg.b":"broken","reg.x":"../x"}}"#,
        )
        .unwrap();
        let env = env_of(&[
            (EnvVars::DOCKER_CONFIG, dir.path().to_str().unwrap().into()),
            ("PATH", bin.to_str().unwrap().into()),
        ]);
        let c = lookup("reg.s", &env).unwrap().unwrap();
        assert_eq!((c.user.as_str(), c.secret.as_str()), ("u-reg.s", SECRET));
        assert_eq!(c.source, "credsStore docker-credential-store");
        assert_eq!(lookup("reg.other", &env).unwrap(), None);
        let e = lookup("reg.b", &env).unwrap_err();
        assert!(
            e.contains("docker-credential-broken") && !e.contains(SECRET),
            "{e}"
        );
        let e = lookup("reg.x", &env).unwrap_err();
        assert!(e.contains("not a plain name"), "{e}");
    }

    #[test]
    fn a_bad_config_is_one_line_without_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_of(&[(EnvVars::DOCKER_CONFIG, dir.path().to_str().unwrap().into())]);
        let cfg = dir.path().join("config.json");
        std::fs::write(
            &cfg,
            format!(r#"{{"auths":{{"r":{{"auth":"{SECRET}!"}}}}}}"#),
        )
        .unwrap();
        let e = lookup("r", &env).unwrap_err();
        assert!(
            !e.contains(SECRET) && !e.contains('\n') && e.contains("hint:"),
            "{e}"
        );
        std::fs::write(&cfg, format!("{{\"auths\": {SECRET}")).unwrap();
        let e = lookup("r", &env).unwrap_err();
        assert!(!e.contains(SECRET) && e.contains("not JSON"), "{e}");
    }
}
