//! `pyv shims`: list the shims (pyenv's output: one path a line), and keep the list of command
//! names that get none (`$PYV_ROOT/shims.skip`, read by every rehash).

use std::fs;

use clap::Args;
use pyv_core::fsx;
use pyv_core::rehash::{is_command_name, parse_skip, skipped};

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// List the shims (and the commands that get none: --skip, --unskip)
#[derive(Args)]
pub struct Shims {
    /// Names only, not full paths
    #[arg(long)]
    pub short: bool,
    /// Make no shim for this command (e.g. `python`, so only `python3` is redirected); listed
    /// in $PYV_ROOT/shims.skip, applied by a rehash straight away
    #[arg(long, value_name = "NAME")]
    pub skip: Vec<String>,
    /// Make shims for this command again
    #[arg(long, value_name = "NAME")]
    pub unskip: Vec<String>,
}

impl Shims {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        if !self.skip.is_empty() || !self.unskip.is_empty() {
            return self.edit(ctx);
        }
        let dir = ctx.layout.shims_dir();
        let mut names: Vec<String> = fs::read_dir(&dir)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        let mut out = String::new();
        for n in names {
            if self.short {
                out.push_str(&crate::ui::escape(&n));
            } else {
                // A path for scripts, as `pyv which` prints one: not escaped.
                out.push_str(&dir.join(n).display().to_string());
            }
            out.push('\n');
        }
        crate::ui::print_all(&out);
        // stdout stays pyenv's (paths only, for scripts); the skipped names are a note on stderr,
        // printed only when shims.skip lists any.
        let skip = skipped(&ctx.layout)?;
        if !skip.is_empty() && !ctx.quiet {
            let shown: Vec<String> = skip.iter().map(|n| n.escape_debug().to_string()).collect();
            eprintln!(
                "skipped ({}): {}",
                ctx.layout.skip_file().display(),
                shown.join(", ")
            );
        }
        Ok(0)
    }

    /// Add `--skip` names to shims.skip and drop `--unskip` ones (temp file + rename, under a
    /// lock so two edits do not lose each other's), then rehash.
    fn edit(self, ctx: &Ctx) -> Result<i32> {
        for (flag, n) in self
            .skip
            .iter()
            .map(|n| ("--skip", n))
            .chain(self.unskip.iter().map(|n| ("--unskip", n)))
        {
            if !is_command_name(n) {
                return Err(Error::usage(
                    format!(
                        "`{}` is not a command name (given to {flag})",
                        n.escape_debug()
                    ),
                    Some(
                        "a command name is letters, digits and `._+-`, not starting with `.` or `-` \
                         (no `/`, spaces or control characters)"
                            .to_string(),
                    ),
                ));
            }
        }
        let path = ctx.layout.skip_file();
        {
            let _lock = fsx::lock(&ctx.layout, "shims-skip")?;
            let text = match fs::read(&path) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(Error::io("cannot read", &path, e)),
            };
            // Unskipping removes the lines naming the command; comments and other lines stay.
            let mut lines: Vec<&str> = text
                .lines()
                .filter(|l| {
                    parse_skip(l)
                        .iter()
                        .next()
                        .is_none_or(|n| !self.unskip.contains(n))
                })
                .collect();
            let have = parse_skip(&lines.join("\n"));
            let mut added = Vec::new();
            for n in &self.skip {
                if !have.contains(n) && !added.contains(&n.as_str()) && !self.unskip.contains(n) {
                    added.push(n.as_str());
                }
            }
            lines.extend(added.iter().copied());
            let mut new = lines.join("\n");
            if !new.is_empty() {
                new.push('\n');
            }
            if new != text {
                fsx::write_atomic(&path, new.as_bytes())?;
            }
            if !ctx.quiet {
                for n in &self.unskip {
                    if !parse_skip(&text).contains(n) {
                        eprintln!("pyv: `{n}` was not skipped");
                    }
                }
            }
        }
        let report = ctx.rehash()?;
        if ctx.verbose {
            eprintln!(
                "{} shims ({} added, {} removed)",
                report.total,
                report.added.len(),
                report.removed.len()
            );
        }
        Ok(0)
    }
}
