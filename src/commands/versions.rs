use std::fs;
use std::path::Path;

use clap::Args;
use pyv_core::resolve::Resolved;
use pyv_core::{which, Origin};

use crate::ctx::Ctx;
use crate::error::Result;
use crate::install::receipt::{Kind, Receipt};
use crate::locks::is_scratch;

/// List installed versions and environments; `*` marks the selected ones, `(prebuilt)` the
/// versions not built from source
///
/// An environment made from a series (`pyv virtualenv 3.12 web`) is marked `(follows 3.12)`:
/// `pyv upgrade` moves it to each new patch.
///
/// Each version is followed by its environments (`3.12.7/envs/web`); an alias shows its link
/// as written (`web --> 3.12.7/envs/web`).
#[derive(Args)]
pub struct Versions {
    /// Names only: no markers, no origin, no `system`
    #[arg(long)]
    pub bare: bool,
    /// Leave out versions that are symlinks to other versions or environments (a link to a
    /// directory outside versions/ is kept: it is a version of its own)
    #[arg(long)]
    pub skip_aliases: bool,
    /// Leave out virtual environments
    #[arg(long)]
    pub skip_envs: bool,
    /// Every command name in every version and environment, once (overrides the other flags)
    #[arg(long)]
    pub executables: bool,
}

impl Versions {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let layout = &ctx.layout;
        if self.executables {
            print_lines(pyv_core::rehash::wanted_commands(layout));
            return Ok(0);
        }
        let (selected, origin) = if self.bare {
            (Vec::new(), None)
        } else {
            let (names, origin) = selected(ctx)?;
            (names, Some(origin))
        };
        let mark = |name: &str, shown: &str| -> String {
            // How a version was made, when not a build of python.org's source here (a reuse of
            // such a build from the artifact cache is one too): `3.12.7 (prebuilt)`. PyPy,
            // GraalPy and conda names say what they are already.
            let how = match Receipt::read(&layout.version_dir(name)).map(|r| r.kind) {
                Some(Kind::Source | Kind::Cached | Kind::PyPy | Kind::GraalPy | Kind::Conda)
                | None => String::new(),
                Some(k) => format!(" ({k})"),
            };
            match &origin {
                Some(o) if selected.iter().any(|s| s == name) => format!("* {shown}{how} {o}"),
                _ => format!("  {shown}{how}"),
            }
        };
        let mut lines = Vec::new();
        // `--bare` lists names only, never `system` (as pyenv does), selected or not; and
        // `system` is listed only when there is one on PATH.
        if !self.bare
            && ["python", "python3", "python2"]
                .iter()
                .any(|c| which::find_system(layout, c, ctx.env.path.as_deref()).is_some())
        {
            lines.push(mark(Resolved::System.name(), "system"));
        }
        let versions_dir = layout.versions_dir();
        let real_versions = versions_dir.canonicalize().ok();
        for v in entries(&versions_dir) {
            let dir = layout.version_dir(&v);
            let link = fs::read_link(&dir).ok();
            if link.is_some() {
                if self.skip_aliases && is_alias(&dir, real_versions.as_deref()) {
                    continue;
                }
                if self.skip_envs && is_env_alias(&dir) {
                    continue;
                }
            }
            lines.push(match (&link, self.bare) {
                (_, true) => v.clone(),
                (Some(target), false) => mark(&v, &format!("{v} --> {}", target.display())),
                (None, false) => mark(&v, &v),
            });
            if self.skip_envs || link.is_some() {
                continue;
            }
            for e in entries(&layout.envs_dir(&v)) {
                let name = format!("{v}/envs/{e}");
                // Made from a prefix (`pyv virtualenv 3.12 web`): `pyv upgrade` moves it along.
                let shown = match crate::upgrade::cfg_value(
                    &layout.envs_dir(&v).join(&e),
                    crate::upgrade::SERIES,
                ) {
                    Some(s) => format!("{name} (follows {})", crate::ui::escape(&s)),
                    None => name.clone(),
                };
                lines.push(if self.bare { name } else { mark(&name, &shown) });
            }
        }
        if lines.is_empty() && !self.bare {
            eprintln!("Warning: no Python detected on the system");
            eprintln!("hint: install one with `pyv install 3.13`, or put a system Python on PATH");
            return Ok(1);
        }
        print_lines(lines);
        Ok(0)
    }
}

/// The selected names, resolved, and who chose them. A selected version that is not installed
/// is reported first and the list still follows (pyenv does the same, exit 0). An alias
/// (`myenv` -> `3.11.2/envs/myenv`) brings its target's name too, so that line is marked.
/// Which names are selected, resolved. A selected version that is not installed is reported
/// first and the list still follows (pyenv does the same, exit 0). Only the name that was
/// selected is marked: an alias (`myenv` -> `3.11.2/envs/myenv`) and its target are one
/// environment, listed twice, and two `*` would read as two selections.
fn selected(ctx: &Ctx) -> Result<(Vec<String>, Origin)> {
    let (found, origin, _) = super::tolerant_selection(ctx)?;
    let selected = found.iter().map(|r| r.name().to_string()).collect();
    Ok((selected, origin))
}

/// Print each line, escaped, at once (see [`crate::ui::print_all`]).
fn print_lines(lines: impl IntoIterator<Item = String>) {
    let mut out = String::new();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    crate::ui::print_all(&crate::ui::escape(&out));
}

/// The directories (or links to directories) in `dir` that name versions, dot directories
/// included as pyenv lists them (`.venv`), in version order; pyv's own scratch entries and
/// names the validator refuses are left out.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !is_scratch(n, &[".alias-", ".tmp-"]))
            .filter(|n| n != crate::install::staging::IN_VERSIONS)
            .filter(|n| pyv_core::name::problem(n).is_none() && n != "." && n != "..")
            .filter(|n| dir.join(n).is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by(|a, b| pyv_core::pyversion::compare_names(a, b));
    names
}

/// A link to another version or to an environment inside `versions/` (what `--skip-aliases`
/// leaves out); a link to a directory elsewhere is a version in its own right.
fn is_alias(link: &Path, real_versions: Option<&Path>) -> bool {
    let (Ok(target), Some(versions)) = (link.canonicalize(), real_versions) else {
        return false;
    };
    let parent = target.parent();
    parent == Some(versions)
        || (parent.and_then(Path::file_name) == Some("envs".as_ref())
            && parent.and_then(Path::parent).and_then(Path::parent) == Some(versions))
}

fn is_env_alias(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}
