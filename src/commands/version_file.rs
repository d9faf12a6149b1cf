use std::path::PathBuf;

use clap::Args;
use pyv_core::version_file;

use crate::ctx::Ctx;
use crate::error::Result;

/// Show the version file that selects the version in DIR (default: here)
#[derive(Args)]
pub struct VersionFile {
    /// Directory to start from
    pub dir: Option<PathBuf>,
}

impl VersionFile {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let dir = self.dir.unwrap_or_else(|| ctx.cwd());
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        match version_file::find_path(&dir)? {
            Some(p) => println!("{}", p.display()),
            None => println!("{}", ctx.layout.global_file().display()),
        }
        Ok(0)
    }
}
