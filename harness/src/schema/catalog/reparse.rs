//! Comparing catalogs where PostgreSQL's text is not stable. The server stores expressions
//! as trees and prints them back (`pg_get_expr`, `pg_get_viewdef`…); printing and parsing
//! again is not a fixpoint: `CHECK (status IN ('a', 'b'))` on a `varchar` column prints as
//! `ARRAY['a'::character varying, …]::text[]`, and once dumped and restored as
//! `ARRAY['a'::character varying::text, …]`. Both are the same rule.
//!
//! So where two catalogs differ, every expression of the objects that differ is parsed
//! again by the server and printed back, on both sides, in the database being compared:
//! an expression and its restored copy then print the same, while a rule that really
//! changed still differs. The objects are made inside a transaction that is rolled back
//! (temporary tables, views and domains); an expression that does not parse there (its
//! table or a function is missing) keeps its text, so the difference stays visible.

use std::collections::BTreeSet;

use sqlx::{Connection, Executor, PgConnection};

use super::read::{DOMAIN_DEFINITION, INDEX_KEYS};
use super::{Catalog, ConstraintType, Named, Table};
use crate::backend::names::quote_ident;

/// Two catalogs made comparable: each expression printed as the server prints it after
/// parsing it again.
#[derive(Debug, Clone)]
pub struct Aligned {
    pub expected: Catalog,
    pub actual: Catalog,
    /// The lines that differed only in how PostgreSQL prints the same expression.
    pub reworded: Vec<String>,
}

impl Aligned {
    /// The lines that still differ (`- ` expected only, `+ ` actual only).
    pub fn diff(&self) -> Vec<String> {
        self.expected.diff(&self.actual)
    }
}

/// `expected` and `actual` (the catalog of the database `conn` is connected to), with the
/// expressions of every table, view and type that differs parsed again on that database.
/// Nothing is changed there: the work is rolled back.
pub async fn align(
    conn: &mut PgConnection,
    expected: &Catalog,
    actual: &Catalog,
) -> Result<Aligned, sqlx::Error> {
    let raw = expected.diff(actual);
    if raw.is_empty() {
        return Ok(Aligned {
            expected: expected.clone(),
            actual: actual.clone(),
            reworded: Vec::new(),
        });
    }
    let scope = Scope::of(expected, actual);
    let mut tx = conn.begin().await?;
    let mut reparser = Reparser {
        conn: &mut tx,
        counter: 0,
    };
    let expected = reparser.catalog(expected, &scope).await?;
    let actual = reparser.catalog(actual, &scope).await?;
    tx.rollback().await?;
    let left: BTreeSet<String> = expected.diff(&actual).into_iter().collect();
    let reworded = raw.into_iter().filter(|l| !left.contains(l)).collect();
    Ok(Aligned {
        expected,
        actual,
        reworded,
    })
}

/// The objects whose lines differ: only their expressions are parsed again.
struct Scope {
    tables: BTreeSet<String>,
    views: BTreeSet<String>,
    types: BTreeSet<String>,
}

impl Scope {
    fn of(a: &Catalog, b: &Catalog) -> Scope {
        let tables = a
            .tables
            .iter()
            .filter(|t| b.tables.iter().all(|u| u != *t))
            .map(Table::qualified_name)
            .collect();
        let differing = |x: &[Named], y: &[Named]| -> BTreeSet<String> {
            x.iter()
                .filter(|n| !y.contains(n))
                .chain(y.iter().filter(|n| !x.contains(n)))
                .map(|n| n.name.clone())
                .collect()
        };
        Scope {
            tables,
            views: differing(&a.views, &b.views),
            types: differing(&a.types, &b.types),
        }
    }
}

struct Reparser<'c> {
    conn: &'c mut PgConnection,
    /// Makes each temporary object's name unique within the transaction.
    counter: u32,
}

impl Reparser<'_> {
    async fn catalog(&mut self, catalog: &Catalog, scope: &Scope) -> Result<Catalog, sqlx::Error> {
        let mut out = catalog.clone();
        for table in out.tables.iter_mut() {
            if scope.tables.contains(&table.qualified_name()) {
                self.table(table).await?;
            }
        }
        for view in out.views.iter_mut() {
            if scope.views.contains(&view.name) {
                if let Some(definition) = self.view(&view.definition).await? {
                    view.definition = definition;
                }
            }
        }
        for ty in out.types.iter_mut() {
            if scope.types.contains(&ty.name) {
                if let Some(definition) = self.domain(&ty.definition).await? {
                    ty.definition = definition;
                }
            }
        }
        Ok(out)
    }

    /// Runs `sql` in a savepoint; `None` (and nothing left behind) when it fails.
    async fn attempt(&mut self, sql: &str) -> Result<Option<()>, sqlx::Error> {
        self.conn.execute("SAVEPOINT readiness_reparse").await?;
        match self.conn.execute(sql).await {
            Ok(_) => {
                self.conn
                    .execute("RELEASE SAVEPOINT readiness_reparse")
                    .await?;
                Ok(Some(()))
            }
            Err(sqlx::Error::Database(_)) => {
                self.conn
                    .execute("ROLLBACK TO SAVEPOINT readiness_reparse")
                    .await?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn name(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("readiness_reparse_{prefix}{}", self.counter)
    }

    /// A temporary table shaped like `table` (its columns and types, nothing else), on
    /// which its checks, defaults, generated columns and indexes are made again.
    async fn table(&mut self, table: &mut Table) -> Result<(), sqlx::Error> {
        let shape = self.name("t");
        let source = format!(
            "{}.{}",
            quote_ident(&table.schema),
            quote_ident(&table.name)
        );
        if self
            .attempt(&format!("CREATE TEMP TABLE {shape} (LIKE {source})"))
            .await?
            .is_none()
        {
            return Ok(());
        }
        for constraint in table.constraints.iter_mut() {
            let Some(expression) = constraint
                .expression
                .as_ref()
                .filter(|_| constraint.kind == ConstraintType::Check)
            else {
                continue;
            };
            let name = self.name("c");
            let sql =
                format!("ALTER TABLE {shape} ADD CONSTRAINT {name} CHECK ({expression}) NOT VALID");
            if self.attempt(&sql).await?.is_some() {
                constraint.expression = Some(
                    sqlx::query_scalar(
                        "SELECT pg_get_expr(conbin, conrelid, true) FROM pg_constraint \
                         WHERE conrelid = $1::regclass AND conname = $2",
                    )
                    .bind(&shape)
                    .bind(&name)
                    .fetch_one(&mut *self.conn)
                    .await?,
                );
            }
        }
        for column in table.columns.iter_mut() {
            if let Some(default) = &column.default {
                let sql = format!(
                    "ALTER TABLE {shape} ALTER COLUMN {} SET DEFAULT {default}",
                    quote_ident(&column.name)
                );
                if self.attempt(&sql).await?.is_some() {
                    column.default = Some(self.default_of(&shape, &column.name).await?);
                }
            }
            if let Some(generated) = &column.generated {
                let name = self.name("g");
                let sql = format!(
                    "ALTER TABLE {shape} ADD COLUMN {name} {} GENERATED ALWAYS AS ({generated}) STORED",
                    column.data_type
                );
                if self.attempt(&sql).await?.is_some() {
                    column.generated = Some(self.default_of(&shape, &name).await?);
                }
            }
        }
        for index in table.indexes.iter_mut() {
            let name = self.name("i");
            let mut sql = format!(
                "CREATE INDEX {name} ON {shape} USING {} ({})",
                index.method,
                index.keys.join(", ")
            );
            if !index.include.is_empty() {
                sql.push_str(&format!(" INCLUDE ({})", index.include.join(", ")));
            }
            if let Some(predicate) = &index.predicate {
                sql.push_str(&format!(" WHERE {predicate}"));
            }
            if self.attempt(&sql).await?.is_some() {
                let (keys, predicate): (Vec<String>, Option<String>) = sqlx::query_as(&format!(
                    "SELECT {INDEX_KEYS}, pg_get_expr(i.indpred, i.indrelid, true) \
                     FROM pg_index i WHERE i.indexrelid = $1::regclass"
                ))
                .bind(&name)
                .fetch_one(&mut *self.conn)
                .await?;
                index.keys = keys;
                index.predicate = predicate;
            }
        }
        Ok(())
    }

    /// The default (or generation) expression of `column` of the temporary table `shape`.
    async fn default_of(&mut self, shape: &str, column: &str) -> Result<String, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
             JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
             WHERE d.adrelid = $1::regclass AND a.attname = $2",
        )
        .bind(shape)
        .bind(column)
        .fetch_one(&mut *self.conn)
        .await
    }

    /// A view's (or materialized view's) query, made again as a temporary view.
    async fn view(&mut self, definition: &str) -> Result<Option<String>, sqlx::Error> {
        let (prefix, query) = match definition.strip_prefix("materialized ") {
            Some(query) => ("materialized ", query),
            None => ("", definition),
        };
        let name = self.name("v");
        let query = query.trim().trim_end_matches(';');
        if self
            .attempt(&format!("CREATE TEMP VIEW {name} AS {query}"))
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let printed: String = sqlx::query_scalar("SELECT pg_get_viewdef($1::regclass, true)")
            .bind(&name)
            .fetch_one(&mut *self.conn)
            .await?;
        Ok(Some(format!("{prefix}{printed}")))
    }

    /// A domain's definition ("domain over integer CHECK (…)"), made again as a
    /// temporary domain; other types keep theirs.
    async fn domain(&mut self, definition: &str) -> Result<Option<String>, sqlx::Error> {
        let Some(body) = definition.strip_prefix("domain over ") else {
            return Ok(None);
        };
        let name = self.name("d");
        if self
            .attempt(&format!("CREATE DOMAIN pg_temp.{name} AS {body}"))
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let printed: String = sqlx::query_scalar(&format!(
            "SELECT {DOMAIN_DEFINITION} FROM pg_type t \
             WHERE t.typname = $1 AND t.typnamespace = pg_my_temp_schema()"
        ))
        .bind(&name)
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(Some(printed))
    }
}
