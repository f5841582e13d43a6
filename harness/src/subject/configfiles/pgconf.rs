//! `postgresql.conf`: `name = value` settings (quotes removed, comments dropped, the last
//! occurrence winning), as PostgreSQL reads them.

use std::path::Path;

use super::ConfigError;

/// The settings of `path`, in file order with later duplicates replacing earlier ones.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(path, e))?;
    Ok(parse(&text))
}

pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut settings: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = strip_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        let (name, value) = match line.split_once('=') {
            Some((n, v)) => (n.trim(), v.trim()),
            None => match line.split_once(char::is_whitespace) {
                Some((n, v)) => (n.trim(), v.trim()),
                None => continue,
            },
        };
        let value = unquote(value);
        let name = name.to_ascii_lowercase();
        settings.retain(|(n, _)| n != &name);
        settings.push((name, value));
    }
    settings
}

/// The value of `name`, if set.
pub fn get<'a>(settings: &'a [(String, String)], name: &str) -> Option<&'a str> {
    settings
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_like_postgres_reads_them() {
        let text = "# comment\nlog_connections = on\nlog_min_duration_statement = 500 # ms\n\
                    log_line_prefix = '%m [%p] # not a comment '\nshared_buffers 128MB\nlog_connections = off\n";
        let s = parse(text);
        assert_eq!(get(&s, "log_connections"), Some("off"));
        assert_eq!(get(&s, "log_min_duration_statement"), Some("500"));
        assert_eq!(get(&s, "log_line_prefix"), Some("%m [%p] # not a comment "));
        assert_eq!(get(&s, "shared_buffers"), Some("128MB"));
        assert_eq!(get(&s, "fsync"), None);
    }
}
