//! `pyv virtualenvs`: list environments with their base version and path.

use clap::Args;
use pyv_core::resolve;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::venv;

/// List virtualenvs: name, base version, path; `*` marks the active or selected one
#[derive(Args)]
pub struct Virtualenvs {
    /// Names only, one per line
    #[arg(long)]
    pub bare: bool,
}

impl Virtualenvs {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let layout = &ctx.layout;
        let envs = venv::list(layout);
        if self.bare {
            for e in &envs {
                println!("{}", e.name);
            }
            return Ok(0);
        }
        if envs.is_empty() {
            eprintln!("pyv: no virtualenvs yet");
            eprintln!("hint: create one with `pyv virtualenv <version> <name>`");
            return Ok(0);
        }
        let same = |a: &std::path::Path, b: &std::path::Path| {
            a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
        };
        // Active: VIRTUAL_ENV is the environment. Selected: the selection resolves to it.
        let active = ctx.env.virtual_env.clone();
        let sel = ctx.selection().ok();
        let selected: Vec<std::path::PathBuf> = sel
            .iter()
            .flat_map(|s| s.versions.iter().map(move |n| (n, &s.origin)))
            .filter_map(|(n, o)| resolve::resolve(layout, n, o).ok())
            .filter_map(|r| match r {
                resolve::Resolved::Installed { dir, .. } => Some(dir),
                resolve::Resolved::System => None,
            })
            .collect();
        let width = envs.iter().map(|e| e.name.len()).max().unwrap_or(0);
        let bwidth = envs
            .iter()
            .map(|e| e.base.as_deref().unwrap_or("?").len())
            .max()
            .unwrap_or(0);
        for e in &envs {
            let why = if active.as_deref().is_some_and(|a| same(a, &e.dir)) {
                Some("(active: VIRTUAL_ENV)".to_string())
            } else if selected.iter().any(|s| same(s, &e.dir)) {
                sel.as_ref().map(|s| s.origin.to_string())
            } else {
                None
            };
            let line = format!(
                "{} {:width$}  {:bwidth$}  {}",
                if why.is_some() { '*' } else { ' ' },
                e.name,
                e.base.as_deref().unwrap_or("?"),
                e.dir.display(),
            );
            match why {
                Some(w) => println!("{line}  {w}"),
                None => println!("{line}"),
            }
        }
        Ok(0)
    }
}
