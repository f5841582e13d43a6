//! Compose-style variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?message}` and `${VAR?message}`, resolved from a `.env` file
//! as `docker compose` resolves them, and masked where only the file's own text matters.

use super::dotenv::{self, DotenvEntry};

/// `text` with every variable replaced by its value in `env` (or its default; empty when
/// neither is there).
pub fn resolve(text: &str, env: &[DotenvEntry]) -> String {
    rewrite(text, |name, default| {
        let value = dotenv::lookup(env, name).map(|e| e.value.clone());
        match value {
            // `:-` and `:?` treat an empty value as unset, `-` and `?` do not
            Some(v) if !(v.is_empty() && default.as_ref().is_some_and(|(colon, _)| *colon)) => v,
            _ => default_of(default),
        }
    })
}

/// `text` with every variable replaced by `$` and its name, defaults and messages dropped:
/// what is left is what the file itself says.
pub fn mask(text: &str) -> String {
    rewrite(text, |name, _| format!("${name}"))
}

fn default_of(default: Option<(bool, String)>) -> String {
    match default {
        Some((_, d)) if !d.starts_with('?') => d,
        _ => String::new(),
    }
}

/// Replaces each variable with `value(name, default)`, where `default` is `(colon,
/// text)` for `${VAR:-text}` / `${VAR-text}` (`?message` forms keep the `?`).
fn rewrite(text: &str, value: impl Fn(&str, Option<(bool, String)>) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = closing_brace(inner) else {
                out.push_str(&rest[at..]);
                return out;
            };
            let body = &inner[..end];
            let name_end = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            let (name, tail) = body.split_at(name_end);
            let default = if let Some(d) = tail.strip_prefix(":-") {
                Some((true, d.to_owned()))
            } else if let Some(d) = tail.strip_prefix('-') {
                Some((false, d.to_owned()))
            } else if let Some(m) = tail.strip_prefix(":?") {
                Some((true, format!("?{m}")))
            } else {
                tail.strip_prefix('?').map(|m| (false, format!("?{m}")))
            };
            out.push_str(&value(name, default));
            rest = &inner[end + 1..];
        } else if let Some(escaped) = after.strip_prefix('$') {
            out.push('$');
            rest = escaped;
        } else {
            let name_end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if name_end == 0 {
                out.push('$');
            } else {
                out.push_str(&value(&after[..name_end], None));
            }
            rest = &after[name_end..];
        }
    }
    out.push_str(rest);
    out
}

/// The position of the `}` that closes a `${`, nested `${…}` in defaults included.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<DotenvEntry> {
        [("POSTGRES_PASSWORD", "s3cret"), ("EMPTY", "")]
            .into_iter()
            .map(|(k, v)| DotenvEntry {
                key: k.into(),
                value: v.into(),
                line: None,
            })
            .collect()
    }

    #[test]
    fn variables_resolve_as_compose_resolves_them() {
        let env = env();
        assert_eq!(resolve("${POSTGRES_PASSWORD:?set it}", &env), "s3cret");
        assert_eq!(resolve("$POSTGRES_PASSWORD", &env), "s3cret");
        assert_eq!(
            resolve("${MISSING:-app}:${POSTGRES_PASSWORD}", &env),
            "app:s3cret"
        );
        assert_eq!(resolve("${EMPTY:-d}|${EMPTY-d}", &env), "d|");
        assert_eq!(resolve("${MISSING:?must be set}", &env), "");
        assert_eq!(resolve("cost $$5", &env), "cost $5");
    }

    #[test]
    fn masking_leaves_the_files_own_text() {
        assert_eq!(
            mask("postgresql://${POSTGRES_USER:-tallybook}:${POSTGRES_PASSWORD}@db:5432/app"),
            "postgresql://$POSTGRES_USER:$POSTGRES_PASSWORD@db:5432/app"
        );
    }
}
