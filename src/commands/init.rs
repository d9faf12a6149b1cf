use clap::{Args, CommandFactory};

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::shell::{InitOptions, Shell, Target};

/// Print the shell code that enables pyv: `eval "$(pyv init - bash)"` in ~/.bashrc
///
/// pyenv's forms work too: `pyv init - bash|zsh|fish|sh`, `pyv init -` (detect the running
/// shell; `sh` under /bin/sh), `pyv init --path` (only the PATH setup, for a login profile).
#[derive(Args)]
pub struct Init {
    /// `-` and/or the shell: bash, zsh, fish or sh (`-` alone: detect the running shell)
    #[arg(value_name = "SHELL", num_args = 0..=2)]
    pub args: Vec<String>,
    /// Print only the code that puts the shims on PATH
    #[arg(long)]
    pub path: bool,
    /// Add the shims to PATH only if they are not on it already (default: move them first)
    #[arg(long)]
    pub no_push_path: bool,
    /// Activate the environment a directory's .python-version names when entering it
    #[arg(long)]
    pub auto_activate: bool,
    /// Do not create the shims on first use
    #[arg(long)]
    pub no_rehash: bool,
}

impl Init {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let mut dash = false;
        let mut name = None;
        for a in &self.args {
            match a.as_str() {
                "-" if !dash => dash = true,
                n if name.is_none() && n != "-" => name = Some(n),
                other => {
                    return Err(Error::usage(
                        format!("unexpected argument `{other}`"),
                        Some(
                            "usage: pyv init [-] [bash|zsh|fish|sh] [--path] [--no-push-path]"
                                .to_string(),
                        ),
                    ))
                }
            }
        }
        if !dash && name.is_none() && !self.path {
            eprintln!(
                "# Load pyv automatically by appending the following to your shell's startup file:\n\
                 #   bash (~/.bashrc):               eval \"$(pyv init - bash)\"\n\
                 #   zsh (~/.zshrc):                 eval \"$(pyv init - zsh)\"\n\
                 #   fish (~/.config/fish/config.fish): pyv init - fish | source\n\
                 # and restart your shell. (./install.sh does this for you.)"
            );
            return Ok(1);
        }
        let target = match name {
            None => crate::shell::detect_name()
                .and_then(|n| Target::from_name(&n))
                .ok_or_else(|| {
                    Error::usage(
                        "cannot tell which shell is running",
                        Some("name it: `pyv init - bash`, `pyv init - zsh`, `pyv init - fish` or `pyv init - sh`".to_string()),
                    )
                })?,
            Some(name) => Target::from_name(name).ok_or_else(|| {
                Error::usage(
                    format!("unsupported shell `{name}`"),
                    Some("pyv supports bash, zsh, fish and POSIX sh".to_string()),
                )
            })?,
        };
        let shims = ctx.layout.shims_dir();
        // As pyenv: the root's directories exist once the shell is set up.
        for dir in [ctx.layout.versions_dir(), shims.clone()] {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                crate::ui::err(&format!(
                    "pyv: warning: cannot create `{}`: {e}",
                    dir.display()
                ));
            }
        }
        if self.path {
            print!("{}", target.path_script(&shims, !self.no_push_path));
            return Ok(0);
        }
        if !self.no_rehash && !ctx.layout.shim_binary().is_file() {
            // First use: install the shim binary and make the shims. Later inits cost nothing here.
            if let Err(e) = ctx.rehash() {
                crate::ui::err(&format!("pyv: warning: {e}"));
            }
        }
        let exe = std::env::current_exe().map_err(|e| Error::io("cannot locate", "pyv", e))?;
        let exe = exe.canonicalize().unwrap_or(exe);
        let opts = InitOptions {
            push_path: !self.no_push_path,
            auto_activate: self.auto_activate,
        };
        print!("{}", target.init_script(&exe, &shims, opts));
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
