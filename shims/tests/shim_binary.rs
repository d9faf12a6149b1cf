//! The `pyv-shim` binary itself. (Having an integration test here also makes
//! `cargo test --workspace` build `target/<profile>/pyv-shim`, which the CLI's tests install
//! into their temp roots.)

use std::process::Command;

#[test]
fn run_under_its_own_name_it_explains_itself_with_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_pyv-shim"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pyv rehash"), "{err}");
}

#[test]
fn a_shim_name_with_nothing_selected_reports_not_found() {
    let root = std::env::temp_dir().join(format!("pyv-shim-bin-{}", std::process::id()));
    std::fs::create_dir_all(root.join("versions")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pyv-shim"))
        .env("PYV_ROOT", &root)
        .env("PYV_VERSION", "3.99.0")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    // argv[0] is the binary's own path here, so use a copy named like a command instead.
    assert_eq!(out.status.code(), Some(2));
    let link = root.join("python");
    std::fs::hard_link(env!("CARGO_BIN_EXE_pyv-shim"), &link)
        .or_else(|_| std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_pyv-shim"), &link))
        .unwrap();
    let out = Command::new(&link)
        .env("PYV_ROOT", &root)
        .env("PYV_VERSION", "3.99.0")
        .output()
        .unwrap();
    // As pyenv's shims (`pyenv exec`): the missing version, then "command not found", 127.
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("pyv: version `3.99.0` is not installed (set by PYV_VERSION"),
        "{err}"
    );
    assert!(err.contains("\npyv: python: command not found\n"), "{err}");
    std::fs::remove_dir_all(&root).unwrap();
}
