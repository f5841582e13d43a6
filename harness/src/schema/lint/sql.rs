//! Reading migration SQL with squawk's parser (`squawk-syntax`): the statements of a
//! migration, qualified table names as the catalog spells them, and the short text of a
//! statement that a finding shows.

use squawk_syntax::ast;
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};

/// How many characters of a statement a finding quotes.
const STATEMENT_CHARS: usize = 100;

/// The schema a table without one is in (the default `search_path`).
pub const DEFAULT_SCHEMA: &str = "public";

/// A migration's statements, in order, and what the parser could not read.
pub(crate) struct Parsed {
    pub statements: Vec<ast::Stmt>,
    pub errors: Vec<String>,
}

pub(crate) fn parse(sql: &str) -> Parsed {
    let parse = SourceFile::parse(sql);
    let statements = parse.tree().stmts().collect();
    let errors = parse.errors().iter().map(|e| e.to_string()).collect();
    Parsed { statements, errors }
}

/// An identifier as the catalog stores it: unquoted ones folded to lower case, quoted ones
/// as written.
pub(crate) fn identifier(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => text.to_lowercase(),
    }
}

/// The dotted parts of a name node (`public.users`, `"User"`), each as the catalog spells it.
pub(crate) fn name_parts(node: &SyntaxNode) -> Vec<String> {
    let mut parts = vec![String::new()];
    for token in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
    {
        if token.kind() == SyntaxKind::DOT {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push_str(&identifier(token.text()));
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// `schema.table` for a name node, in `public` when it names no schema.
pub(crate) fn table_name(node: &SyntaxNode) -> Option<String> {
    let parts = name_parts(node);
    match parts.as_slice() {
        [] => None,
        [table] => Some(qualify(DEFAULT_SCHEMA, table)),
        [.., schema, table] => Some(qualify(schema, table)),
    }
}

/// `schema.table`, the key findings and row counts use.
pub fn qualify(schema: &str, table: &str) -> String {
    format!("{schema}.{table}")
}

/// The last part of a name node: a column, a constraint, a function.
pub(crate) fn last_name(node: &SyntaxNode) -> Option<String> {
    name_parts(node).pop()
}

/// The name of what a statement or an `ALTER TABLE` action is about, as the catalog
/// spells it: the index a `CREATE INDEX` builds, the constraint an action adds or
/// validates, the column one adds, changes, renames or drops; `None` when it names none
/// (an unnamed index on an expression, a table rename).
pub(crate) fn object_name(node: &SyntaxNode) -> Option<String> {
    const NAMES: [SyntaxKind; 5] = [
        SyntaxKind::INDEX,
        SyntaxKind::CONSTRAINT_NAME,
        SyntaxKind::CONSTRAINT_NAME_REF,
        SyntaxKind::COLUMN_NAME,
        SyntaxKind::COLUMN_NAME_REF,
    ];
    node.descendants()
        .find(|n| NAMES.contains(&n.kind()))
        .and_then(|n| last_name(&n))
}

/// The first child node of `kind`.
pub(crate) fn child(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxNode> {
    node.children().find(|c| c.kind() == kind)
}

/// Whether `node` has a direct token or child node of `kind`.
pub(crate) fn has(node: &SyntaxNode, kind: SyntaxKind) -> bool {
    node.children_with_tokens().any(|c| c.kind() == kind)
}

/// The table a statement's `TABLE_RELATION_NAME` (`ALTER TABLE ONLY x`, `ON x`) names.
pub(crate) fn relation(node: &SyntaxNode) -> Option<String> {
    let relation = child(node, SyntaxKind::TABLE_RELATION_NAME)?;
    table_name(&child(&relation, SyntaxKind::TABLE_NAME_REF)?)
}

/// A statement's text on one line, without comments or its semicolon, cut to about 100
/// characters.
pub(crate) fn short_text(node: &SyntaxNode) -> String {
    let mut text = String::new();
    for token in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if token.kind().is_trivia() {
            if !text.ends_with(' ') {
                text.push(' ');
            }
        } else {
            text.push_str(token.text());
        }
    }
    let text = text.trim().trim_end_matches(';').trim_end();
    cut(text, STATEMENT_CHARS)
}

/// One action of an `ALTER TABLE` as a statement of its own, on one line and cut:
/// `ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0)`.
pub(crate) fn action_text(action: &SyntaxNode) -> String {
    let Some(alter) = action.parent() else {
        return short_text(action);
    };
    let mut parts: Vec<String> = Vec::new();
    for element in alter.children_with_tokens() {
        if let Some(node) = element.as_node() {
            parts.push(plain_text(node));
            if node.kind() == SyntaxKind::TABLE_RELATION_NAME {
                break;
            }
        } else if let Some(token) = element.as_token().filter(|t| !t.kind().is_trivia()) {
            parts.push(token.text().to_owned());
        }
    }
    parts.push(plain_text(action));
    cut(&parts.join(" "), STATEMENT_CHARS)
}

/// `text` cut to at most `max` characters, an ellipsis marking the cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// The text of a node without comments, whitespace collapsed: for types and expressions.
pub(crate) fn plain_text(node: &SyntaxNode) -> String {
    let mut text = String::new();
    for token in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if token.kind() == SyntaxKind::COMMENT {
            continue;
        }
        if token.kind() == SyntaxKind::WHITESPACE {
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
        } else {
            text.push_str(token.text());
        }
    }
    text.trim_end().to_owned()
}

/// The string a literal spells (`'5s'` → `5s`), or the literal's text (`0`).
pub(crate) fn literal_value(node: &SyntaxNode) -> String {
    let text = plain_text(node);
    match text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use squawk_syntax::ast::AstNode;

    fn first(sql: &str) -> SyntaxNode {
        parse(sql).statements[0].syntax().clone()
    }

    #[test]
    fn names_are_qualified_and_folded_as_the_catalog_stores_them() {
        assert_eq!(
            relation(&first("ALTER TABLE Users ADD COLUMN a int")),
            Some("public.users".into())
        );
        assert_eq!(
            relation(&first("ALTER TABLE ONLY app.\"User\" ADD COLUMN a int")),
            Some("app.User".into())
        );
    }

    #[test]
    fn statements_are_shown_on_one_line_without_comments_and_cut() {
        let node = first("CREATE INDEX a_idx -- why\n    ON a (b);");
        assert_eq!(short_text(&node), "CREATE INDEX a_idx ON a (b)");
        let long = format!("CREATE INDEX a_idx ON a ({})", "b, ".repeat(60) + "c");
        let shown = short_text(&first(&long));
        assert_eq!(shown.chars().count(), 100);
        assert!(shown.ends_with('…'), "{shown}");
    }
}
