//! `.env` files: the variables they set, with their lines.

use std::path::Path;

use super::{line_containing, ConfigError};

/// One `KEY=value` of a `.env` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvEntry {
    pub key: String,
    pub value: String,
    pub line: Option<usize>,
}

/// Every variable `path` sets, in order.
pub fn read(path: &Path) -> Result<Vec<DotenvEntry>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(path, e))?;
    let entries = dotenvy::from_path_iter(path).map_err(|e| ConfigError::new(path, e))?;
    entries
        .map(|item| {
            let (key, value) = item.map_err(|e| ConfigError::new(path, e))?;
            let line = line_containing(&text, &format!("{key}="));
            Ok(DotenvEntry { key, value, line })
        })
        .collect()
}

/// The value of `key`, if set.
pub fn lookup<'a>(entries: &'a [DotenvEntry], key: &str) -> Option<&'a DotenvEntry> {
    entries.iter().find(|e| e.key == key)
}
