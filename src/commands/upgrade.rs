//! `pyv upgrade`: install each series' newest patch and move its virtualenvs and pins onto it
//! (the moves themselves are `crate::upgrade`'s).

use clap::Args;
use pyv_core::pyversion::compare_names;
use pyv_core::Origin;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::install::plan::{Flags, Planner};
use crate::install::{prebuilt, Options};
use crate::ui::Ui;
use crate::upgrade::{self as up, EnvOf};

/// Move to the newest patch release of each installed series, virtualenvs and pins included
///
/// For each installed minor series (or the ones named: `3.12`, `pypy3.10`), install its newest
/// known patch (as `pyv install 3.12` would, after the same release-list refresh), then move
/// every virtualenv of the older patches onto it: copied beside its new place, its
/// `pyvenv.cfg`, `bin/python*` links, script shebangs and activation scripts rewritten, its
/// site-packages kept, then switched with one rename of its alias, so an env is wholly old or
/// wholly new, even if pyv is killed. `.python-version` files (from here upward) and the global
/// file naming the old patch are listed, and rewritten with `--pins`; a pin naming the series
/// (`3.12`) follows by itself. The old patch stays installed until `--prune`.
#[derive(Args)]
pub struct Upgrade {
    /// Series to upgrade (`3.12`, `3.13t`, `pypy3.10`) [default: every installed series]
    #[arg(value_name = "SERIES")]
    pub series: Vec<String>,
    /// Print the plan (installs, moves, pins, removals) and change nothing
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Rewrite the `.python-version` files and the global file that name an old patch
    #[arg(long)]
    pub pins: bool,
    /// Uninstall the old patches once their virtualenvs moved
    #[arg(long)]
    pub prune: bool,
    /// Move the one series named to another (`pyv upgrade 3.12 --to 3.13`): each env is made
    /// again on it and its packages reinstalled (`pip freeze`, `pip install -r`; may be slow)
    #[arg(long, value_name = "SERIES")]
    pub to: Option<String>,
}

/// What one series' upgrade does.
struct SeriesPlan {
    series: String,
    /// The newest patch, after the move.
    target: String,
    install: bool,
    /// Older patches, each with its environments.
    olds: Vec<(String, Vec<EnvOf>)>,
}

impl Upgrade {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let result = self.run_all(ctx);
        crate::locks::finish_sweeps();
        result
    }

    fn run_all(&self, ctx: &Ctx) -> Result<i32> {
        let installed = up::installed_series(&ctx.layout);
        let mut chosen = Vec::new();
        for raw in &self.series {
            let name = ctx.arg_name(raw)?;
            match installed.iter().find(|(s, _)| *s == name) {
                Some(found) => chosen.push(found.clone()),
                None => {
                    let have: Vec<&str> = installed.iter().map(|(s, _)| s.as_str()).collect();
                    return Err(Error::user(
                        format!("no installed series `{name}` (given on the command line)"),
                        Some(if have.is_empty() {
                            "nothing is installed: `pyv install 3.13`".to_string()
                        } else {
                            format!("installed series: {}", have.join(", "))
                        }),
                    ));
                }
            }
        }
        if self.series.is_empty() {
            chosen = installed;
        }
        if chosen.is_empty() {
            crate::ui::out("no Python series is installed; nothing to upgrade");
            return Ok(0);
        }

        let (mode, asked_by) = crate::commands::install::mode(false, false)?;
        let cfg = match mode {
            prebuilt::Mode::Source => None,
            _ => Some(prebuilt::Config::from_env()?),
        };
        let planning = Ui::new(ctx.quiet, "upgrade").plain();
        let mut planner = Planner::new(mode, asked_by, cfg, &ctx.cache_dir, &planning)?;
        let mut plans = Vec::new();
        for (series, versions) in chosen {
            let newest_installed = versions.last().expect("a series has a version").clone();
            let newest = match planner.job(&series, &Origin::Argument, Flags::default()) {
                Ok(job) => job.name().to_string(),
                Err(e) => {
                    crate::ui::err(&format!(
                        "pyv: warning: cannot tell {series}'s newest patch: {}; using the installed ones",
                        crate::error::with_causes(&e)
                    ));
                    newest_installed.clone()
                }
            };
            let (target, install) = if compare_names(&newest, &newest_installed).is_gt() {
                (newest, true)
            } else {
                (newest_installed, false)
            };
            let olds = versions
                .iter()
                .filter(|v| **v != target)
                .map(|v| (v.clone(), up::envs_of(&ctx.layout, v)))
                .collect();
            plans.push(SeriesPlan {
                series,
                target,
                install,
                olds,
            });
        }

        if let Some(to) = &self.to {
            let [from] = &plans[..] else {
                return Err(Error::usage(
                    format!(
                        "`--to {}` needs exactly one series to move from",
                        to.escape_debug()
                    ),
                    Some(format!("`pyv upgrade 3.12 --to {}`", to.escape_debug())),
                ));
            };
            return self.cross(ctx, from, to, &mut planner);
        }
        let cwd = ctx.cwd();
        let mut failed = 0;
        for plan in &plans {
            failed += self.one(ctx, plan, &cwd, &mut planner)?;
        }
        if self.dry_run {
            crate::ui::out("dry run: nothing was changed");
        }
        Ok(if failed > 0 { 1 } else { 0 })
    }

    /// `--to`: every env of every patch of `from`'s series made again on `to`'s newest patch
    /// (installed first if needed), its packages reinstalled; a report per env.
    fn cross(&self, ctx: &Ctx, from: &SeriesPlan, to: &str, planner: &mut Planner) -> Result<i32> {
        let layout = &ctx.layout;
        let to = ctx.arg_name(to)?;
        let is_series = pyv_core::pyversion::PyVersion::parse(&to)
            .is_some_and(|v| v.minor.is_some() && v.micro.is_none());
        if !is_series && !to.starts_with("pypy") {
            return Err(Error::usage(
                format!("`--to {to}` (given on the command line) is not a series such as `3.13`"),
                Some("name the series: `pyv upgrade 3.12 --to 3.13`".to_string()),
            ));
        }
        if to == from.series {
            return Err(Error::usage(
                format!("`--to {to}` is the series being upgraded"),
                Some(format!("`pyv upgrade {to}` moves to its newest patch")),
            ));
        }
        let installed = up::installed_series(layout);
        let newest_installed = installed
            .iter()
            .find(|(s, _)| *s == to)
            .and_then(|(_, v)| v.last().cloned());
        let newest = planner
            .job(&to, &Origin::Argument, Flags::default())
            .map(|j| j.name().to_string());
        let (target, install) = match (newest, newest_installed) {
            (Ok(n), Some(i)) if compare_names(&n, &i).is_gt() => (n, true),
            (_, Some(i)) => (i, false),
            (Ok(n), None) => (n, true),
            (Err(e), None) => return Err(e),
        };
        let mut envs: Vec<EnvOf> = Vec::new();
        let mut versions: Vec<String> = from.olds.iter().map(|(v, _)| v.clone()).collect();
        versions.push(from.target.clone());
        for v in &versions {
            envs.extend(up::envs_of(layout, v));
        }
        let would = if self.dry_run { "would " } else { "" };
        crate::ui::out(&format!(
            "{}: {} -> {target} (another series: each env is made again and its packages reinstalled)",
            from.series,
            versions.join(", ")
        ));
        if install {
            crate::ui::out(&format!("  {would}install Python {target}"));
            if !self.dry_run {
                install_new(ctx, planner, &target)?;
            }
        }
        if envs.is_empty() {
            crate::ui::out(&format!("  no virtualenvs on {}", from.series));
        }
        let mut failed = 0;
        let n = envs.len();
        for (i, env) in envs.iter().enumerate() {
            let old = env
                .dir
                .parent()
                .and_then(|p| p.parent())
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            crate::ui::out(&format!(
                "  {would}recreate virtualenv {old}/envs/{name} as {target}/envs/{name}",
                name = env.shown
            ));
            if self.dry_run {
                continue;
            }
            let progress = |what: &str| {
                if !ctx.quiet {
                    crate::ui::err(&format!("pyv: [{}/{n}] {}: {what}", i + 1, env.shown));
                }
            };
            match up::recreate_env(layout, &target, env, ctx.verbose, &progress) {
                Ok(missing) if missing.is_empty() => {
                    crate::ui::out(&format!("    {}: every package reinstalled", env.shown))
                }
                Ok(missing) => {
                    failed += 1;
                    crate::ui::out(&format!(
                        "    {}: not reinstalled: {}; the old env stays at {old}/envs/{}",
                        env.shown,
                        crate::ui::escape(&missing.join(", ")),
                        env.shown
                    ));
                }
                Err(e) => {
                    failed += 1;
                    pyv_core::report::report(
                        &format!(
                            "cannot make virtualenv `{}` on {target}; it is unchanged on {old}: {}",
                            env.shown,
                            crate::error::with_causes(&e)
                        ),
                        e.hint(),
                    );
                }
            }
        }
        if self.dry_run {
            crate::ui::out("dry run: nothing was changed");
        } else {
            ctx.rehash()?;
        }
        Ok(if failed > 0 { 1 } else { 0 })
    }

    /// Say and (unless `--dry-run`) do one series' upgrade. Returns how many envs failed.
    fn one(
        &self,
        ctx: &Ctx,
        plan: &SeriesPlan,
        cwd: &std::path::Path,
        planner: &mut Planner,
    ) -> Result<usize> {
        let layout = &ctx.layout;
        let (series, target) = (&plan.series, &plan.target);
        let would = if self.dry_run { "would " } else { "" };
        let olds: Vec<&str> = plan.olds.iter().map(|(v, _)| v.as_str()).collect();
        let mut pins = Vec::new();
        for old in &olds {
            pins.extend(
                up::pins(layout, cwd, old, target)
                    .into_iter()
                    .map(|p| (*old, p)),
            );
        }
        let env_pin = ctx
            .env
            .pyv_version
            .as_ref()
            .and_then(|v| v.to_str())
            .and_then(|v| {
                olds.iter()
                    .find_map(|o| up::env_pin(v, o, target).map(|n| (v, n)))
            });
        let nothing_moves = plan.olds.iter().all(|(_, e)| e.is_empty());
        if !plan.install && nothing_moves && pins.is_empty() && env_pin.is_none() {
            let mut line =
                format!("{series}: {target} is the newest patch pyv knows; nothing to upgrade");
            if !olds.is_empty() {
                if self.prune {
                    line = format!("{series}: {target} is the newest patch pyv knows");
                } else {
                    line.push_str(&format!(
                        " (older: {}; `pyv upgrade --prune {series}` removes them)",
                        olds.join(", ")
                    ));
                }
            }
            crate::ui::out(&line);
            if !self.prune || olds.is_empty() {
                return Ok(0);
            }
        } else {
            crate::ui::out(&format!(
                "{series}: {} -> {target}",
                if olds.is_empty() {
                    "(none)".to_string()
                } else {
                    olds.join(", ")
                }
            ));
        }
        let verbose = ctx.verbose;
        let step = |s: &str| {
            if verbose {
                crate::ui::err(&format!("pyv: {s}"));
            }
        };

        // 1. The new patch.
        if plan.install {
            crate::ui::out(&format!("  {would}install Python {target}"));
            if !self.dry_run {
                install_new(ctx, planner, target)?;
            }
        }

        // 2. The environments.
        let info = if self.dry_run || nothing_moves {
            None
        } else {
            Some(up::py_info(layout, target)?)
        };
        let mut failed = 0;
        let mut kept: Vec<&str> = Vec::new();
        for (old, envs) in &plan.olds {
            let mut all_moved = true;
            for env in envs {
                if let Some(new) = up::moved_already(layout, old, env) {
                    crate::ui::out(&format!(
                        "  {would}remove {old}/envs/{} (left over: it moved to {new} already)",
                        env.shown
                    ));
                    if !self.dry_run {
                        up::remove_old(&env.dir, &env.name);
                    }
                    continue;
                }
                let alias = if env.alias {
                    format!(" (alias `{}`)", env.shown)
                } else {
                    String::new()
                };
                let follows = env
                    .series
                    .as_ref()
                    .map_or(String::new(), |s| format!(", follows {s}"));
                crate::ui::out(&format!(
                    "  {would}move virtualenv {old}/envs/{name} -> {target}/envs/{name}{alias}{follows}",
                    name = env.shown
                ));
                let Some(info) = &info else { continue };
                if let Err(e) = up::move_env(layout, old, target, env, info, &step) {
                    failed += 1;
                    all_moved = false;
                    pyv_core::report::report(
                        &format!(
                            "cannot move virtualenv `{}` to {target}; it is unchanged on {old}: {}",
                            env.shown,
                            crate::error::with_causes(&e)
                        ),
                        e.hint().or(Some(format!(
                            "fix that, then run `pyv upgrade {series}` again"
                        ))),
                    );
                }
            }
            if !all_moved {
                kept.push(old);
            }
        }

        // 3. Pins.
        for (old, pin) in &pins {
            let file = pin.file.display().to_string();
            let shown = crate::ui::escape(&file);
            let changes: Vec<String> = pin
                .changes
                .iter()
                .map(|(a, b)| format!("{a} -> {b}"))
                .collect();
            if self.pins {
                crate::ui::out(&format!("  {would}rewrite {shown}: {}", changes.join(", ")));
                if !self.dry_run {
                    up::rewrite_pin(pin, old, target)?;
                }
            } else {
                crate::ui::out(&format!(
                    "  pin {shown} names {} (`pyv upgrade --pins {series}` rewrites it)",
                    changes.join(", ")
                ));
            }
        }
        for file in up::prefix_pins(layout, cwd, series) {
            crate::ui::out(&format!(
                "  pin {} names {series}: it follows the series already",
                crate::ui::escape(&file.display().to_string())
            ));
        }
        if let Some((from, to)) = &env_pin {
            crate::ui::out(&format!(
                "  PYV_VERSION is `{}`: change it to `export PYV_VERSION={}`",
                crate::ui::escape(from),
                crate::ui::escape(to)
            ));
        }

        // 4. The old patches.
        for old in &olds {
            // Never prune a patch something still uses: an env left in its `envs/` (one that did
            // not move, or one made meanwhile) would go with it, and one elsewhere whose `home`
            // is inside it (made by another tool) would break.
            let users = if self.prune && !self.dry_run {
                let p = crate::uninstall::plan(layout, old, cwd);
                let mut users: Vec<String> = p.env_labels().iter().map(|l| l.to_string()).collect();
                if up::has_envs(layout, old) && users.is_empty() {
                    users.push(format!("{old}/envs/"));
                }
                users
            } else {
                Vec::new()
            };
            if self.prune && users.is_empty() && !kept.contains(old) {
                crate::ui::out(&format!("  {would}uninstall Python {old}"));
                if !self.dry_run {
                    let p = crate::uninstall::plan(layout, old, cwd);
                    let ui = Ui::new(ctx.quiet, old);
                    crate::uninstall::execute(layout, &p, false, &ui)?;
                }
            } else if self.prune {
                let why = if users.is_empty() {
                    "some of its virtualenvs did not move".to_string()
                } else {
                    format!("still used by {}", users.join(", "))
                };
                crate::ui::out(&format!("  keep Python {old}: {why}"));
            } else {
                crate::ui::out(&format!(
                    "  keep Python {old} (`pyv upgrade --prune {series}` or `pyv uninstall {old}` removes it)"
                ));
            }
        }
        if !self.dry_run {
            ctx.rehash()?;
        }
        Ok(failed)
    }
}

/// Install `name` through `pyv install`'s pipeline (an install that is there already is fine).
fn install_new(ctx: &Ctx, planner: &mut Planner, name: &str) -> Result<()> {
    let settings = ctx.install_settings()?;
    crate::signals::install();
    let opts = Options {
        force: false,
        skip_existing: true,
        skip_preflight: false,
        keep: false,
        jobs: None,
        no_cache: false,
    };
    crate::commands::install::install_one(
        ctx,
        &settings,
        &opts,
        planner,
        Flags::default(),
        name,
        &Origin::Argument,
    )
}
