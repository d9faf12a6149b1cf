//! OCI registries as a home for shared builds (issue 21): `oci://HOST[:PORT]/REPO` references
//! ([`reference`]), build keys as tags ([`tag`]) and the registry's `WWW-Authenticate`
//! challenges ([`challenge`]). The pieces are pure functions, tested on their own; the client
//! that speaks HTTP to a registry builds on them.
#![allow(dead_code)] // the pull/push paths that use these are not wired in yet

pub mod artifact;
pub mod auth;
pub mod challenge;
pub mod client;
pub mod reference;
pub mod tag;
