//! What each column type is, beyond its name: an enum's labels, a domain's base type, an
//! array's element type, a range's subtype. Row generators need it; the rendered catalog
//! does not (the types the subject defined are rendered on their own lines).

use std::collections::BTreeMap;

use sqlx::PgConnection;

/// One type, as a column uses it (with the column's modifier: `character varying(20)[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeInfo {
    /// `pg_type.typname`, without modifier or schema: `citext`, `tsvector`, `mpaa_rating`.
    pub name: String,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeKind {
    /// A base type, with its `pg_type.typcategory` (S string, N numeric, I network…).
    Base {
        category: char,
    },
    /// Labels in their sort order.
    Enum {
        labels: Vec<String>,
    },
    /// Over `base` (as `format_type` writes it); its checks (by constraint name) are
    /// enforced by a cast.
    Domain {
        base: String,
        not_null: bool,
        checks: Vec<String>,
    },
    /// Of `element` (as `format_type` writes it, with the column's modifier).
    Array {
        element: String,
    },
    /// Of `subtype` (as `format_type` writes it).
    Range {
        subtype: String,
    },
    Composite,
    /// A pseudo-type or anything else.
    Other,
}

/// The types of the columns of the tables `oids`, and of their elements and bases.
pub(super) async fn read(
    conn: &mut PgConnection,
    oids: &[i64],
) -> Result<BTreeMap<String, TypeInfo>, sqlx::Error> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Vec<String>,
        bool,
        Vec<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "WITH RECURSIVE used(oid, typmod) AS ( \
             SELECT DISTINCT a.atttypid, a.atttypmod FROM pg_attribute a \
             WHERE a.attrelid::int8 = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped \
             UNION \
             SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END, \
                    CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE u.typmod END \
             FROM used u JOIN pg_type t ON t.oid = u.oid \
             WHERE t.typtype = 'd' OR (t.typcategory = 'A' AND t.typelem <> 0) \
         ) \
         SELECT format_type(u.oid, u.typmod), t.typname::text, t.typtype::text, t.typcategory::text, \
                CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN format_type(t.typelem, u.typmod) END, \
                CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, \
                (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid), \
                ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), \
                t.typnotnull, \
                ARRAY(SELECT c.conname::text FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) \
         FROM used u JOIN pg_type t ON t.oid = u.oid",
    )
    .bind(oids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(shown, name, typtype, category, element, base, subtype, labels, not_null, checks)| {
                let kind = match (typtype.as_str(), element, base, subtype) {
                    ("e", ..) => TypeKind::Enum { labels },
                    ("d", _, Some(base), _) => TypeKind::Domain {
                        base,
                        not_null,
                        checks,
                    },
                    ("r", _, _, Some(subtype)) => TypeKind::Range { subtype },
                    ("c", ..) => TypeKind::Composite,
                    ("b", Some(element), ..) => TypeKind::Array { element },
                    ("b", ..) => TypeKind::Base {
                        category: category.chars().next().unwrap_or('U'),
                    },
                    _ => TypeKind::Other,
                };
                (shown, TypeInfo { name, kind })
            },
        )
        .collect())
}
