//! Reading a catalog from `pg_catalog`: one query per kind of object, the subject's own
//! objects only (not PostgreSQL's, not an extension's, not a migration tool's bookkeeping).

use std::collections::HashMap;

use sqlx::PgConnection;

use super::{
    Catalog, Column, Constraint, ConstraintType, FkAction, ForeignKey, Index, Named, Table,
};

/// Schemas that belong to PostgreSQL itself.
pub(crate) const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
/// Objects that belong to an extension are the extension's, not the subject's.
const NOT_EXTENSION_MEMBER: &str =
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')";

/// A domain's definition as the catalog renders it, for the type `t`.
pub(super) const DOMAIN_DEFINITION: &str =
    "'domain over ' || format_type(t.typbasetype, t.typtypmod) || coalesce(' ' || \
     (SELECT string_agg(pg_get_constraintdef(con.oid, true), ' ' ORDER BY con.conname) \
      FROM pg_constraint con WHERE con.contypid = t.oid), '')";

/// A view's definition as the catalog renders it, for the relation `c`.
pub(super) const VIEW_DEFINITION: &str =
    "CASE c.relkind WHEN 'm' THEN 'materialized ' ELSE '' END || pg_get_viewdef(c.oid, true)";

/// An index's key columns or expressions as the catalog renders them, for the index `i`:
/// indoption bit 0 is DESC, bit 1 NULLS FIRST; only what differs from the default
/// ordering is written out, as CREATE INDEX would be.
pub(super) const INDEX_KEYS: &str = "ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) || \
     CASE i.indoption[k - 1]::int & 3 WHEN 1 THEN ' DESC NULLS LAST' WHEN 2 THEN ' NULLS FIRST' \
                                      WHEN 3 THEN ' DESC' ELSE '' END \
     FROM generate_series(1, i.indnkeyatts) k ORDER BY k)";

/// Where tables are: their oids, and their positions in the catalog's (schema, name) order.
struct TableIndex {
    oids: Vec<i64>,
    position: HashMap<i64, usize>,
}

impl TableIndex {
    fn of(&self, oid: i64) -> Option<usize> {
        self.position.get(&oid).copied()
    }
}

impl Catalog {
    /// Reads the catalog of the database `conn` is connected to, leaving out `ignored`
    /// tables (a migration tool's bookkeeping, by bare table name) and the sequences they
    /// own.
    pub async fn read(conn: &mut PgConnection, ignored: &[String]) -> Result<Catalog, sqlx::Error> {
        let schemas: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT n.nspname::text FROM pg_namespace n WHERE {SYSTEM_SCHEMAS} ORDER BY 1"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let (mut tables, index, left_out) = read_tables(conn, ignored).await?;
        read_columns(conn, &index, &mut tables).await?;
        read_constraints(conn, &index, &mut tables).await?;
        read_indexes(conn, &index, &mut tables).await?;
        read_triggers(conn, &index, &mut tables).await?;
        let sequences = read_sequences(conn, &left_out).await?;
        let views = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || c.relname, {VIEW_DEFINITION} \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('v', 'm') AND {SYSTEM_SCHEMAS} AND {NOT_EXTENSION_MEMBER} ORDER BY 1"
            ),
        )
        .await?;
        let functions = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', \
                        'returns ' || pg_get_function_result(p.oid) || ' md5 ' || md5(pg_get_functiondef(p.oid)) \
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE p.prokind IN ('f', 'p') AND {SYSTEM_SCHEMAS} \
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1"
            ),
        )
        .await?;
        let types = named(
            conn,
            &format!(
                "SELECT n.nspname || '.' || t.typname, CASE t.typtype \
                    WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) \
                                              FROM pg_enum e WHERE e.enumtypid = t.oid) || ')' \
                    WHEN 'd' THEN {DOMAIN_DEFINITION} \
                    ELSE 'composite' END \
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')) \
                   AND {SYSTEM_SCHEMAS} \
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') ORDER BY 1"
            ),
        )
        .await?;
        let extensions: Vec<String> = sqlx::query_scalar(
            "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        let type_info = super::types::read(conn, &index.oids).await?;
        Ok(Catalog {
            schemas,
            tables,
            sequences,
            views,
            functions,
            types,
            extensions,
            type_info,
        })
    }
}

/// The subject's tables, in (schema, name) order, without the `ignored` ones (and the
/// names of those left out). An entry `name(col, col…)` matches a table of that name only
/// when its columns are exactly those: a tool whose table has a common name (TypeORM's
/// `migrations(id, timestamp, name)`) is told from a subject's table by its shape.
async fn read_tables(
    conn: &mut PgConnection,
    ignored: &[String],
) -> Result<(Vec<Table>, TableIndex, Vec<String>), sqlx::Error> {
    type TableRow = (i64, String, String, Option<String>, Vec<String>);
    let rows: Vec<TableRow> = sqlx::query_as(&format!(
        "SELECT c.oid::int8, n.nspname::text, c.relname::text, \
                (SELECT pn.nspname || '.' || p.relname FROM pg_inherits i \
                 JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace \
                 WHERE i.inhrelid = c.oid AND c.relispartition), \
                ARRAY(SELECT a.attname::text FROM pg_attribute a \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS} AND {NOT_EXTENSION_MEMBER} ORDER BY 2, 3"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let (left_out, rows): (Vec<TableRow>, Vec<TableRow>) =
        rows.into_iter().partition(|(_, _, name, _, columns)| {
            ignored.iter().any(|i| is_bookkeeping(i, name, columns))
        });
    let oids: Vec<i64> = rows.iter().map(|(oid, ..)| *oid).collect();
    let position = oids.iter().enumerate().map(|(i, oid)| (*oid, i)).collect();
    let tables = rows
        .into_iter()
        .map(|(_, schema, name, partition_of, _)| Table {
            schema,
            name,
            partition_of,
            ..Table::default()
        })
        .collect();
    let left_out = left_out
        .into_iter()
        .map(|(_, _, name, _, _)| name)
        .collect();
    Ok((tables, TableIndex { oids, position }, left_out))
}

/// Whether the table `name` with `columns` is the bookkeeping `entry` names: `name`, or
/// `name(col, col…)` with exactly those columns.
pub(crate) fn is_bookkeeping(entry: &str, name: &str, columns: &[String]) -> bool {
    match entry.split_once('(') {
        None => entry == name,
        Some((table, shape)) => {
            let mut wanted: Vec<&str> = shape
                .trim_end_matches(')')
                .split(',')
                .map(str::trim)
                .collect();
            let mut found: Vec<&str> = columns.iter().map(String::as_str).collect();
            wanted.sort_unstable();
            found.sort_unstable();
            table.trim() == name && wanted == found
        }
    }
}

async fn read_columns(
    conn: &mut PgConnection,
    index: &TableIndex,
    tables: &mut [Table],
) -> Result<(), sqlx::Error> {
    type ColumnRow = (
        i64,
        String,
        String,
        bool,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<ColumnRow> = sqlx::query_as(
        "SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, \
                CASE WHEN a.attcollation <> t.typcollation THEN \
                     (SELECT quote_ident(co.collname) FROM pg_collation co WHERE co.oid = a.attcollation) END \
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attrelid::int8 = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attrelid, a.attnum",
    )
    .bind(&index.oids)
    .fetch_all(&mut *conn)
    .await?;
    for (oid, name, data_type, not_null, default, identity, generated, collation) in rows {
        let (default, generated) = if generated.is_empty() {
            (default, None)
        } else {
            (None, default)
        };
        let identity = match identity.as_str() {
            "a" => Some("always".to_owned()),
            "d" => Some("by default".to_owned()),
            _ => None,
        };
        if let Some(i) = index.of(oid) {
            tables[i].columns.push(Column {
                name,
                data_type,
                not_null,
                default,
                identity,
                generated,
                collation,
            });
        }
    }
    Ok(())
}

async fn read_constraints(
    conn: &mut PgConnection,
    index: &TableIndex,
    tables: &mut [Table],
) -> Result<(), sqlx::Error> {
    type ConstraintRow = (
        i64,
        String,
        String,
        String,
        Vec<String>,
        Option<String>,
        Vec<String>,
        String,
        String,
        bool,
        bool,
        bool,
        Option<String>,
        Option<String>,
    );
    // contype 'n' (PostgreSQL 18's NOT NULL constraints) is left out: a column's
    // `not null` already says it, on every version.
    let rows: Vec<ConstraintRow> = sqlx::query_as(
        "SELECT con.conrelid::int8, con.conname::text, con.contype::text, pg_get_constraintdef(con.oid, true), \
                ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) \
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o), \
                CASE WHEN con.confrelid <> 0 THEN con.confrelid::regclass::text END, \
                ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) \
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o), \
                con.confdeltype::text, con.confupdtype::text, con.condeferrable, con.condeferred, con.convalidated, \
                CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid, true) END, \
                (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.oid = con.confrelid) \
         FROM pg_constraint con WHERE con.conrelid::int8 = ANY($1) AND con.contype <> 'n' \
         ORDER BY con.conrelid, con.conname",
    )
    .bind(&index.oids)
    .fetch_all(&mut *conn)
    .await?;
    for (
        oid,
        name,
        code,
        definition,
        columns,
        ftable,
        fcolumns,
        del,
        upd,
        deferrable,
        deferred,
        validated,
        expression,
        target,
    ) in rows
    {
        let foreign = ftable.map(|table| ForeignKey {
            table,
            target: target.unwrap_or_default(),
            columns: fcolumns,
            on_delete: FkAction::from_code(&del),
            on_update: FkAction::from_code(&upd),
            deferrable,
            initially_deferred: deferred,
        });
        if let Some(i) = index.of(oid) {
            tables[i].constraints.push(Constraint {
                name,
                kind: ConstraintType::from_code(&code),
                columns,
                definition,
                expression,
                foreign,
                deferrable,
                initially_deferred: deferred,
                validated,
            });
        }
    }
    Ok(())
}

async fn read_indexes(
    conn: &mut PgConnection,
    index: &TableIndex,
    tables: &mut [Table],
) -> Result<(), sqlx::Error> {
    type IndexRow = (
        i64,
        String,
        String,
        bool,
        bool,
        bool,
        String,
        Option<String>,
        Vec<String>,
        Vec<String>,
        Option<String>,
    );
    let rows: Vec<IndexRow> = sqlx::query_as(&format!(
        "SELECT i.indrelid::int8, ic.relname::text, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, \
                i.indisvalid, am.amname::text, pg_get_expr(i.indpred, i.indrelid, true), {INDEX_KEYS}, \
                ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) \
                      FROM generate_series(i.indnkeyatts + 1, i.indnatts) k ORDER BY k), \
                (SELECT con.conname::text FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid LIMIT 1) \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam \
         WHERE i.indrelid::int8 = ANY($1) ORDER BY i.indrelid, ic.relname"
    ))
    .bind(&index.oids)
    .fetch_all(&mut *conn)
    .await?;
    for (
        oid,
        name,
        definition,
        unique,
        primary,
        valid,
        method,
        predicate,
        keys,
        include,
        constraint,
    ) in rows
    {
        if let Some(i) = index.of(oid) {
            tables[i].indexes.push(Index {
                name,
                keys,
                include,
                unique,
                primary,
                valid,
                method,
                predicate,
                constraint,
                definition,
            });
        }
    }
    Ok(())
}

async fn read_triggers(
    conn: &mut PgConnection,
    index: &TableIndex,
    tables: &mut [Table],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT tgrelid::int8, tgname::text, pg_get_triggerdef(oid, true) FROM pg_trigger \
         WHERE tgrelid::int8 = ANY($1) AND NOT tgisinternal ORDER BY tgrelid, tgname",
    )
    .bind(&index.oids)
    .fetch_all(&mut *conn)
    .await?;
    for (oid, name, definition) in rows {
        if let Some(i) = index.of(oid) {
            tables[i].triggers.push(Named { name, definition });
        }
    }
    Ok(())
}

/// Every sequence but those an `ignored` table owns (a bookkeeping table's id sequence is
/// the migration tool's too).
async fn read_sequences(
    conn: &mut PgConnection,
    ignored: &[String],
) -> Result<Vec<Named>, sqlx::Error> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT n.nspname || '.' || c.relname, format_type(s.seqtypid, NULL) || \
                ' increment ' || s.seqincrement || ' start ' || s.seqstart || \
                coalesce(' owned by ' || owner.name, ''), owner.table_name \
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN LATERAL (SELECT d.refobjid::regclass::text || '.' || a.attname AS name, t.relname::text AS table_name \
                            FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
                            JOIN pg_class t ON t.oid = d.refobjid \
                            WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1) owner ON true \
         WHERE {SYSTEM_SCHEMAS} AND {NOT_EXTENSION_MEMBER} ORDER BY 1"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, owner)| !owner.as_ref().is_some_and(|t| ignored.contains(t)))
        .map(|(name, definition, _)| Named { name, definition })
        .collect())
}

async fn named(conn: &mut PgConnection, sql: &str) -> Result<Vec<Named>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(name, definition)| Named { name, definition })
        .collect())
}
