//! Finding the line of a key in manifest text, for error messages about keys whose
//! values parsed but do not make sense.

/// The 1-based line holding byte `offset`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of `key`, a path like `migrations.dir`, `migrations` or `queries[2].name`:
/// the key's own line when it is written out, else its table header's line.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let mut parts: Vec<(&str, Option<usize>)> = key
        .split('.')
        .map(|part| match part.split_once('[') {
            Some((name, index)) => (name, index.trim_end_matches(']').parse().ok()),
            None => (part, None),
        })
        .collect();
    let (table, index) = parts.remove(0);
    let header = find_header(text, table, index)?;
    let Some((leaf, _)) = parts.last() else {
        return Some(header);
    };
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate().skip(header) {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break;
        }
        if let Some((name, _)) = trimmed.split_once('=') {
            if name.trim() == *leaf {
                return Some(i + 1);
            }
        }
    }
    Some(header)
}

/// The line of `[table]`, or of the `index`-th `[[table]]`.
fn find_header(text: &str, table: &str, index: Option<usize>) -> Option<usize> {
    let single = format!("[{table}]");
    let array = format!("[[{table}]]");
    let mut seen = 0;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed == single && index.is_none() {
            return Some(i + 1);
        }
        if trimmed == array {
            if index.unwrap_or(0) == seen {
                return Some(i + 1);
            }
            seen += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[subject]\nname = \"x\"\n\n[migrations]\ndir = \"m\"\n\n[[queries]]\nname = \"a\"\n\n[[queries]]\nname = \"b\"\nsql = \"select\"\n";

    #[test]
    fn keys_are_found_in_tables_and_arrays() {
        assert_eq!(line_of_key(TEXT, "migrations.dir"), Some(5));
        assert_eq!(line_of_key(TEXT, "migrations"), Some(4));
        assert_eq!(line_of_key(TEXT, "queries[1].sql"), Some(12));
        assert_eq!(line_of_key(TEXT, "queries[0].sql"), Some(7));
        assert_eq!(line_of_key(TEXT, "nothing.here"), None);
    }
}
