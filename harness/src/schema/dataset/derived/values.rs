//! SQL expressions that compute a column's value from a row number server-side, one per
//! type the row generator knows: distinct for distinct numbers, within the type's range
//! and modifier, so that `INSERT … SELECT … FROM generate_series` fills any column in bulk.

use crate::backend::names::quote_literal;
use crate::schema::rowgen::SqlType;

/// An expression of `sql_type` for the row number `n` (a non-negative `bigint`
/// expression). Distinct `n` give distinct values wherever the type has room for them;
/// `column` shapes text (an `email` column gets addresses). The caller casts the result to
/// the column's type.
pub fn expression(sql_type: &SqlType, n: &str, column: &str) -> String {
    match sql_type {
        SqlType::SmallInt
        | SqlType::Integer
        | SqlType::Numeric {
            precision: Some(_), ..
        } => {
            // the same values as the row generator's plain ones, `1 ..= bound`
            let bound = sql_type.wrap_bound().expect("a bounded integer type");
            format!("(1 + ({n}) % {bound})")
        }
        SqlType::BigInt => format!("(1 + ({n}))"),
        SqlType::Numeric {
            precision: None, ..
        } => format!("(1 + ({n}))"),
        SqlType::Real | SqlType::Double => format!("((1 + ({n}) % 100000000)::float8 / 4)"),
        SqlType::Money => format!("((1 + ({n}) % 100000000)::numeric / 100)"),
        SqlType::Boolean => format!("(({n}) % 2 = 0)"),
        SqlType::Text { max_chars } => text(n, column, *max_chars),
        SqlType::Uuid => format!("md5('readiness:' || ({n}))::uuid"),
        SqlType::Date => format!("(date '2024-01-01' + (({n}) % 2000000)::int)"),
        SqlType::Time => format!("(time '00:00' + (({n}) % 86400) * interval '1 second')"),
        SqlType::Timestamp => {
            format!("(timestamp '2024-01-01' + ({n}) * interval '1 second')")
        }
        SqlType::TimestampTz => {
            format!("(timestamptz '2024-01-01 00:00:00+00' + ({n}) * interval '1 second')")
        }
        SqlType::Interval => format!("((({n}) % 1000000000) * interval '1 second')"),
        SqlType::Json => format!("json_build_object('n', {n})"),
        SqlType::Jsonb => format!("jsonb_build_object('n', {n})"),
        SqlType::Bytea => format!("decode(md5(({n})::text), 'hex')"),
        SqlType::Inet => format!(
            "('10.' || (({n}) >> 16) % 256 || '.' || (({n}) >> 8) % 256 || '.' || ({n}) % 256)"
        ),
        SqlType::Cidr => format!("('10.' || (({n}) >> 8) % 256 || '.' || ({n}) % 256 || '.0/24')"),
        SqlType::MacAddr => format!("('02' || substr(md5(({n})::text), 1, 10))"),
        SqlType::TsVector => format!("to_tsvector('simple', 'r' || ({n}))"),
        SqlType::TsQuery => format!("('r' || ({n}))"),
        SqlType::Xml => format!("('<r>' || ({n}) || '</r>')"),
        SqlType::Point => format!("point({n}, {n})"),
        SqlType::Bit { length, .. } => {
            let keep = (*length).min(64);
            format!("lpad(right((({n}))::bit(64)::text, {keep}), {length}, '0')")
        }
        SqlType::Enum(labels) => {
            let labels: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
            format!(
                "(ARRAY[{}])[1 + ({n}) % {}]",
                labels.join(", "),
                labels.len()
            )
        }
        SqlType::Array(element) => {
            let element = expression(element, n, column);
            format!("ARRAY[{element}]")
        }
        SqlType::Range(subtype) => {
            let low = expression(subtype, n, column);
            let high = expression(subtype, &format!("({n}) + 1"), column);
            format!("('[\"' || {low} || '\",\"' || {high} || '\")')")
        }
    }
}

/// Text shaped by the column's name, cut to `max_chars` from the right so that the
/// distinguishing digits stay.
fn text(n: &str, column: &str, max_chars: Option<usize>) -> String {
    let lower = column.to_ascii_lowercase();
    let value = if lower.contains("email") {
        format!("('user' || ({n}) || '@example.com')")
    } else if lower.contains("url") || lower.contains("website") {
        format!("('https://example.com/' || ({n}))")
    } else {
        let prefix: String = lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        let prefix = if prefix.is_empty() {
            "r".into()
        } else {
            prefix
        };
        format!("('{prefix} ' || ({n}))")
    };
    match max_chars {
        Some(max) => format!("right({value}, {max})"),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_the_distinguishing_digits_within_its_modifier() {
        let email = expression(&SqlType::Text { max_chars: None }, "g", "Email");
        assert_eq!(email, "('user' || (g) || '@example.com')");
        let short = expression(&SqlType::Text { max_chars: Some(3) }, "g", "code");
        assert_eq!(short, "right(('code ' || (g)), 3)");
    }

    #[test]
    fn enums_pick_among_their_labels() {
        let e = expression(&SqlType::Enum(vec!["a".into(), "it's".into()]), "g", "x");
        assert_eq!(e, "(ARRAY['a', 'it''s'])[1 + (g) % 2]");
    }
}
