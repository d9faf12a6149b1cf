//! Placeholder: virtual environments (issue: virtualenvs) replace this module.

#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[allow(dead_code)] // placeholder until the virtualenv branch lands
    #[error("{0}")]
    Other(String),
}

impl VenvError {
    pub fn hint(&self) -> Option<String> {
        None
    }
}
