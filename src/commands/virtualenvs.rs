//! `pyv virtualenvs`: list environments with their base version and path.

use clap::Args;
use pyv_core::resolve;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::ui;
use crate::venv;

/// List virtualenvs: name, base version, path; `*` marks the active or selected one
#[derive(Args)]
pub struct Virtualenvs {
    /// Names only, one per line, as pyenv-virtualenv: every `<version>/envs/<name>`, then the
    /// short names (`versions/<name>` aliases and environments made directly there)
    #[arg(long)]
    pub bare: bool,
    /// Leave out the aliases: environments by their long name only
    #[arg(long)]
    pub skip_aliases: bool,
}

impl Virtualenvs {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let layout = &ctx.layout;
        let envs = venv::list(layout);
        if self.bare {
            // pyenv-virtualenv's order: the long names (version order), then the short ones.
            let mut long: Vec<String> = envs
                .iter()
                .map(|e| e.long_name())
                .filter(|n| n.contains("/envs/"))
                .collect();
            long.sort_by(|a, b| pyv_core::pyversion::compare_names(a, b));
            let short = envs.iter().filter(|e| {
                let in_versions = !e.long_name().contains("/envs/");
                in_versions || (e.alias && !self.skip_aliases)
            });
            for n in long.iter().chain(short.map(|e| &e.name)) {
                crate::ui::out(n);
            }
            return Ok(0);
        }
        if envs.is_empty() {
            crate::ui::err("pyv: no virtualenvs yet");
            crate::ui::err("hint: create one with `pyv virtualenv <version> <name>`");
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
        let width = envs
            .iter()
            .map(|e| {
                if self.skip_aliases && e.alias {
                    e.long_name().len()
                } else {
                    e.name.len()
                }
            })
            .max()
            .unwrap_or(0);
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
            // Without aliases, an environment that has one is shown by its long name.
            let name = if self.skip_aliases && e.alias {
                e.long_name()
            } else {
                e.name.clone()
            };
            let line = format!(
                "{} {:width$}  {:bwidth$}  {}",
                if why.is_some() { '*' } else { ' ' },
                name,
                e.base.as_deref().unwrap_or("?"),
                e.dir.display(),
            );
            match why {
                Some(w) => ui::out(&format!("{line}  {w}")),
                None => ui::out(&line),
            }
        }
        Ok(0)
    }
}
