use clap::{Args, CommandFactory};

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::shell::Shell;

/// Print the shell code that enables pyv: `eval "$(pyv init bash)"` in ~/.bashrc
#[derive(Args)]
pub struct Init {
    /// bash, zsh, fish, or `-` to detect the running shell
    pub shell: Option<String>,
    /// Activate the environment a directory's .python-version names when entering it
    #[arg(long)]
    pub auto_activate: bool,
    /// Do not create the shims on first use
    #[arg(long)]
    pub no_rehash: bool,
}

impl Init {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let shell = match self.shell.as_deref() {
            None => {
                eprintln!(
                    "# Load pyv automatically by appending the following to your shell's startup file:\n\
                     #   bash (~/.bashrc):               eval \"$(pyv init bash)\"\n\
                     #   zsh (~/.zshrc):                 eval \"$(pyv init zsh)\"\n\
                     #   fish (~/.config/fish/config.fish): pyv init fish | source\n\
                     # and restart your shell. (./install.sh does this for you.)"
                );
                return Ok(1);
            }
            Some("-") => Shell::detect().ok_or_else(|| {
                Error::usage(
                    "cannot tell which shell is running",
                    Some("name it: `pyv init bash`, `pyv init zsh` or `pyv init fish`".to_string()),
                )
            })?,
            Some(name) => Shell::from_name(name).ok_or_else(|| {
                Error::usage(
                    format!("unsupported shell `{name}`"),
                    Some("pyv supports bash, zsh and fish".to_string()),
                )
            })?,
        };
        if !self.no_rehash && !ctx.layout.shim_binary().is_file() {
            // First use: make the shims directory exist. Later inits cost nothing here.
            if let Err(e) = ctx.rehash() {
                eprintln!("pyv: warning: {e}");
            }
        }
        let exe = std::env::current_exe().map_err(|e| Error::io("cannot locate", "pyv", e))?;
        let exe = exe.canonicalize().unwrap_or(exe);
        let script = shell.init_script(&exe, &ctx.layout.shims_dir(), self.auto_activate);
        print!("{script}");
        Ok(0)
    }
}

/// The completion script for `shell`: clap's for subcommands and options (without the hidden
/// `sh-*` commands), then a function that completes names from the live root (installed
/// versions and environments, the catalog for `install`, command names for `which`).
pub fn completion_script(shell: Shell) -> String {
    let full = crate::cli::Cli::command();
    let mut cmd = clap::Command::new("pyv")
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    if let Some(about) = full.get_about() {
        cmd = cmd.about(about.clone());
    }
    let mut buf = Vec::new();
    let (gen, dynamic) = match shell {
        Shell::Bash => (
            clap_complete::Shell::Bash,
            include_str!("../shell/complete_dynamic.bash"),
        ),
        Shell::Zsh => (
            clap_complete::Shell::Zsh,
            include_str!("../shell/complete_dynamic.zsh"),
        ),
        Shell::Fish => (
            clap_complete::Shell::Fish,
            include_str!("../shell/complete_dynamic.fish"),
        ),
    };
    clap_complete::generate(gen, &mut cmd, "pyv", &mut buf);
    String::from_utf8_lossy(&buf).into_owned() + dynamic
}
