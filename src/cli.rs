//! Argument parsing and the one dispatch `match`. Each subcommand's flags and help text live
//! beside its code in `commands/`.

use pyv_core::env_vars::EnvVars;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::*;
use crate::ctx::Ctx;
use crate::error::Result;

#[derive(Parser)]
#[command(
    name = "pyv",
    version,
    about = "Install, select and run Python versions and virtualenvs, per user and per project",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings that apply to every subcommand.
#[derive(clap::Args)]
pub struct GlobalArgs {
    /// pyv's root: versions/, shims/ and the global `version` file [default: ~/.pyv]
    #[arg(
        long,
        env = EnvVars::PYV_ROOT,
        global = true,
        value_name = "DIR",
        hide_env_values = true,
        // Not `PathBuf`'s parser, which refuses an empty value: an empty PYV_ROOT means unset.
        value_parser = clap::builder::OsStringValueParser::new(),
        value_hint = clap::ValueHint::AnyPath
    )]
    pub root: Option<std::ffi::OsString>,
    /// Where downloads are cached [default: the user cache dir + pyv]
    #[arg(
        long,
        env = EnvVars::PYV_CACHE_DIR,
        global = true,
        value_name = "DIR",
        hide_env_values = true
    )]
    pub cache_dir: Option<PathBuf>,
    /// Print less (no progress)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more (stream build logs)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Subcommand)]
pub enum Command {
    // Selecting versions
    Global(global::Global),
    Local(local::Local),
    Shell(shell::Shell),
    #[command(name = "sh-shell", hide = true)]
    ShShell(shell::Shell),
    Version(version::Version),
    VersionName(version_name::VersionName),
    VersionOrigin(version_origin::VersionOrigin),
    VersionFile(version_file::VersionFile),
    Versions(versions::Versions),
    Latest(latest::Latest),
    // Running commands
    Which(which::Which),
    Whence(whence::Whence),
    Exec(exec::Exec),
    Prefix(prefix::Prefix),
    Rehash(rehash::Rehash),
    Shims(shims::Shims),
    // Installing
    Install(install::Install),
    Uninstall(uninstall::Uninstall),
    Update(update::Update),
    Upgrade(upgrade::Upgrade),
    Doctor(doctor::Doctor),
    Cache(cache::Cache),
    // Virtual environments
    Virtualenv(virtualenv::Virtualenv),
    Virtualenvs(virtualenvs::Virtualenvs),
    VirtualenvDelete(virtualenv_delete::VirtualenvDelete),
    VirtualenvPrefix(virtualenv_prefix::VirtualenvPrefix),
    Activate(activate::Activate),
    Deactivate(activate::Deactivate),
    #[command(name = "sh-activate", hide = true)]
    ShActivate(activate::Activate),
    #[command(name = "sh-deactivate", hide = true)]
    ShDeactivate(activate::Deactivate),
    // pyv itself
    Root(root::Root),
    Init(init::Init),
    Completions(completions::Completions),
    Commands(list_commands::Commands),
    #[command(hide = true)]
    Man(man::Man),
}

impl Command {
    fn run(self, ctx: &Ctx) -> Result<i32> {
        match self {
            Command::Global(c) => c.run(ctx),
            Command::Local(c) => c.run(ctx),
            Command::Shell(c) => c.run_unhooked(ctx),
            Command::ShShell(c) => c.run(ctx),
            Command::Version(c) => c.run(ctx),
            Command::VersionName(c) => c.run(ctx),
            Command::VersionOrigin(c) => c.run(ctx),
            Command::VersionFile(c) => c.run(ctx),
            Command::Versions(c) => c.run(ctx),
            Command::Latest(c) => c.run(ctx),
            Command::Which(c) => c.run(ctx),
            Command::Whence(c) => c.run(ctx),
            Command::Exec(c) => c.run(ctx),
            Command::Prefix(c) => c.run(ctx),
            Command::Rehash(c) => c.run(ctx),
            Command::Shims(c) => c.run(ctx),
            Command::Install(c) => c.run(ctx),
            Command::Uninstall(c) => c.run(ctx),
            Command::Update(c) => c.run(ctx),
            Command::Upgrade(c) => c.run(ctx),
            Command::Doctor(c) => c.run(ctx),
            Command::Cache(c) => c.run(ctx),
            Command::Virtualenv(c) => c.run(ctx),
            Command::Virtualenvs(c) => c.run(ctx),
            Command::VirtualenvDelete(c) => c.run(ctx),
            Command::VirtualenvPrefix(c) => c.run(ctx),
            Command::Activate(c) => c.run_unhooked(ctx),
            Command::Deactivate(c) => c.run_unhooked(ctx),
            Command::ShActivate(c) => c.run(ctx),
            Command::ShDeactivate(c) => c.run(ctx),
            Command::Root(c) => c.run(ctx),
            Command::Init(c) => c.run(ctx),
            Command::Completions(c) => c.run(ctx),
            Command::Commands(c) => c.run(ctx),
            Command::Man(c) => c.run(ctx),
        }
    }
}

/// Print clap's message for a command line it refused (or its help) and return its exit code.
/// On a terminal clap writes an offending argument as given, between its colours: when one
/// holds a control character (an ESC pasted with a name), the line is parsed again without
/// styles and printed escaped, as everything from outside is; other messages keep the colours.
fn refused(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let outside = std::env::args_os().any(|a| a.to_string_lossy().chars().any(char::is_control));
    if !outside || matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return e.exit_code();
    }
    let plain = <Cli as clap::CommandFactory>::command()
        .styles(clap::builder::Styles::plain())
        .try_get_matches_from(std::env::args_os())
        .err()
        .unwrap_or(e);
    let text = plain.render().ansi().to_string();
    let _ = std::io::Write::write_all(
        &mut std::io::stderr().lock(),
        crate::ui::escape(&text).as_bytes(),
    );
    plain.exit_code()
}

/// Parse, run, report. Returns the process exit code.
pub fn main() -> i32 {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, m.value_source("root"))));
    let (cli, root_source) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return refused(e),
    };
    // Where the root came from, for the hint when it cannot be written.
    let root_from = match (&cli.global.root, root_source) {
        (None, _) => "the default; set PYV_ROOT to use another",
        (Some(r), _) if r.is_empty() => "the default; set PYV_ROOT to use another",
        (Some(_), Some(ValueSource::CommandLine)) => "given by --root",
        (Some(_), _) => "set by PYV_ROOT",
    };
    // `--root DIR` typed on the command line is taken relative to here, as any path argument;
    // `PYV_ROOT` (or `HOME`) from the environment must be absolute (see `Layout::from_env`).
    let layout = match cli.global.root {
        Some(dir) if !dir.is_empty() && root_source == Some(ValueSource::CommandLine) => {
            let dir = PathBuf::from(dir);
            Ok(pyv_core::Layout::new(
                std::path::absolute(&dir).unwrap_or(dir),
            ))
        }
        root => pyv_core::Layout::from_root_var(root),
    };
    let layout = match layout {
        Ok(layout) => layout,
        Err(e) => {
            pyv_core::report::report_error(&e);
            return e.exit_code();
        }
    };
    let ctx = Ctx {
        layout,
        cache_dir: cli
            .global
            .cache_dir
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| dirs::cache_dir().map(|d| d.join("pyv")))
            .unwrap_or_else(|| std::env::temp_dir().join("pyv-cache")),
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
        env: crate::ctx::Env::read(),
    };
    match cli.command.run(&ctx) {
        Ok(code) => code,
        Err(e) if e.hint().is_none() && unwritable_root(&e, &ctx.layout) => {
            pyv_core::report::report(
                &crate::error::with_causes(&e),
                Some(format!(
                    "pyv keeps everything in PYV_ROOT `{}` ({root_from}): make it a writable \
                     directory, or point PYV_ROOT at one",
                    ctx.layout.root().display().to_string().escape_debug()
                )),
            );
            e.exit_code()
        }
        Err(crate::error::Error::Core(e)) => {
            pyv_core::report::report_error(&e);
            e.exit_code()
        }
        Err(e) => {
            e.report();
            e.exit_code()
        }
    }
}

/// Did `e` fail because pyv's root cannot be written (not a directory, no permission, a
/// read-only filesystem) while writing below it?
fn unwritable_root(e: &crate::error::Error, layout: &pyv_core::Layout) -> bool {
    use std::io::ErrorKind as K;
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    let mut io_kind = None;
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        cause = c.source();
    }
    let root = layout.root().display().to_string();
    let root_is_a_file = std::fs::metadata(layout.root()).is_ok_and(|m| !m.is_dir());
    (root_is_a_file
        || matches!(
            io_kind,
            Some(K::PermissionDenied | K::ReadOnlyFilesystem | K::NotADirectory)
        ))
        && io_kind.is_some()
        && crate::error::with_causes(e).contains(&format!("`{root}"))
}
