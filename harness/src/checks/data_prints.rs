//! What a database's rows hold, column by column, to tell what a migration's rollback lost:
//! per table the row count and, per column, the count of non-NULL and of distinct values
//! and an order-independent hash of them (the sum of a 64-bit hash of each value's text). Read in
//! one repeatable-read snapshot with fixed output settings.

use std::collections::BTreeMap;

use sqlx::{Connection, Executor, PgConnection};

use crate::backend::names::quote_ident;
use crate::schema::catalog::{Catalog, Column};

/// Begins a read-only repeatable-read snapshot whose values print the same text on any
/// server (time zone, date and interval styles, float digits, bytea): run first in a
/// transaction that hashes values' text.
pub const STABLE_SNAPSHOT: &str = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
     SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; \
     SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; \
     SET LOCAL bytea_output = 'hex'";

/// One column's values, summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPrint {
    pub non_null: i64,
    /// How many different values.
    pub distinct: i64,
    /// The sum of `hashtextextended(value::text, 0)` over the non-NULL values, as text.
    pub content: String,
    /// Whether the column records when its row was written (its default is the current
    /// time): a migration that touches rows may rightly change it.
    pub stamps_time: bool,
}

/// What a round trip did to the data: what it lost, and what it changed without losing
/// (values rewritten one for one, values filled in, rows added, time stamps moved).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub lost: Vec<String>,
    pub changed: Vec<String>,
}

/// One table's rows, summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableData {
    pub rows: i64,
    /// By column name, in the table's order.
    pub columns: Vec<(String, ColumnPrint)>,
}

/// Every table's rows, by `schema.name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataPrints {
    pub tables: BTreeMap<String, TableData>,
}

impl DataPrints {
    /// Reads the prints of every table of `catalog` (partitions are read through their
    /// parent) from the database `conn` is connected to.
    pub async fn read(
        conn: &mut PgConnection,
        catalog: &Catalog,
    ) -> Result<DataPrints, sqlx::Error> {
        let mut tx = conn.begin().await?;
        tx.execute(STABLE_SNAPSHOT).await?;
        let mut tables = BTreeMap::new();
        for table in catalog.tables.iter().filter(|t| t.partition_of.is_none()) {
            let columns: Vec<&Column> = table
                .columns
                .iter()
                .filter(|c| c.generated.is_none())
                .collect();
            let mut select = vec!["count(*)::text".to_owned()];
            for column in &columns {
                let c = quote_ident(&column.name);
                select.push(format!("count({c})::text"));
                select.push(format!(
                    "count(DISTINCT hashtextextended({c}::text, 0))::text"
                ));
                select.push(format!(
                    "coalesce(sum(hashtextextended({c}::text, 0)), 0)::text"
                ));
            }
            let sql = format!(
                "SELECT ARRAY[{}] FROM {}.{}",
                select.join(", "),
                quote_ident(&table.schema),
                quote_ident(&table.name)
            );
            let values: Vec<String> = sqlx::query_scalar(&sql).fetch_one(&mut *tx).await?;
            let number = |i: usize| values[i].parse::<i64>().unwrap_or(-1);
            let columns = columns
                .iter()
                .enumerate()
                .map(|(i, column)| {
                    let print = ColumnPrint {
                        non_null: number(1 + 3 * i),
                        distinct: number(2 + 3 * i),
                        content: values[3 + 3 * i].clone(),
                        stamps_time: column.default.as_deref().is_some_and(is_current_time),
                    };
                    (column.name.clone(), print)
                })
                .collect();
            tables.insert(
                table.qualified_name(),
                TableData {
                    rows: number(0),
                    columns,
                },
            );
        }
        tx.commit().await?;
        Ok(DataPrints { tables })
    }

    /// The rows held by the tables, in all.
    pub fn total_rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows.max(0) as u64).sum()
    }

    /// What of this data (`before`) is gone or changed in `after`, one line per table or
    /// column. Lost: a table or column that is gone with its values, fewer rows, values
    /// turned NULL, or different values made one (fewer distinct values). Changed: the
    /// rest of what differs. Tables and columns `after` has in addition are neither.
    pub fn changes_in(&self, after: &DataPrints) -> Changes {
        let mut changes = Changes::default();
        for (name, before) in self.tables.iter().filter(|(_, t)| t.rows > 0) {
            let Some(now) = after.tables.get(name) else {
                changes.lost.push(format!(
                    "table {name} is gone with its {} rows",
                    before.rows
                ));
                continue;
            };
            if now.rows < before.rows {
                changes.lost.push(format!(
                    "table {name}: {} rows before, {} after",
                    before.rows, now.rows
                ));
                continue;
            }
            if now.rows > before.rows {
                changes.changed.push(format!(
                    "table {name}: {} rows before, {} after",
                    before.rows, now.rows
                ));
            }
            for (column, was) in &before.columns {
                let at = format!("column {name}.{column}");
                let found = now.columns.iter().find(|(c, _)| c == column);
                let Some((_, is)) = found else {
                    if was.non_null > 0 {
                        changes
                            .lost
                            .push(format!("{at} is gone with its {} values", was.non_null));
                    }
                    continue;
                };
                if is.non_null < was.non_null {
                    changes.lost.push(format!(
                        "{at}: {} values before, {} after (the rest NULL)",
                        was.non_null, is.non_null
                    ));
                } else if is.distinct < was.distinct && !was.stamps_time {
                    changes.lost.push(format!(
                        "{at}: {} different values before, {} after",
                        was.distinct, is.distinct
                    ));
                } else if is.content != was.content {
                    let why = if was.stamps_time {
                        " (it records when a row was written)"
                    } else if is.non_null > was.non_null {
                        " (values filled in)"
                    } else {
                        ""
                    };
                    changes.changed.push(format!("{at}: values changed{why}"));
                }
            }
        }
        changes
    }
}

/// Whether a column default is the current time (`now()`, `CURRENT_TIMESTAMP`,
/// `clock_timestamp()`…, with or without a cast or time zone).
fn is_current_time(default: &str) -> bool {
    let lower = default.to_ascii_lowercase();
    [
        "now()",
        "current_timestamp",
        "localtimestamp",
        "statement_timestamp()",
        "clock_timestamp()",
        "transaction_timestamp()",
    ]
    .iter()
    .any(|f| lower.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, non-NULL values, distinct values, content hash)
    type Col<'a> = (&'a str, i64, i64, &'a str);

    fn print(tables: &[(&str, i64, &[Col])]) -> DataPrints {
        DataPrints {
            tables: tables
                .iter()
                .map(|(name, rows, columns)| {
                    let columns = columns
                        .iter()
                        .map(|(c, n, d, h)| {
                            let print = ColumnPrint {
                                non_null: *n,
                                distinct: *d,
                                content: h.to_string(),
                                stamps_time: c.ends_with("_at"),
                            };
                            (c.to_string(), print)
                        })
                        .collect();
                    let data = TableData {
                        rows: *rows,
                        columns,
                    };
                    (name.to_string(), data)
                })
                .collect(),
        }
    }

    #[test]
    fn the_same_data_changes_nothing_and_added_columns_are_not_losses() {
        let before = print(&[("public.users", 3, &[("id", 3, 3, "7")])]);
        let after = print(&[
            ("public.users", 3, &[("id", 3, 3, "7"), ("nick", 0, 0, "0")]),
            ("public.new", 0, &[]),
        ]);
        assert_eq!(before.changes_in(&after), Changes::default());
    }

    #[test]
    fn each_kind_of_loss_is_named() {
        let before = print(&[
            (
                "public.users",
                3,
                &[("id", 3, 3, "7"), ("name", 3, 3, "9"), ("bio", 2, 2, "4")],
            ),
            ("public.orgs", 3, &[("plan", 3, 3, "1")]),
            ("public.tags", 2, &[("id", 2, 2, "2")]),
            ("public.gone", 4, &[("id", 4, 4, "3")]),
            ("public.empty", 0, &[("id", 0, 0, "0")]),
        ]);
        let after = print(&[
            ("public.users", 3, &[("id", 3, 3, "7"), ("bio", 0, 0, "0")]),
            ("public.orgs", 3, &[("plan", 3, 1, "5")]),
            ("public.tags", 1, &[("id", 1, 1, "2")]),
        ]);
        let changes = before.changes_in(&after);
        assert_eq!(
            changes.lost,
            vec![
                "table public.gone is gone with its 4 rows",
                "column public.orgs.plan: 3 different values before, 1 after",
                "table public.tags: 2 rows before, 1 after",
                "column public.users.name is gone with its 3 values",
                "column public.users.bio: 2 values before, 0 after (the rest NULL)",
            ]
        );
        assert!(changes.changed.is_empty());
    }

    #[test]
    fn values_rewritten_one_for_one_filled_in_or_stamped_are_changes_not_losses() {
        let before = print(&[(
            "public.tickets",
            3,
            &[
                ("counter", 3, 3, "1"),
                ("number", 0, 0, "0"),
                ("updated_at", 3, 3, "2"),
            ],
        )]);
        let after = print(&[(
            "public.tickets",
            4,
            &[
                ("counter", 3, 3, "8"),
                ("number", 3, 3, "6"),
                ("updated_at", 4, 1, "9"),
            ],
        )]);
        let changes = before.changes_in(&after);
        assert!(changes.lost.is_empty(), "{:?}", changes.lost);
        assert_eq!(
            changes.changed,
            vec![
                "table public.tickets: 3 rows before, 4 after",
                "column public.tickets.counter: values changed",
                "column public.tickets.number: values changed (values filled in)",
                "column public.tickets.updated_at: values changed (it records when a row was written)",
            ]
        );
    }
}
