//! `pyv virtualenvs`: list environments with their base version and path.

use clap::Args;
use pyv_core::{resolve, Selection};

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
            self.print_bare(&envs);
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
        let (sel, selected) = selected_dirs(ctx);
        let width = envs
            .iter()
            .map(|e| self.shown_name(e).len())
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
            let name = self.shown_name(e);
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

    /// `--bare`: pyenv-virtualenv's order, the long names (version order), then the short ones.
    fn print_bare(&self, envs: &[venv::Env]) {
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
    }

    /// The name an environment is listed by: without aliases, one that has an alias is shown
    /// by its long name.
    fn shown_name(&self, e: &venv::Env) -> String {
        if self.skip_aliases && e.alias {
            e.long_name()
        } else {
            e.name.clone()
        }
    }
}

/// The selection, and the directories of the environments it resolves to.
fn selected_dirs(ctx: &Ctx) -> (Option<Selection>, Vec<std::path::PathBuf>) {
    let sel = ctx.selection().ok();
    let selected = sel
        .iter()
        .flat_map(|s| s.versions.iter().map(move |n| (n, &s.origin)))
        .filter_map(|(n, o)| resolve::resolve(&ctx.layout, n, o).ok())
        .filter_map(|r| match r {
            resolve::Resolved::Installed { dir, .. } => Some(dir),
            resolve::Resolved::System => None,
        })
        .collect();
    (sel, selected)
}
