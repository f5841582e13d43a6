//! The parts of a schema that slow a bulk load down and can be rebuilt after it: keys,
//! foreign keys and secondary indexes, read from the catalog with the exact definitions
//! PostgreSQL prints for them, dropped before the load and recreated from those
//! definitions afterwards (one sort per index instead of one tree insert per row).

use sqlx::{Executor, PgConnection};

use crate::backend::names::{quote_ident, quote_literal};

/// One object to drop and recreate.
#[derive(Debug, Clone)]
struct Deferred {
    /// The table, as `regclass` text.
    table: String,
    name: String,
    kind: Kind,
    /// `pg_get_constraintdef` or `pg_get_indexdef`.
    definition: String,
    comment: Option<String>,
    /// The comment on a key constraint's own index.
    index_comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Primary key, unique or exclusion constraint: owns an index.
    Key,
    ForeignKey,
    /// An index no constraint owns.
    Index,
}

/// What was taken off the loaded tables, to be put back after the load.
#[derive(Debug, Default)]
pub struct DeferredSchema {
    objects: Vec<Deferred>,
}

/// Why the schema cannot be deferred; the load then runs with everything in place.
#[derive(Debug)]
pub struct NotDeferrable(pub String);

impl DeferredSchema {
    /// Reads the keys, foreign keys and plain indexes of `tables` (oids), and the foreign
    /// keys of other tables that point at them. Partitioned and inherited tables, indexes
    /// marked for replica identity or clustering, and invalid indexes are left alone.
    pub async fn read(
        conn: &mut PgConnection,
        tables: &[i64],
    ) -> Result<Result<DeferredSchema, NotDeferrable>, sqlx::Error> {
        let inherited: Option<String> = sqlx::query_scalar(
            "SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c \
             WHERE c.oid::int8 = ANY($1) AND (c.relkind = 'p' OR c.relispartition \
                   OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid OR i.inhrelid = c.oid))",
        )
        .bind(tables)
        .fetch_one(&mut *conn)
        .await?;
        if let Some(names) = inherited {
            return Ok(Err(NotDeferrable(format!(
                "partitioned or inherited tables: {names}"
            ))));
        }

        type ConstraintRow = (
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        );
        let constraints: Vec<ConstraintRow> = sqlx::query_as(
            "SELECT con.conrelid::regclass::text, con.conname::text, con.contype::text, \
                    pg_get_constraintdef(con.oid), obj_description(con.oid, 'pg_constraint'), \
                    CASE WHEN con.contype <> 'f' THEN obj_description(con.conindid, 'pg_class') END \
             FROM pg_constraint con \
             WHERE con.conparentid = 0 \
               AND ((con.contype = 'f' AND (con.conrelid::int8 = ANY($1) OR con.confrelid::int8 = ANY($1))) \
                 OR (con.contype IN ('p', 'u', 'x') AND con.conrelid::int8 = ANY($1) \
                     AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = con.conindid \
                                     AND (i.indisreplident OR i.indisclustered OR NOT i.indisvalid)))) \
             ORDER BY con.conrelid, con.conname",
        )
        .bind(tables)
        .fetch_all(&mut *conn)
        .await?;
        let indexes: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT i.indrelid::regclass::text, ic.relname::text, pg_get_indexdef(i.indexrelid), \
                    obj_description(i.indexrelid, 'pg_class') \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             WHERE i.indrelid::int8 = ANY($1) AND i.indisvalid AND i.indisready \
               AND NOT i.indisreplident AND NOT i.indisclustered \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid \
                               AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) \
             ORDER BY i.indrelid, ic.relname",
        )
        .bind(tables)
        .fetch_all(&mut *conn)
        .await?;

        let mut objects = Vec::new();
        for (table, name, code, definition, comment, index_comment) in constraints {
            // every foreign key pointing at a loaded table is deferred with its key
            let kind = if code == "f" {
                Kind::ForeignKey
            } else {
                Kind::Key
            };
            objects.push(Deferred {
                table,
                name,
                kind,
                definition,
                comment,
                index_comment,
            });
        }
        for (table, name, definition, comment) in indexes {
            objects.push(Deferred {
                table,
                name,
                kind: Kind::Index,
                definition,
                comment,
                index_comment: None,
            });
        }
        Ok(Ok(DeferredSchema { objects }))
    }

    /// How many objects are deferred.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Drops foreign keys first, then keys and indexes.
    pub async fn drop_all(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        for kind in [Kind::ForeignKey, Kind::Key, Kind::Index] {
            for object in self.objects.iter().filter(|o| o.kind == kind) {
                let sql = match kind {
                    Kind::Index => format!("DROP INDEX {}", qualified_index(object)),
                    _ => format!(
                        "ALTER TABLE {} DROP CONSTRAINT {}",
                        object.table,
                        quote_ident(&object.name)
                    ),
                };
                conn.execute(sql.as_str()).await?;
            }
        }
        Ok(())
    }

    /// Recreates keys and indexes, then foreign keys (which check every row), with their
    /// comments. On failure, names the object that could not be rebuilt.
    pub async fn rebuild_all(&self, conn: &mut PgConnection) -> Result<(), (String, sqlx::Error)> {
        for kind in [Kind::Key, Kind::Index, Kind::ForeignKey] {
            for object in self.objects.iter().filter(|o| o.kind == kind) {
                let sql = match kind {
                    Kind::Index => object.definition.clone(),
                    _ => format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} {}",
                        object.table,
                        quote_ident(&object.name),
                        object.definition
                    ),
                };
                let what = || format!("`{}` on {}", object.name, object.table);
                conn.execute(sql.as_str()).await.map_err(|e| (what(), e))?;
                for sql in comments(object) {
                    conn.execute(sql.as_str()).await.map_err(|e| (what(), e))?;
                }
            }
        }
        Ok(())
    }
}

/// An index name qualified with its table's schema (indexes live beside their table).
fn qualified_index(object: &Deferred) -> String {
    match object.table.rsplit_once('.') {
        Some((schema, _)) => format!("{schema}.{}", quote_ident(&object.name)),
        None => quote_ident(&object.name),
    }
}

fn comments(object: &Deferred) -> Vec<String> {
    let mut sql = Vec::new();
    if let Some(comment) = &object.comment {
        sql.push(match object.kind {
            Kind::Index => format!(
                "COMMENT ON INDEX {} IS {}",
                qualified_index(object),
                quote_literal(comment)
            ),
            _ => format!(
                "COMMENT ON CONSTRAINT {} ON {} IS {}",
                quote_ident(&object.name),
                object.table,
                quote_literal(comment)
            ),
        });
    }
    if let Some(comment) = &object.index_comment {
        sql.push(format!(
            "COMMENT ON INDEX {} IS {}",
            qualified_index(object),
            quote_literal(comment)
        ));
    }
    sql
}
