//! Columns a BEFORE INSERT trigger fills, which the generator leaves to it.

use std::collections::BTreeSet;

use sqlx::PgConnection;

use crate::backend::names::quote_ident;
use crate::schema::catalog::Table;

/// Columns a BEFORE INSERT row trigger of `table` assigns (`NEW.number := …` in its
/// function, or the column `tsvector_update_trigger` keeps): left out, so that the
/// trigger fills them as it would for the application's rows.
pub(super) async fn trigger_filled(
    conn: &mut PgConnection,
    table: &Table,
) -> Result<BTreeSet<String>, sqlx::Error> {
    // tgtype bits: 1 row, 2 before, 4 insert
    let triggers: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT p.proname::text, p.prosrc, t.tgargs FROM pg_trigger t \
         JOIN pg_proc p ON p.oid = t.tgfoid \
         WHERE t.tgrelid = to_regclass($1) AND NOT t.tgisinternal AND t.tgtype & 7 = 7",
    )
    .bind(format!(
        "{}.{}",
        quote_ident(&table.schema),
        quote_ident(&table.name)
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut filled = BTreeSet::new();
    for (function, source, arguments) in triggers {
        if function.starts_with("tsvector_update_trigger") {
            let first = arguments.split(|b| *b == 0).next().unwrap_or_default();
            filled.insert(String::from_utf8_lossy(first).into_owned());
            continue;
        }
        let source = source.to_ascii_lowercase();
        for column in &table.columns {
            let assigned = format!("new.{}", column.name.to_ascii_lowercase());
            let assigns = source.match_indices(&assigned).any(|(at, _)| {
                let rest = source[at + assigned.len()..].trim_start();
                rest.starts_with(":=") || (rest.starts_with('=') && !rest.starts_with("=="))
            });
            if assigns {
                filled.insert(column.name.clone());
            }
        }
    }
    Ok(filled)
}
