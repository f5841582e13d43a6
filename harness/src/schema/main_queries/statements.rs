//! Main queries from what the application actually runs, a `pg_stat_statements` snapshot
//! ([`crate::subject::snapshot`]). The most frequent
//! statements that read the subject's tables become main queries; each `$n` is drawn from
//! the column it is compared with (`team_id = $1`, `$1 = t.id`, `status IN ($2, $3)`,
//! `id = ANY($1)`, `BETWEEN $1 AND $2`), `LIMIT`/`OFFSET` get plain values. A statement
//! whose parameters cannot be placed, or that does not prepare on the migrated schema, is
//! left out with the reason.

use std::collections::BTreeSet;

use sqlx::{Executor, PgConnection};

use super::derived::relation;
use crate::backend::names::quote_ident;
use crate::schema::catalog::{Catalog, Table};
use crate::schema::probe::prepare_named;
use crate::subject::manifest::Query;
use crate::subject::snapshot::Statement;

/// The `top` most frequent of `statements` that read the subject's tables, as main queries,
/// checked to prepare on `conn` (a migrated database); and the statements left out, each
/// with its reason.
pub async fn main_statements(
    conn: &mut PgConnection,
    catalog: &Catalog,
    statements: &[Statement],
    top: usize,
) -> Result<(Vec<Query>, Vec<String>), sqlx::Error> {
    let mut queries = Vec::new();
    let mut skipped = Vec::new();
    for (rank, statement) in statements.iter().enumerate() {
        if queries.len() == top {
            break;
        }
        let tokens = tokenize(&statement.query);
        let Some(tables) = reads_subject_tables(&tokens, catalog) else {
            continue; // a transaction command, an INSERT, a catalog query: no index to use
        };
        let short = shorten(&statement.query);
        let types = match parameter_types(conn, &statement.query).await? {
            Ok(types) => types,
            Err(message) => {
                skipped.push(format!(
                    "`{short}` does not prepare on the migrated schema: {message}"
                ));
                continue;
            }
        };
        let params: Result<Vec<String>, String> = (1..=types.len())
            .map(|n| parameter(&tokens, n, &tables, &types[n - 1]))
            .collect();
        match params {
            Ok(params) => queries.push(Query {
                name: format!(
                    "statement {} ({} calls): {short}",
                    rank + 1,
                    statement.calls
                ),
                sql: statement.query.clone(),
                params,
                expect_index: None,
            }),
            Err(why) => skipped.push(format!("`{short}`: {why}")),
        }
    }
    Ok((queries, skipped))
}

/// Its parameters' types, or the server's refusal to prepare it.
async fn parameter_types(
    conn: &mut PgConnection,
    sql: &str,
) -> Result<Result<Vec<String>, String>, sqlx::Error> {
    let name = "readiness_statement_probe";
    let types = prepare_named(conn, name, sql).await?;
    if types.is_ok() {
        conn.execute(format!("DEALLOCATE {name}").as_str()).await?;
    }
    Ok(types)
}

/// The subject's tables the statement names, when it is one that reads them (SELECT,
/// WITH, UPDATE, DELETE) and touches no system catalog.
fn reads_subject_tables<'a>(tokens: &[Token], catalog: &'a Catalog) -> Option<Vec<&'a Table>> {
    let first = tokens.iter().find(|t| !matches!(t, Token::Open))?;
    let Token::Word(path) = first else {
        return None;
    };
    if !["select", "with", "update", "delete"].contains(&path[0].as_str()) {
        return None;
    }
    let words: BTreeSet<&[String]> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word(path) => Some(path.as_slice()),
            _ => None,
        })
        .collect();
    if words
        .iter()
        .any(|w| w[0].starts_with("pg_") || w[0] == "information_schema")
    {
        return None;
    }
    let tables: Vec<&Table> = catalog
        .tables
        .iter()
        .filter(|t| {
            words.iter().any(|w| match w {
                [name] => *name == t.name,
                [schema, name] => *schema == t.schema && *name == t.name,
                _ => false,
            })
        })
        .collect();
    (!tables.is_empty()).then_some(tables)
}

/// The query that draws `$n`'s value (of type `type_name`).
fn parameter(
    tokens: &[Token],
    n: usize,
    tables: &[&Table],
    type_name: &str,
) -> Result<String, String> {
    let at = tokens
        .iter()
        .position(|t| *t == Token::Param(n))
        .ok_or_else(|| format!("${n} is not in the text"))?;
    let word = |i: usize| match tokens.get(i) {
        Some(Token::Word(path)) => Some(path[0].as_str()),
        _ => None,
    };
    if at > 0 {
        match word(at - 1) {
            Some("limit") => return Ok("SELECT 20".into()),
            Some("offset") => return Ok("SELECT 0".into()),
            _ => {}
        }
    }
    let (column, array) =
        compared_column(tokens, at).ok_or_else(|| format!("no column is compared with ${n}"))?;
    let name = column.last().expect("a path has a part");
    let qualifier = (column.len() > 1).then(|| column[column.len() - 2].as_str());
    let mut holders: Vec<&&Table> = tables.iter().filter(|t| t.column(name).is_some()).collect();
    // the table the qualifier names, else one whose column has the parameter's type
    holders.sort_by_key(|t| {
        (
            qualifier != Some(t.name.as_str()),
            t.column(name).map(|c| c.data_type.as_str()) != Some(type_name),
        )
    });
    let table = holders
        .first()
        .ok_or_else(|| format!("${n} is compared with `{name}`, which no table it reads has"))?;
    let column = quote_ident(name);
    let rows = format!(
        "SELECT {column} FROM {} WHERE {column} IS NOT NULL ORDER BY {column}::text DESC",
        relation(table)
    );
    Ok(if array {
        format!("SELECT ARRAY({rows} LIMIT 3)")
    } else {
        format!("{rows} LIMIT 1")
    })
}

const COMPARISONS: &[&str] = &["=", "<>", "!=", "<", "<=", ">", ">="];

/// The column `$n` at `at` is compared with, and whether `$n` is an array (`= ANY($n)`).
fn compared_column(tokens: &[Token], at: usize) -> Option<(Vec<String>, bool)> {
    let get = |i: Option<usize>| i.and_then(|i| tokens.get(i));
    let before = |k: usize| at.checked_sub(k);
    let is_word = |i: Option<usize>, w: &str| matches!(get(i), Some(Token::Word(p)) if p.len() == 1 && p[0] == w);
    let is_op = |i: Option<usize>, ops: &[&str]| matches!(get(i), Some(Token::Op(o)) if ops.contains(&o.as_str()));
    // col = $n, col LIKE $n, col BETWEEN $n
    if is_op(before(1), COMPARISONS)
        || is_word(before(1), "like")
        || is_word(before(1), "ilike")
        || is_word(before(1), "between")
    {
        return column_ending_at(tokens, before(2)?).map(|c| (c, false));
    }
    // BETWEEN $k AND $n
    if is_word(before(1), "and")
        && matches!(get(before(2)), Some(Token::Param(_)))
        && is_word(before(3), "between")
    {
        return column_ending_at(tokens, before(4)?).map(|c| (c, false));
    }
    // col = ANY($n)
    if matches!(get(before(1)), Some(Token::Open))
        && is_word(before(2), "any")
        && is_op(before(3), &["="])
    {
        return column_ending_at(tokens, before(4)?).map(|c| (c, true));
    }
    // col IN ($k, $n)
    let mut i = at;
    while i > 0 && matches!(tokens[i], Token::Param(_) | Token::Comma) {
        i -= 1;
    }
    if matches!(tokens.get(i), Some(Token::Open)) && i >= 2 && is_word(Some(i - 1), "in") {
        return column_ending_at(tokens, i - 2).map(|c| (c, false));
    }
    // $n = col
    if is_op(Some(at + 1), COMPARISONS) {
        return column_starting_at(tokens, at + 2).map(|c| (c, false));
    }
    None
}

/// The column whose reference ends at token `end`: `t.col`, `col::text`, `lower(col)`.
fn column_ending_at(tokens: &[Token], end: usize) -> Option<Vec<String>> {
    match tokens.get(end)? {
        Token::Word(path) if end >= 1 && tokens[end - 1] == Token::Op("::".into()) => {
            let _ = path;
            column_ending_at(tokens, end.checked_sub(2)?)
        }
        Token::Word(path) => Some(path.clone()),
        Token::Close if end >= 2 && tokens[end - 2] == Token::Open => match &tokens[end - 1] {
            Token::Word(path) => Some(path.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The column whose reference starts at token `start`.
fn column_starting_at(tokens: &[Token], start: usize) -> Option<Vec<String>> {
    match tokens.get(start)? {
        Token::Word(path) if tokens.get(start + 1) == Some(&Token::Open) => {
            let _ = path;
            match tokens.get(start + 2)? {
                Token::Word(inner) => Some(inner.clone()),
                _ => None,
            }
        }
        Token::Word(path) => Some(path.clone()),
        _ => None,
    }
}

/// The statement on one line, cut to 80 characters.
fn shorten(sql: &str) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line
    }
}

/// What the placement of parameters needs of SQL's lexical structure.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A name, dotted parts apart; unquoted parts lower-cased.
    Word(Vec<String>),
    Param(usize),
    Op(String),
    Open,
    Close,
    Comma,
    /// A literal or anything else.
    Other,
}

fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    // one name part at `i`: unquoted (lower-cased) or quoted; its end
    let part = |i: usize| -> Option<(String, usize)> {
        if chars.get(i) == Some(&'"') {
            let mut j = i + 1;
            let mut name = String::new();
            while j < chars.len() {
                if chars[j] == '"' {
                    if chars.get(j + 1) == Some(&'"') {
                        name.push('"');
                        j += 2;
                        continue;
                    }
                    return Some((name, j + 1));
                }
                name.push(chars[j]);
                j += 1;
            }
            return Some((name, j));
        }
        let c = *chars.get(i)?;
        if !(c.is_alphabetic() || c == '_') {
            return None;
        }
        let mut j = i;
        while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '$')
        {
            j += 1;
        }
        Some((chars[i..j].iter().collect::<String>().to_lowercase(), j))
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            tokens.push(Token::Other);
        } else if c == '$' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let n = chars[i + 1..j]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            tokens.push(Token::Param(n));
            i = j;
        } else if let Some((first, mut end)) = part(i) {
            let mut path = vec![first];
            while chars.get(end) == Some(&'.') {
                match part(end + 1) {
                    Some((next, after)) => {
                        path.push(next);
                        end = after;
                    }
                    None => break,
                }
            }
            tokens.push(Token::Word(path));
            i = end;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == ',' {
            tokens.push(Token::Comma);
            i += 1;
        } else if "=<>!~+*/%|&^#@-:".contains(c) {
            let mut j = i;
            while j < chars.len() && "=<>!~+*/%|&^#@-:".contains(chars[j]) {
                j += 1;
            }
            tokens.push(Token::Op(chars[i..j].iter().collect()));
            i = j;
        } else {
            tokens.push(Token::Other);
            i += 1;
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_of(sql: &str, n: usize) -> Option<(Vec<String>, bool)> {
        let tokens = tokenize(sql);
        let at = tokens.iter().position(|t| *t == Token::Param(n))?;
        compared_column(&tokens, at)
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn parameters_are_placed_by_the_column_they_meet() {
        let sql = "SELECT i.* FROM invoices i JOIN \"Teams\" t ON t.id = i.team_id \
                   WHERE i.team_id = $1 AND $2 = t.\"Name\" AND i.status IN ($3, $4) \
                   AND i.id = ANY($5) AND i.due_on BETWEEN $6 AND $7 AND lower(t.email) = $8 \
                   AND i.number::text LIKE $9 -- $10 in a comment\n LIMIT $10";
        assert_eq!(column_of(sql, 1), Some((path(&["i", "team_id"]), false)));
        assert_eq!(column_of(sql, 2), Some((path(&["t", "Name"]), false)));
        assert_eq!(column_of(sql, 3), Some((path(&["i", "status"]), false)));
        assert_eq!(column_of(sql, 4), Some((path(&["i", "status"]), false)));
        assert_eq!(column_of(sql, 5), Some((path(&["i", "id"]), true)));
        assert_eq!(column_of(sql, 6), Some((path(&["i", "due_on"]), false)));
        assert_eq!(column_of(sql, 7), Some((path(&["i", "due_on"]), false)));
        assert_eq!(column_of(sql, 8), Some((path(&["t", "email"]), false)));
        assert_eq!(column_of(sql, 9), Some((path(&["i", "number"]), false)));
        let tokens = tokenize(sql);
        assert_eq!(tokens.iter().filter(|t| **t == Token::Param(10)).count(), 1);
        assert_eq!(column_of("SELECT $1 + 1", 1), None);
    }
}
