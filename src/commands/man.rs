use clap::{Args, CommandFactory};

use crate::ctx::Ctx;
use crate::error::Result;

/// Print pyv's man page (roff, the same as man/pyv.1): `pyv man | man -l -`
#[derive(Args)]
pub struct Man {}

impl Man {
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        use std::io::Write;
        let page = render();
        // A closed pipe (`pyv man | head`) is not an error worth a message.
        let _ = std::io::stdout().lock().write_all(&page);
        Ok(0)
    }
}

/// The page, from the same clap definitions as `--help` and the completions, with one
/// section per visible subcommand.
pub fn render() -> Vec<u8> {
    let cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut out).ok();
    man.render_name_section(&mut out).ok();
    man.render_synopsis_section(&mut out).ok();
    man.render_description_section(&mut out).ok();
    man.render_options_section(&mut out).ok();
    man.render_subcommands_section(&mut out).ok();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        out.extend_from_slice(format!(".SH \"PYV {}\"\n", name.to_uppercase()).as_bytes());
        let sub = sub.clone().bin_name(format!("pyv {name}"));
        let m = clap_mangen::Man::new(sub);
        m.render_synopsis_section(&mut out).ok();
        m.render_description_section(&mut out).ok();
        m.render_options_section(&mut out).ok();
    }
    out.extend_from_slice(environment().as_bytes());
    man.render_version_section(&mut out).ok();
    out
}

/// ENVIRONMENT, from the settings table that also renders docs/configuration.md.
fn environment() -> String {
    let roff = |t: &str| {
        t.replace('\\', "\\e")
            .replace('`', "")
            .replace("\n.", "\n\\&.")
    };
    let mut out = String::from(".SH ENVIRONMENT\n");
    for v in pyv_core::env_vars::TABLE {
        out += &format!(
            ".TP\n\\fB{}\\fR (default: {})\n{}\n",
            v.name,
            roff(v.default),
            roff(v.meaning)
        );
    }
    out
}
