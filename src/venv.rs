//! Placeholder: virtual environments (issue: virtualenvs) replace this module.

#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[error("{0}")]
    Other(String),
}

impl VenvError {
    pub fn hint(&self) -> Option<String> {
        None
    }
}
