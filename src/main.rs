//! pyv: a fast, safe Python version and virtualenv manager. `cli` parses and dispatches;
//! each subcommand lives in `commands/`; the selection logic shared with the shims lives in the
//! std-only `pyv_core` crate (`shims/`).

mod cache;
mod catalog;
mod cli;
mod commands;
mod ctx;
mod digest;
mod error;
mod http;
mod install;
mod linktree;
mod locks;
mod oci;
mod pipes;
mod report;
mod safepath;
mod shell;
mod signals;
mod tls;
mod ui;
mod uninstall;
mod upgrade;
mod venv;

fn main() {
    pipes::exit_quietly_on_broken_pipe();
    std::process::exit(cli::main());
}
