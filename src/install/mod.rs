//! How an install turns a version name into a directory under `versions/`, top to bottom:
//! [`request`] decides what to build and which archive bytes are acceptable, [`preflight`]
//! checks the build dependencies before anything is downloaded, [`download`] streams and
//! verifies the archive into the cache, [`unpack`] extracts it safely into the staging dir,
//! [`build`] runs configure / make / make install (DESTDIR) and checks the result, and
//! [`staging`] holds the per-version lock and performs the one `rename` that makes it visible.
//!
//! Nothing in here may leave a half-built version where `versions/` listings can see it: all
//! partial work lives under `.staging/`, is removed on error and on SIGINT/SIGTERM
//! ([`crate::signals`]), and leftovers of a killed install are removed by the next one.

pub mod artifact;
pub mod build;
pub mod download;
mod error;
pub mod manifest;
mod pipeline;
pub mod plan;
pub mod prebuilt;
pub mod preflight;
pub mod pybuild;
pub mod receipt;
pub mod relocate;
pub mod request;
mod settings;
pub mod staging;
pub mod tether;
pub mod unpack;
pub mod unpacked;
pub mod verify;

pub use error::{BuildFailure, InstallError, Result, VerifyFailure};
pub use pipeline::{install, Options, Outcome, Ready, Source, Then};
pub use request::Plan;
pub use settings::{build_env, Settings};
