//! How an install turns a version name into a directory under `versions/`. Read [`pipeline`]
//! first: it is the whole story top to bottom, from a planned request to the published
//! directory, and names each step. Before it, [`plan`] turns a request into a source [`Plan`]
//! ([`request`]: what to build, which archive bytes are acceptable) or a [`prebuilt`] table row.
//! The steps: [`preflight`] checks the build dependencies before anything is downloaded,
//! [`download`] streams and verifies the archive into the cache, [`unpack`] extracts it safely
//! into the stage, [`build`] runs configure / make / make install (DESTDIR), [`verify`] checks the
//! interpreter, [`artifact`] and [`unpacked`] keep verified builds for reuse ([`relocate`] moves
//! them), [`receipt`] says what was installed, and [`staging`] performs the one `rename` that
//! makes it visible. [`Settings`] (`settings.rs`) and [`InstallError`] (`error.rs`) are shared.
//! Nothing here prints: progress goes to a [`crate::report::Reporter`].
//!
//! Nothing in here may leave a half-built version where `versions/` listings can see it: all
//! partial work lives under `.staging/` (or `versions/.pyv-staging/` when `versions/` is on
//! another filesystem, see [`staging`]), is removed on error and on SIGINT/SIGTERM
//! ([`crate::signals`]), and leftovers of a killed install are removed by the next one.

pub mod artifact;
pub mod build;
pub mod download;
mod error;
pub mod manifest;
pub mod mirror_listing;
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
