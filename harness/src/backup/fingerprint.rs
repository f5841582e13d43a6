//! A database's fingerprint, to compare a restored copy with its source: per table the
//! row count and an order-independent hash of its contents (the sum of a 64-bit hash of
//! every row's text), every sequence's position, and the catalog (constraints, indexes…).
//! Read in one repeatable-read snapshot with fixed output settings, so that two servers
//! holding the same data give the same fingerprint.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, Executor, PgConnection};

use crate::backend::names::quote_ident;
use crate::checks::data_prints::STABLE_SNAPSHOT;
use crate::schema::catalog::Catalog;

/// One table's contents, summarised.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TablePrint {
    pub rows: i64,
    /// The sum of `hashtextextended(row::text, 0)` over every row, as text.
    pub content: String,
}

/// Everything that must survive a backup and restore.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fingerprint {
    /// By `schema.table`.
    pub tables: BTreeMap<String, TablePrint>,
    /// Owner and privileges of every table and sequence, by `schema.name`, but for what the
    /// harness granted its own roles: an application role the subject granted rights to
    /// that cannot read the restored tables has not been recovered.
    pub privileges: BTreeMap<String, String>,
    /// By `schema.sequence`: "<last_value> (called)" or "<last_value> (not called)".
    pub sequences: BTreeMap<String, String>,
    pub catalog: Catalog,
    /// Invariants (by name) the source already broke — generated data need not keep the
    /// business rules no catalog states — which a copy is not blamed for breaking too.
    pub broken_on_source: BTreeSet<String>,
}

/// Where a restored copy differs from its source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Differences {
    /// The tables whose rows or definition differ (or that are missing on one side).
    pub tables: Vec<String>,
    /// One line per difference.
    pub details: Vec<String>,
    /// Catalog lines whose text differed only in how PostgreSQL prints the same expression
    /// after a dump and restore (see [`crate::schema::catalog::reparse`]): not differences.
    pub reworded: Vec<String>,
}

impl Differences {
    pub fn is_empty(&self) -> bool {
        self.details.is_empty()
    }
}

impl Fingerprint {
    /// Reads the fingerprint of the database `conn` is connected to.
    pub async fn read(conn: &mut PgConnection) -> Result<Fingerprint, sqlx::Error> {
        let mut tx = conn.begin().await?;
        tx.execute(STABLE_SNAPSHOT).await?;
        let tables: Vec<(String, String)> = sqlx::query_as(
            "SELECT n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') \
             ORDER BY 1, 2",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut prints = BTreeMap::new();
        for (schema, table) in tables {
            let sql = format!(
                "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text FROM {}.{} AS t",
                quote_ident(&schema),
                quote_ident(&table)
            );
            let (rows, content): (i64, String) = sqlx::query_as(&sql).fetch_one(&mut *tx).await?;
            prints.insert(format!("{schema}.{table}"), TablePrint { rows, content });
        }
        let names: Vec<(String, String)> = sqlx::query_as(
            "SELECT schemaname::text, sequencename::text FROM pg_sequences \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut sequences = BTreeMap::new();
        for (schema, sequence) in names {
            let sql = format!(
                "SELECT last_value, is_called FROM {}.{}",
                quote_ident(&schema),
                quote_ident(&sequence)
            );
            let (last, called): (i64, bool) = sqlx::query_as(&sql).fetch_one(&mut *tx).await?;
            let state = if called { "called" } else { "not called" };
            sequences.insert(format!("{schema}.{sequence}"), format!("{last} ({state})"));
        }
        // what the harness granted its own roles (readiness_app…) is not the subject's to
        // restore: only grants beyond the owner's, to other roles, are compared
        let privileges: Vec<(String, String)> = sqlx::query_as(
            "SELECT n.nspname || '.' || c.relname, \
                    'owner ' || pg_get_userbyid(c.relowner) || ', ' || coalesce( \
                      (SELECT string_agg(g.grantee || '=' || g.privileges, ', ' ORDER BY g.grantee) FROM ( \
                         SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee, \
                                string_agg(a.privilege_type, '+' ORDER BY a.privilege_type) AS privileges \
                         FROM aclexplode(c.relacl) a \
                         WHERE a.grantee <> c.relowner \
                           AND (a.grantee = 0 OR pg_get_userbyid(a.grantee) NOT LIKE 'readiness\\_%') \
                         GROUP BY 1) g), \
                      'nothing granted to others') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') \
             ORDER BY 1",
        )
        .fetch_all(&mut *tx)
        .await?;
        let catalog = Catalog::read(&mut tx, &[]).await?;
        tx.commit().await?;
        Ok(Fingerprint {
            tables: prints,
            privileges: privileges.into_iter().collect(),
            sequences,
            catalog,
            broken_on_source: BTreeSet::new(),
        })
    }

    /// How `restored` (the database `conn` is connected to) differs from this fingerprint
    /// (the source's), with the catalogs compared by meaning where PostgreSQL prints the
    /// same expression differently after a dump and restore.
    pub async fn compare(
        &self,
        restored: &Fingerprint,
        conn: &mut PgConnection,
    ) -> Result<Differences, sqlx::Error> {
        let aligned =
            crate::schema::catalog::reparse::align(conn, &self.catalog, &restored.catalog).await?;
        let source = Fingerprint {
            catalog: aligned.expected,
            ..self.clone()
        };
        let copy = Fingerprint {
            catalog: aligned.actual,
            ..restored.clone()
        };
        let mut differences = source.diff(&copy);
        differences.reworded = aligned.reworded;
        Ok(differences)
    }

    pub fn total_rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows.max(0) as u64).sum()
    }

    /// How `restored` differs from this fingerprint (the source's).
    pub fn diff(&self, restored: &Fingerprint) -> Differences {
        let mut out = Differences::default();
        let differ = |table: &str, line: String, out: &mut Differences| {
            if !out.tables.iter().any(|t| t == table) {
                out.tables.push(table.to_owned());
            }
            out.details.push(line);
        };
        for (name, source) in &self.tables {
            match restored.tables.get(name) {
                None => differ(
                    name,
                    format!("table {name}: missing after restore"),
                    &mut out,
                ),
                Some(copy) if copy.rows != source.rows => differ(
                    name,
                    format!("table {name}: {} rows, restored {}", source.rows, copy.rows),
                    &mut out,
                ),
                Some(copy) if copy.content != source.content => differ(
                    name,
                    format!(
                        "table {name}: same {} rows, different contents",
                        source.rows
                    ),
                    &mut out,
                ),
                Some(_) => {}
            }
        }
        for name in restored.tables.keys() {
            if !self.tables.contains_key(name) {
                differ(name, format!("table {name}: not in the source"), &mut out);
            }
        }
        for (name, source) in &self.sequences {
            let copy = restored.sequences.get(name);
            if copy != Some(source) {
                let found = copy.map(String::as_str).unwrap_or("missing");
                out.details
                    .push(format!("sequence {name}: {source}, restored {found}"));
            }
        }
        for name in restored.sequences.keys() {
            if !self.sequences.contains_key(name) {
                out.details
                    .push(format!("sequence {name}: not in the source"));
            }
        }
        for (name, source) in &self.privileges {
            // a missing object is reported above
            let Some(copy) = restored.privileges.get(name) else {
                continue;
            };
            if copy != source {
                let line = format!("privileges on {name}: {source}, restored {copy}");
                if self.tables.contains_key(name) {
                    differ(name, line, &mut out);
                } else {
                    out.details.push(line);
                }
            }
        }
        for table in &self.catalog.tables {
            let name = format!("{}.{}", table.schema, table.name);
            let copy = restored
                .catalog
                .tables
                .iter()
                .find(|t| t.schema == table.schema && t.name == table.name);
            match copy {
                Some(copy) if copy == table => {}
                Some(copy) => {
                    for line in only_table(table).diff(&only_table(copy)) {
                        differ(&name, format!("catalog {line}"), &mut out);
                    }
                }
                None => differ(&name, format!("catalog: table {name} missing"), &mut out),
            }
        }
        for line in without_tables(&self.catalog).diff(&without_tables(&restored.catalog)) {
            out.details.push(format!("catalog {line}"));
        }
        out
    }
}

fn only_table(table: &crate::schema::catalog::Table) -> Catalog {
    Catalog {
        tables: vec![table.clone()],
        ..Catalog::default()
    }
}

fn without_tables(catalog: &Catalog) -> Catalog {
    Catalog {
        tables: Vec::new(),
        ..catalog.clone()
    }
}
