//! Column types as migrations write them, and which type changes PostgreSQL makes without
//! rewriting the table (binary-coercible changes: a longer `varchar`, `varchar` to `text`,
//! a wider `numeric` precision, `cidr` to `inet`…); every other `ALTER COLUMN … TYPE`
//! rewrites the table and its indexes under an ACCESS EXCLUSIVE lock.

use squawk_syntax::SyntaxNode;

use super::sql;

/// A column type: its base name (aliases folded: `character varying` → `varchar`, `int`
/// → `int4`), its modifiers (`varchar(20)` → `[20]`) and whether it is an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlType {
    pub base: String,
    pub modifiers: Vec<u32>,
    pub array: bool,
}

impl SqlType {
    pub(crate) fn of(node: &SyntaxNode) -> SqlType {
        SqlType::parse(&sql::plain_text(node))
    }

    /// Reads a type as written: `character varying(20)`, `TIMESTAMP(3)`, `text[]`,
    /// `"Plan"`, `numeric(12, 2)`.
    pub fn parse(text: &str) -> SqlType {
        let mut text = text.trim().to_owned();
        let mut array = false;
        loop {
            let trimmed = text.trim_end();
            if let Some(rest) = trimmed.strip_suffix(']') {
                if let Some(open) = rest.rfind('[') {
                    text = rest[..open].to_owned();
                    array = true;
                    continue;
                }
            }
            if let Some(rest) = trimmed
                .to_ascii_lowercase()
                .strip_suffix("array")
                .map(|r| r.len())
            {
                text = trimmed[..rest].to_owned();
                array = true;
                continue;
            }
            text = trimmed.to_owned();
            break;
        }
        let (name, modifiers) = match text.find('(') {
            Some(open) => {
                let close = text.rfind(')').unwrap_or(text.len());
                let inner = &text[open + 1..close.max(open + 1)];
                let modifiers = inner
                    .split(',')
                    .filter_map(|m| m.trim().parse().ok())
                    .collect();
                // `timestamp(3) with time zone`: the words after the modifiers belong to
                // the name
                let after = text.get(close + 1..).unwrap_or_default();
                (format!("{} {}", &text[..open], after), modifiers)
            }
            None => (text.clone(), Vec::new()),
        };
        let name = name
            .split_whitespace()
            .map(|w| {
                if w.starts_with('"') {
                    sql::identifier(w)
                } else {
                    w.to_ascii_lowercase()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let name = name.rsplit('.').next().unwrap_or(&name).to_owned();
        SqlType {
            base: canonical(&name).to_owned(),
            modifiers,
            array,
        }
    }
}

impl std::fmt::Display for SqlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)?;
        if !self.modifiers.is_empty() {
            let mods: Vec<String> = self.modifiers.iter().map(u32::to_string).collect();
            write!(f, "({})", mods.join(","))?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// One name for each built-in type's aliases.
fn canonical(name: &str) -> &str {
    match name {
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "int" | "integer" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "serial" | "serial4" => "serial4",
        "bigserial" | "serial8" => "serial8",
        "smallserial" | "serial2" => "serial2",
        "decimal" | "numeric" => "numeric",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "float" => "float8",
        "boolean" | "bool" => "bool",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "time" | "time without time zone" => "time",
        "timetz" | "time with time zone" => "timetz",
        "bit varying" | "varbit" => "varbit",
        other => other,
    }
}

/// Whether changing a column from `old` to `new` rewrites the table. `using` is the
/// `USING` expression, if any, and `column` the column's name: a `USING` that only casts
/// the column itself changes nothing. An unknown old type is taken to rewrite.
pub fn change_rewrites(
    old: Option<&SqlType>,
    new: &SqlType,
    using: Option<&str>,
    column: &str,
) -> bool {
    if let Some(using) = using {
        if !is_plain_cast_of(using, column) {
            return true;
        }
    }
    let Some(old) = old else {
        return true;
    };
    if old.array != new.array {
        return true;
    }
    if old.base == new.base && old.modifiers == new.modifiers {
        return false;
    }
    let widened =
        |old: &SqlType, new: &SqlType| match (old.modifiers.first(), new.modifiers.first()) {
            (_, None) => true,
            (Some(before), Some(after)) => after >= before,
            (None, Some(_)) => false,
        };
    let binary_coercible = match (old.base.as_str(), new.base.as_str()) {
        ("varchar", "varchar") | ("varbit", "varbit") => widened(old, new),
        ("varchar", "text") | ("text", "varchar") => new.modifiers.is_empty(),
        ("varchar", "citext") | ("text", "citext") | ("citext", "text") => new.modifiers.is_empty(),
        ("numeric", "numeric") => {
            new.modifiers.is_empty()
                || (old.modifiers.len() == new.modifiers.len()
                    && widened(old, new)
                    && old.modifiers.get(1) == new.modifiers.get(1))
        }
        ("timestamp", "timestamp")
        | ("timestamptz", "timestamptz")
        | ("time", "time")
        | ("timetz", "timetz")
        | ("interval", "interval") => widened(old, new),
        ("cidr", "inet") => true,
        _ => false,
    };
    !binary_coercible
}

/// `col`, `col::text`, `"col"::text`, `CAST(col AS text)`.
fn is_plain_cast_of(using: &str, column: &str) -> bool {
    let text = using.trim();
    let text = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text);
    let head = match text.split_once("::") {
        Some((head, _)) => head.trim(),
        None => match text
            .to_ascii_lowercase()
            .strip_prefix("cast")
            .map(|_| text[4..].trim())
            .and_then(|t| t.strip_prefix('('))
        {
            Some(inner) => inner
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches(')'),
            None => text,
        },
    };
    sql::identifier(head) == column
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> SqlType {
        SqlType::parse(text)
    }

    #[test]
    fn types_are_read_with_their_aliases_and_modifiers() {
        assert_eq!(t("character varying(20)").to_string(), "varchar(20)");
        assert_eq!(t("TIMESTAMP(3)").to_string(), "timestamp(3)");
        assert_eq!(
            t("timestamp(3) with time zone").to_string(),
            "timestamptz(3)"
        );
        assert_eq!(t("TEXT[]").to_string(), "text[]");
        assert_eq!(t("numeric(12, 2)").to_string(), "numeric(12,2)");
        assert_eq!(t("\"Plan\"").to_string(), "Plan");
        assert_eq!(t("integer").to_string(), "int4");
    }

    #[test]
    fn binary_coercible_changes_do_not_rewrite() {
        let no = |old: &str, new: &str| !change_rewrites(Some(&t(old)), &t(new), None, "c");
        assert!(no("varchar(20)", "text"));
        assert!(no("varchar(20)", "varchar(40)"));
        assert!(no("varchar(20)", "varchar"));
        assert!(no("text", "varchar"));
        assert!(no("numeric(10,2)", "numeric(12,2)"));
        assert!(no("numeric(10,2)", "numeric"));
        assert!(no("timestamp(3)", "timestamp(6)"));
        assert!(no("cidr", "inet"));
        assert!(no("text", "text"));
    }

    #[test]
    fn other_changes_rewrite() {
        let yes = |old: &str, new: &str| change_rewrites(Some(&t(old)), &t(new), None, "c");
        assert!(yes("int", "bigint"));
        assert!(yes("varchar(40)", "varchar(20)"));
        assert!(yes("text", "varchar(20)"));
        assert!(yes("numeric(10,2)", "numeric(12,3)"));
        assert!(yes("timestamp", "timestamptz"));
        assert!(yes("text", "jsonb"));
        assert!(change_rewrites(None, &t("text"), None, "c"));
    }

    #[test]
    fn a_using_that_only_casts_the_column_changes_nothing() {
        let old = t("varchar(20)");
        assert!(!change_rewrites(
            Some(&old),
            &t("text"),
            Some("\"c\"::text"),
            "c"
        ));
        assert!(!change_rewrites(
            Some(&old),
            &t("text"),
            Some("CAST(c AS text)"),
            "c"
        ));
        assert!(change_rewrites(
            Some(&old),
            &t("text"),
            Some("lower(c)"),
            "c"
        ));
    }
}
