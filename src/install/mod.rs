//! Placeholder: the install pipeline (issue: pyv install) replaces this module.

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{0}")]
    Other(String),
}

impl InstallError {
    pub fn hint(&self) -> Option<String> {
        None
    }
    pub fn exit_code(&self) -> i32 {
        1
    }
}
