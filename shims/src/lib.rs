//! pyv's core: everything a shim needs to answer "which Python runs now", and nothing else.
//!
//! This crate is std-only on purpose. It is linked into both the `pyv` CLI and the tiny
//! `pyv-shim` binary that every shim executes, so the code that decides the selected version
//! exists exactly once and the hot path visibly carries no network, TLS or argument parser.

pub mod env_vars;
pub mod error;
pub mod fsx;
pub mod layout;
pub mod name;
pub mod origin;
pub mod pyversion;
pub mod rehash;
pub mod report;
pub mod request;
pub mod resolve;
pub mod select;
pub mod shim;
pub mod suggest;
pub mod typo;
pub mod version_file;
pub mod which;

pub use error::Error;
pub use layout::{CacheLayout, Layout};
pub use origin::Origin;
pub use select::Selection;
