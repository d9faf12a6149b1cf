use std::path::PathBuf;

use clap::Args;
use pyv_core::version_file;

use crate::ctx::Ctx;
use crate::error::Result;

/// Show the version file that selects the version in DIR (default: here)
///
/// Without DIR: the nearest `.python-version` from `PYV_DIR` (when set) or here, else the
/// global file. With DIR: the nearest from DIR, and exit 1 (stdout empty) when there is none.
#[derive(Args)]
pub struct VersionFile {
    /// Directory to start from
    pub dir: Option<PathBuf>,
}

impl VersionFile {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let Some(dir) = self.dir else {
            match version_file::find_local(&ctx.cwd())? {
                Some((p, _)) => println!("{}", p.display()),
                None => println!("{}", ctx.layout.global_file().display()),
            }
            return Ok(0);
        };
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        match version_file::find_path(&dir)? {
            Some(p) => {
                println!("{}", p.display());
                Ok(0)
            }
            None => {
                // As pyenv: nothing on stdout, exit 1 (scripts test for it); only a hint here.
                crate::ui::err(&format!(
                    "hint: no `{}` in `{}` or above it (the global file counts only without DIR)",
                    version_file::FILE_NAME,
                    dir.display()
                ));
                Ok(1)
            }
        }
    }
}
