use super::*;
use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const COMPILER: &[&str] = &[
    "CC",
    "CFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "LIBS",
    "PKG_CONFIG_PATH",
];

fn linux() -> Host {
    Host {
        mac: false,
        path: OsString::from("/nonexistent"),
    }
}

fn read_with(vars: &[(&str, &str)], host: &Host) -> BuildEnv {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    read(&|k| map.get(k).cloned(), COMPILER, host)
}

fn var<'a>(env: &'a BuildEnv, k: &str) -> Option<&'a str> {
    env.vars
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
}

#[test]
fn configure_opts_follow_python_build_and_pyv_wins() {
    let e = read_with(
        &[
            ("CONFIGURE_OPTS", "--with-lto"),
            ("PYTHON_CONFIGURE_OPTS", "--enable-optimizations"),
        ],
        &linux(),
    );
    assert_eq!(e.configure_opts, ["--with-lto", "--enable-optimizations"]);
    assert!(e.notes.is_empty());
    let e = read_with(
        &[
            ("PYV_CONFIGURE_OPTS", "--without-ensurepip"),
            ("PYTHON_CONFIGURE_OPTS", "--enable-optimizations"),
        ],
        &linux(),
    );
    assert_eq!(e.configure_opts, ["--without-ensurepip"]);
    assert!(
        e.notes[0].contains("PYV_CONFIGURE_OPTS is set"),
        "{:?}",
        e.notes
    );
}

#[test]
fn make_opts_in_python_build_order() {
    let e = read_with(&[], &linux());
    assert_eq!(e.make_opts, None);
    assert!(e.make_extra.is_empty());
    assert_eq!(e.make_install_target, "install");
    let e = read_with(
        &[
            ("MAKE_OPTS", "-j3"),
            ("MAKEOPTS", "-j5"),
            ("PYTHON_MAKE_OPTS", "V=1"),
            ("MAKE_INSTALL_OPTS", "A=1"),
            ("PYTHON_MAKE_INSTALL_OPTS", "B=2"),
            ("PYTHON_MAKE_INSTALL_TARGET", "altinstall"),
        ],
        &linux(),
    );
    assert_eq!(e.make_opts.as_deref(), Some(&["-j5".to_string()][..]));
    assert_eq!(e.make_extra, ["V=1"]);
    assert_eq!(e.make_install_opts, ["A=1", "B=2"]);
    assert_eq!(e.make_install_target, "altinstall");
    // PYV_MAKE_OPTS replaces the default -j, and PYTHON_MAKE_OPTS.
    let e = read_with(
        &[("PYV_MAKE_OPTS", "-j1"), ("PYTHON_MAKE_OPTS", "V=1")],
        &linux(),
    );
    assert_eq!(e.make_opts.as_deref(), Some(&[][..]));
    assert_eq!(e.make_extra, ["-j1"]);
    assert!(e.notes.iter().any(|n| n.contains("PYV_MAKE_OPTS is set")));
}

#[test]
fn python_flags_are_appended_and_keyed() {
    let e = read_with(
        &[
            ("CFLAGS", "-O2"),
            ("PYTHON_CFLAGS", "-march=native"),
            ("PYTHON_CPPFLAGS", "-I/opt/x/include"),
            ("PYTHON_LDFLAGS", "-L/opt/x/lib"),
            ("PYTHON_BUILD_MIRROR_URL", "https://m.example/pythons/"),
        ],
        &linux(),
    );
    assert_eq!(var(&e, "CFLAGS"), Some("-O2 -march=native"));
    assert_eq!(var(&e, "CPPFLAGS"), Some("-I/opt/x/include"));
    assert_eq!(var(&e, "LDFLAGS"), Some("-L/opt/x/lib"));
    let keys: Vec<&str> = e.key_vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["PYTHON_CFLAGS", "PYTHON_CPPFLAGS", "PYTHON_LDFLAGS"]);
    assert_eq!(
        e.mirror,
        Some(Mirror::BySha256("https://m.example/pythons".into()))
    );
}

#[test]
fn mirror_skip_and_python_org_layout() {
    let e = read_with(
        &[
            ("PYTHON_BUILD_MIRROR_URL", "https://m.example"),
            ("PYTHON_BUILD_SKIP_MIRROR", "1"),
        ],
        &linux(),
    );
    assert_eq!(e.mirror, None);
    let e = read_with(
        &[
            ("PYTHON_BUILD_MIRROR_URL", "https://m.example"),
            ("PYV_MIRROR", "https://pyv.example"),
        ],
        &linux(),
    );
    assert!(e.notes[0].contains("PYV_MIRROR is set"), "{:?}", e.notes);
    let e = read_with(
        &[
            ("PYTHON_BUILD_MIRROR_URL", "https://m.example"),
            ("PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM", "1"),
        ],
        &linux(),
    );
    assert_eq!(
        e.mirror,
        Some(Mirror::PythonOrg("https://m.example".into()))
    );
    assert!(e.notes[0].contains("still checks"), "{:?}", e.notes);
}

/// A fake `brew` in a temp dir answering `--prefix [formula]` from real directories.
fn fake_brew(dir: &Path, formulas: &[&str]) -> Host {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let mut script = String::from("#!/bin/sh\ncase \"$2\" in\n");
    script.push_str(&format!("  '') echo {};;\n", dir.join("brew").display()));
    for f in formulas {
        let p = dir.join("opt").join(f);
        std::fs::create_dir_all(p.join("lib")).unwrap();
        script.push_str(&format!("  '{f}') echo {};;\n", p.display()));
    }
    script.push_str(
        "  *) echo \"Error: No available formula with the name $2\" >&2; exit 1;;\nesac\n",
    );
    let brew = bin.join("brew");
    std::fs::write(&brew, script).unwrap();
    std::fs::set_permissions(&brew, std::fs::Permissions::from_mode(0o755)).unwrap();
    Host {
        mac: true,
        path: bin.into_os_string(),
    }
}

#[test]
fn homebrew_on_macos_prefers_openssl_3_and_adds_readline_and_tcltk() {
    let tmp = tempfile::tempdir().unwrap();
    let host = fake_brew(
        tmp.path(),
        &["openssl@3", "openssl@1.1", "readline", "tcl-tk", "zlib"],
    );
    let opt = tmp.path().join("opt");
    let tk = opt.join("tcl-tk/lib");
    std::fs::write(
        tk.join("tclConfig.sh"),
        "TCL_INCLUDE_SPEC='-I/tk/include'\nTCL_LIB_SPEC='-L/tk/lib -ltcl8.6'\n",
    )
    .unwrap();
    std::fs::write(
        tk.join("tkConfig.sh"),
        "TK_INCLUDE_SPEC='-I/tk/include/tk'\nTK_LIB_SPEC='-ltk8.6'\n",
    )
    .unwrap();
    let e = read_with(&[("CPPFLAGS", "-DX")], &host);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert!(
        e.detected_opts.contains(&format!(
            "--with-openssl={}",
            opt.join("openssl@3").display()
        )),
        "{:?}",
        e.detected_opts
    );
    assert!(
        e.detected_opts
            .contains(&"--with-tcltk-includes=-I/tk/include -I/tk/include/tk".to_string()),
        "{:?}",
        e.detected_opts
    );
    assert!(e
        .detected_opts
        .contains(&"--with-tcltk-libs=-L/tk/lib -ltcl8.6 -ltk8.6".to_string()));
    let cpp = var(&e, "CPPFLAGS").unwrap();
    for f in ["readline", "zlib"] {
        assert!(
            cpp.contains(&format!("-I{}/include", opt.join(f).display())),
            "{cpp}"
        );
    }
    assert!(
        cpp.ends_with(&format!(
            "-DX -I{}/include",
            tmp.path().join("brew").display()
        )),
        "{cpp}"
    );
    let pc = var(&e, "PKG_CONFIG_PATH").unwrap();
    assert!(
        pc.starts_with(&opt.join("openssl@3/lib/pkgconfig").display().to_string()),
        "{pc}"
    );
    assert!(
        e.notes.iter().any(|n| n.starts_with("using Homebrew")),
        "{:?}",
        e.notes
    );

    // Without openssl@3, openssl@1.1; a user's own --with-openssl wins.
    let tmp2 = tempfile::tempdir().unwrap();
    let host2 = fake_brew(tmp2.path(), &["openssl@1.1"]);
    let e = read_with(&[], &host2);
    assert_eq!(
        e.detected_opts,
        [format!(
            "--with-openssl={}",
            tmp2.path().join("opt/openssl@1.1").display()
        )]
    );
    let e = read_with(&[("PYTHON_CONFIGURE_OPTS", "--with-openssl=/mine")], &host2);
    assert!(e.detected_opts.is_empty(), "{:?}", e.detected_opts);
}

#[test]
fn homebrew_skip_use_and_linux() {
    let tmp = tempfile::tempdir().unwrap();
    let mac = fake_brew(tmp.path(), &["openssl@3", "readline"]);
    let e = read_with(&[("PYTHON_BUILD_SKIP_HOMEBREW", "1")], &mac);
    assert!(e.detected_opts.is_empty() && e.vars.is_empty(), "{e:?}");
    // On Linux, Homebrew only when asked for; OpenSSL stays the system's there.
    let linux = Host {
        mac: false,
        ..mac.clone()
    };
    let e = read_with(&[], &linux);
    assert!(e.vars.is_empty(), "{e:?}");
    let e = read_with(&[("PYTHON_BUILD_USE_HOMEBREW", "1")], &linux);
    assert!(e.detected_opts.is_empty(), "{:?}", e.detected_opts);
    assert!(var(&e, "CPPFLAGS")
        .unwrap()
        .contains("opt/readline/include"));
    let e = read_with(
        &[
            ("PYTHON_BUILD_USE_HOMEBREW", "1"),
            ("PYTHON_BUILD_SKIP_HOMEBREW", "1"),
        ],
        &mac,
    );
    assert!(e.errors[0].contains("mutually exclusive"), "{:?}", e.errors);
}

#[test]
fn macports_when_no_homebrew() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let port = bin.join("port");
    std::fs::write(
    &port,
    "#!/bin/sh\ncase \"$3\" in openssl3|readline) echo \"  $3 @3.0_0 (active)\";; *) exit 0;; esac\n",
)
.unwrap();
    std::fs::set_permissions(&port, std::fs::Permissions::from_mode(0o755)).unwrap();
    let host = Host {
        mac: true,
        path: bin.into_os_string(),
    };
    let e = read_with(&[], &host);
    let p = tmp.path().display().to_string();
    assert_eq!(e.detected_opts, [format!("--with-openssl={p}")]);
    assert!(var(&e, "CPPFLAGS")
        .unwrap()
        .starts_with(&format!("-I{p}/include")));
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("MacPorts") && n.contains("openssl3, readline")),
        "{:?}",
        e.notes
    );
    let e = read_with(&[("PYTHON_BUILD_SKIP_MACPORTS", "1")], &host);
    assert!(e.detected_opts.is_empty());
}
