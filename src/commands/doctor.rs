//! `pyv doctor`: the install preflight on its own, plus whether the shims are on PATH, so a
//! user can fix the machine before starting a build.

use clap::Args;

use crate::ctx::Ctx;
use crate::install::preflight::{self, Severity};

/// Check that this machine can build Python (compiler, make, development headers)
///
/// Prints one line per dependency, what goes missing without it (with the compiler's last
/// error lines), and the command that installs what is missing, and that the `pyv-shim` binary is beside pyv. Exits 1 if something needed is
/// missing: the shim binary, or what a build cannot do without (compiler, make, ssl, zlib).
#[derive(Args)]
pub struct Doctor {}

impl Doctor {
    pub fn run(self, ctx: &Ctx) -> crate::error::Result<i32> {
        let report = preflight::run(true, &crate::install::build_env().vars);
        crate::ui::out("build dependencies for CPython:");
        for c in &report.checks {
            let status = match (c.ok, c.severity) {
                (true, _) => "ok",
                (false, Severity::Optional) => "missing",
                (false, _) => "MISSING",
            };
            // A missing library's detail is what goes missing without it; the status column
            // already says "missing".
            let detail = match c.detail.strip_prefix("missing: ") {
                Some(lost) => format!("Python would lack {lost}"),
                None => c.detail.clone(),
            };
            crate::ui::out(&format!("  {status:<8} {:<11} {detail}", c.key));
            // The compiler's words: a real "no such header" or a probe that broke on its own.
            if let Some(d) = c.diagnostic.as_deref().filter(|_| !c.ok) {
                for line in d.lines() {
                    crate::ui::out(&format!("  {:<8} {:<11} compiler: {line}", "", ""));
                }
            }
        }
        if let Some(cmd) = report.install_command(report.missing()) {
            crate::ui::out(&format!("to install what is missing: {cmd}"));
        } else if report.missing().next().is_some() {
            crate::ui::out("install the missing development packages with your package manager");
        }
        // Without the shim binary beside pyv, `rehash` (and so every install) fails.
        let shim_ok = match Ctx::shim_source() {
            Ok(p) => {
                crate::ui::out(&format!(
                    "pyv itself:\n  {:<8} {:<11} {}",
                    "ok",
                    "pyv-shim",
                    p.display()
                ));
                true
            }
            Err(e) => {
                crate::ui::out(&format!(
                    "pyv itself:\n  {:<8} {:<11} {e}",
                    "MISSING", "pyv-shim"
                ));
                if let Some(h) = e.hint() {
                    crate::ui::out(&format!("to fix: {h}"));
                }
                false
            }
        };
        let shims = ctx.layout.shims_dir();
        let on_path = ctx
            .env
            .path
            .as_ref()
            .is_some_and(|p| std::env::split_paths(p).any(|d| d == shims));
        if !on_path {
            crate::ui::out(&format!(
                "note: {} is not on PATH; add `eval \"$(pyv init bash)\"` (or zsh/fish) to your shell's rc file",
                shims.display()
            ));
        }
        let blocking = report.missing().any(|c| c.severity != Severity::Optional);
        Ok(if blocking || !shim_ok { 1 } else { 0 })
    }
}
