//! Reading a subject's configuration files for audit: `docker-compose.yml`, `.env`,
//! `postgresql.conf`, and whether git ignores a file.

pub mod compose;
pub mod dotenv;
pub mod gitignore;
pub mod interpolate;
pub mod pgconf;
pub mod settings;

/// A configuration file that cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("failed to read {path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(path: &std::path::Path, message: impl ToString) -> ConfigError {
        ConfigError {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}

/// The 1-based line of the first line of `text` containing `needle`.
pub(crate) fn line_containing(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}
