//! Whether a column default is volatile. Since PostgreSQL 11, `ADD COLUMN … DEFAULT x`
//! stores a non-volatile default once in the catalog (no rewrite); a volatile one
//! (`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`) is evaluated for
//! every existing row, which rewrites the table under its ACCESS EXCLUSIVE lock.

use std::collections::BTreeSet;

use squawk_syntax::{SyntaxKind, SyntaxNode};

use super::sql;

/// Built-in functions migrations use in defaults that are stable or immutable: evaluated
/// once for the whole `ADD COLUMN`.
const NON_VOLATILE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "current_user",
    "current_role",
    "session_user",
    "current_schema",
    "current_database",
    "current_setting",
    "timezone",
    "date_trunc",
    "date_part",
    "extract",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "make_interval",
    "to_timestamp",
    "to_date",
    "to_char",
    "to_json",
    "to_jsonb",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "array",
    "array_fill",
    "lower",
    "upper",
    "concat",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "md5",
    "length",
    "substring",
    "replace",
    "trim",
    "btrim",
    "to_tsvector",
    "int4range",
    "int8range",
    "numrange",
    "tstzrange",
    "tsrange",
    "daterange",
];

/// The first function in `expr` that is volatile: a call to anything this linter does not
/// know to be stable or immutable (PostgreSQL creates functions VOLATILE unless told
/// otherwise), except `declared_non_volatile` (functions the migrations created STABLE or
/// IMMUTABLE). `None` when the expression is a constant, a cast or stable calls only.
pub(crate) fn volatile_call(
    expr: &SyntaxNode,
    declared_non_volatile: &BTreeSet<String>,
) -> Option<String> {
    expr.descendants()
        .filter(|n| n.kind() == SyntaxKind::CALL_EXPR)
        .filter_map(|call| {
            let name = call
                .children()
                .find(|c| c.kind() != SyntaxKind::ARG_LIST)
                .and_then(|name| sql::last_name(&name))?;
            let known =
                NON_VOLATILE.contains(&name.as_str()) || declared_non_volatile.contains(&name);
            (!known).then_some(name)
        })
        .next()
}

/// Whether a `CREATE FUNCTION` statement declares its function STABLE or IMMUTABLE.
pub(crate) fn declares_non_volatile(create_function: &SyntaxNode) -> bool {
    sql::child(create_function, SyntaxKind::FUNC_OPTION_LIST).is_some_and(|options| {
        options
            .descendants_with_tokens()
            .any(|t| matches!(t.kind(), SyntaxKind::IMMUTABLE_KW | SyntaxKind::STABLE_KW))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use squawk_syntax::ast::AstNode;

    fn volatile(default: &str) -> Option<String> {
        let parsed = sql::parse(&format!("SELECT {default}"));
        volatile_call(parsed.statements[0].syntax(), &BTreeSet::new())
    }

    #[test]
    fn stable_defaults_and_constants_are_not_volatile() {
        for default in [
            "now()",
            "CURRENT_TIMESTAMP",
            "'{}'::jsonb",
            "ARRAY[]::text[]",
            "(now() at time zone 'utc')",
            "0",
            "'active'",
            "date_trunc('day', now())",
        ] {
            assert_eq!(volatile(default), None, "{default}");
        }
    }

    #[test]
    fn random_and_clock_calls_are_volatile() {
        assert_eq!(
            volatile("gen_random_uuid()"),
            Some("gen_random_uuid".into())
        );
        assert_eq!(volatile("random()"), Some("random".into()));
        assert_eq!(
            volatile("clock_timestamp()"),
            Some("clock_timestamp".into())
        );
        assert_eq!(
            volatile("public.uuid_generate_v4()"),
            Some("uuid_generate_v4".into())
        );
        assert_eq!(volatile("nextval('s'::regclass)"), Some("nextval".into()));
    }
}
