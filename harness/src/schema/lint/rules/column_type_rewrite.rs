//! `column-type-rewrite`: `ALTER COLUMN … TYPE` on an existing table rewrites the table
//! and its indexes under ACCESS EXCLUSIVE, unless the change is binary-coercible
//! (`varchar(n)` to `text` or a longer `varchar`, a wider `numeric`, `cidr` to `inet`…;
//! see [`super::super::types`]). The column's type before comes from the migrations
//! linted earlier; when it is unknown the change is taken to rewrite.

use squawk_syntax::ast::{self, AstNode};

use super::super::finding::Finding;
use super::super::rule::Rule;
use super::super::sql;
use super::super::types::{self, SqlType};
use super::Cx;

pub(crate) fn check(stmt: &ast::Stmt, cx: &Cx, out: &mut Vec<Finding>) {
    let Some((table, actions)) = cx.altered_existing(stmt) else {
        return;
    };
    for action in actions {
        let ast::AlterTableAction::AlterColumn(alter) = action else {
            continue;
        };
        let Some(ast::AlterColumnOption::SetType(set)) = alter.option() else {
            continue;
        };
        let (Some(column), Some(new)) = (
            alter
                .column_name_ref()
                .and_then(|n| sql::last_name(n.syntax())),
            set.ty().map(|t| SqlType::of(t.syntax())),
        ) else {
            continue;
        };
        let old = cx
            .history
            .column(&table, &column)
            .and_then(|c| c.ty.clone());
        let using = set.using_expr().map(|u| {
            let text = sql::plain_text(u.syntax());
            text.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .trim()
                .to_owned()
        });
        if !types::change_rewrites(old.as_ref(), &new, using.as_deref(), &column) {
            continue;
        }
        let change = match &old {
            Some(old) => format!("{column} from {old} to {new}"),
            None => format!("{column} to {new} (its type before is not known here)"),
        };
        out.push(cx.action_finding(
            &alter,
            Rule::ColumnTypeRewrite,
            &table,
            true,
            format!("changing {change} is not binary-coercible: add a column of the new type, backfill it in batches, move the code to it, then drop the old one"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{lint_errors, lint_ok, SETUP};
    use super::*;

    const RULE: Rule = Rule::ColumnTypeRewrite;

    #[test]
    fn a_rewriting_type_change_is_named_with_both_types() {
        let lines = lint_errors(
            SETUP,
            "ALTER TABLE users ALTER COLUMN age TYPE bigint;",
            RULE,
        );
        assert!(
            lines[0].contains(
                "and rewrites the table; changing age from int4 to int8 is not binary-coercible"
            ),
            "{lines:#?}"
        );
        lint_errors(
            SETUP,
            "ALTER TABLE users ALTER COLUMN email TYPE varchar(50);",
            RULE,
        );
        lint_errors(
            SETUP,
            "ALTER TABLE users ALTER COLUMN name TYPE jsonb USING to_jsonb(name);",
            RULE,
        );
    }

    #[test]
    fn binary_coercible_changes_are_not_named() {
        lint_ok(
            SETUP,
            "ALTER TABLE users ALTER COLUMN email TYPE text;",
            RULE,
        );
        lint_ok(
            SETUP,
            "ALTER TABLE users ALTER COLUMN email TYPE character varying(255);",
            RULE,
        );
        lint_ok(
            SETUP,
            "ALTER TABLE users ALTER COLUMN email TYPE text USING email::text;",
            RULE,
        );
        lint_ok(
            SETUP,
            "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);",
            RULE,
        );
    }

    #[test]
    fn a_column_added_earlier_keeps_its_type() {
        lint_ok(
            &format!("{SETUP} ALTER TABLE users ADD COLUMN nick varchar(20);"),
            "ALTER TABLE users ALTER COLUMN nick TYPE varchar(40);",
            RULE,
        );
        lint_ok(
            SETUP,
            "CREATE TABLE notes (body varchar(10)); ALTER TABLE notes ALTER COLUMN body TYPE int USING 0;",
            RULE,
        );
    }
}
