use std::fs;

use clap::Args;
use pyv_core::resolve::{self, Resolved};

use crate::ctx::Ctx;
use crate::error::Result;
use crate::install::receipt::{Kind, Receipt};

/// List installed versions and environments; `*` marks the selected ones, `(prebuilt)` the
/// versions not built from source
#[derive(Args)]
pub struct Versions {
    /// Names only: no markers, no origin, no `system`
    #[arg(long)]
    pub bare: bool,
    /// Leave out versions that are symlinks to other versions or environments
    #[arg(long)]
    pub skip_aliases: bool,
    /// Leave out virtual environments
    #[arg(long)]
    pub skip_envs: bool,
}

impl Versions {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let layout = &ctx.layout;
        let sel = ctx.selection()?;
        // Which names are selected, resolved, and the first selection problem (if any).
        let mut selected = Vec::new();
        let mut problem = None;
        for n in &sel.versions {
            match resolve::resolve(layout, n, &sel.origin) {
                Ok(r) => {
                    // An alias (`myenv` -> `3.11.2/envs/myenv`) marks its target's line too.
                    if let Ok(target) = fs::read_link(layout.version_dir(r.name())) {
                        selected.push(target.to_string_lossy().into_owned());
                    }
                    selected.push(r.name().to_string());
                }
                Err(e) => {
                    problem.get_or_insert(e);
                }
            }
        }
        let mark = |name: &str| -> String {
            // How a version was made, when not a build of python.org's source here (a reuse of
            // such a build from the artifact cache is one too): `3.12.7 (prebuilt)`. PyPy,
            // GraalPy and conda names say what they are already.
            let how = match Receipt::read(&layout.version_dir(name)).map(|r| r.kind) {
                Some(Kind::Source | Kind::Cached | Kind::PyPy | Kind::GraalPy | Kind::Conda)
                | None => String::new(),
                Some(k) => format!(" ({k})"),
            };
            if selected.iter().any(|s| s == name) {
                format!("* {name}{how} {}", sel.origin)
            } else {
                format!("  {name}{how}")
            }
        };
        let mut lines = Vec::new();
        // `--bare` lists names only, never `system` (as pyenv does), selected or not.
        if !self.bare
            && (selected.iter().any(|s| s == "system")
                || resolve::find_system(layout, "python3", ctx.env.path.as_deref()).is_some())
        {
            lines.push(mark(Resolved::System.name()));
        }
        for v in resolve::installed(layout) {
            let dir = layout.version_dir(&v);
            let alias = resolve::is_symlink(&dir);
            if alias && (self.skip_aliases || self.skip_envs && is_env_alias(&dir)) {
                continue;
            }
            let mut line = if self.bare { v.clone() } else { mark(&v) };
            if alias && !self.bare {
                if let Ok(target) = fs::read_link(&dir) {
                    line = format!(
                        "{line} --> {}",
                        layout.versions_dir().join(target).display()
                    );
                }
            }
            lines.push(line);
        }
        if !self.skip_envs {
            for e in resolve::installed_envs(layout) {
                lines.push(if self.bare { e.clone() } else { mark(&e) });
            }
        }
        for l in lines {
            println!("{l}");
        }
        match problem {
            Some(e) => Err(e.into()),
            None => Ok(0),
        }
    }
}

fn is_env_alias(dir: &std::path::Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}
