//! Seeded datasets at a chosen scale, generated server-side from the manifest's `[scale]`
//! section: each table's `generate` SQL runs with `:users` and `:seed` filled in, then
//! identity sequences are moved past the generated ids and the tables analyzed.

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use crate::manifest::ScaleSection;
use crate::names::quote_ident;
use crate::scenario::ScenarioError;
use crate::subject::Subject;
use crate::template::Database;

/// What a load produced.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub users: u64,
    /// Rows per table, in load order.
    pub rows: Vec<(String, u64)>,
    pub elapsed: Duration,
}

impl LoadReport {
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// The subject's `[scale]` section, or a manifest error naming it.
pub fn scale_of(subject: &Subject) -> Result<&ScaleSection, ScenarioError> {
    subject.manifest.scale.as_ref().ok_or_else(|| {
        ScenarioError::Manifest(subject.invalid(
            "scale",
            "this scenario needs a [scale] section to generate data",
        ))
    })
}

/// Parses "1k", "10k", "100k", "1m" or a plain number.
pub fn parse_scale(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let (digits, factor) = match text.chars().last()? {
        'k' => (&text[..text.len() - 1], 1_000),
        'm' => (&text[..text.len() - 1], 1_000_000),
        _ => (text.as_str(), 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(|n| n * factor)
}

/// "100k" for 100000.
pub fn scale_label(users: u64) -> String {
    match users {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}m", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// Generates `users` users' worth of data into `db` (which must hold the migrated schema).
pub async fn load(
    db: &Database,
    subject: &Subject,
    users: u64,
    seed: u64,
) -> Result<LoadReport, ScenarioError> {
    let scale = scale_of(subject)?;
    let started = Instant::now();
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to load data", e))?;
    // a small, stable number: keeps generated arithmetic far from bigint overflow
    let seed_value = seed % 1_000_003;
    let mut rows = Vec::new();
    for (i, table) in scale.tables.iter().enumerate() {
        let Some(generate) = &table.generate else {
            continue;
        };
        let sql = generate
            .replace(":users", &users.to_string())
            .replace(":seed", &seed_value.to_string());
        let result = conn.execute(sql.as_str()).await.map_err(|e| match e {
            sqlx::Error::Database(db_err) => ScenarioError::Manifest(subject.invalid(
                &format!("scale.tables[{i}].generate"),
                format!("generating `{}` fails: {}", table.table, db_err.message()),
            )),
            other => ScenarioError::sql(format!("generate {}", table.table), other),
        })?;
        rows.push((table.table.clone(), result.rows_affected()));
    }
    advance_sequences(&mut conn).await?;
    conn.execute("ANALYZE")
        .await
        .map_err(|e| ScenarioError::sql("analyze the generated data", e))?;
    let _ = conn.close().await;
    Ok(LoadReport {
        users,
        rows,
        elapsed: started.elapsed(),
    })
}

/// Moves every identity or serial sequence past the largest id the generator wrote, so
/// that the application's own inserts do not collide with generated rows.
async fn advance_sequences(conn: &mut PgConnection) -> Result<(), ScenarioError> {
    let owned: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname::text, \
                pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| ScenarioError::sql("find identity sequences", e))?;
    for (table, column, sequence) in owned {
        let sql = format!(
            "SELECT setval('{sequence}', greatest((SELECT max({col}) FROM {table}), 1))",
            col = quote_ident(&column)
        );
        conn.execute(sql.as_str())
            .await
            .map_err(|e| ScenarioError::sql(format!("advance {sequence}"), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_parse_and_print() {
        assert_eq!(parse_scale("1k"), Some(1_000));
        assert_eq!(parse_scale("100K"), Some(100_000));
        assert_eq!(parse_scale("1m"), Some(1_000_000));
        assert_eq!(parse_scale("2500"), Some(2_500));
        assert_eq!(parse_scale("0"), None);
        assert_eq!(parse_scale("lots"), None);
        assert_eq!(scale_label(100_000), "100k");
        assert_eq!(scale_label(1_000_000), "1m");
        assert_eq!(scale_label(2_500), "2500");
    }
}
