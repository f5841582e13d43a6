//! The catalog as text: one line per object in a fixed order, and the lines that differ
//! between two catalogs.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{Catalog, Column, Constraint, ConstraintType, Index};

impl Catalog {
    /// Stable, readable text: one line per object, in a fixed order, each table's columns,
    /// constraints, indexes and triggers indented under it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in self.lines() {
            match line.table {
                Some(_) => {
                    let _ = writeln!(out, "  {}", line.text);
                }
                None => {
                    let _ = writeln!(out, "{}", line.text);
                }
            }
        }
        out
    }

    /// The lines that differ between two catalogs: `- ` only in `self`, `+ ` only in
    /// `other`. A table's lines name their table (`… on public.users`), so that a column
    /// dropped from one of several tables that share it still shows.
    pub fn diff(&self, other: &Catalog) -> Vec<String> {
        let ours: Vec<String> = self.lines().iter().map(Line::qualified).collect();
        let theirs: Vec<String> = other.lines().iter().map(Line::qualified).collect();
        let mut out: Vec<String> = only_in(&ours, &theirs).map(|l| format!("- {l}")).collect();
        out.extend(only_in(&theirs, &ours).map(|l| format!("+ {l}")));
        out
    }

    fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        let top = |text: String| Line { table: None, text };
        for schema in &self.schemas {
            lines.push(top(format!("schema {schema}")));
        }
        for extension in &self.extensions {
            lines.push(top(format!("extension {extension}")));
        }
        for t in &self.types {
            lines.push(top(format!("type {}: {}", t.name, t.definition)));
        }
        for table in &self.tables {
            let name = table.qualified_name();
            lines.push(top(format!("table {name}")));
            let child = |text: String| Line {
                table: Some(name.clone()),
                text,
            };
            lines.extend(
                table
                    .columns
                    .iter()
                    .map(|c| child(format!("column {}", c.render()))),
            );
            lines.extend(
                table
                    .constraints
                    .iter()
                    .map(|c| child(format!("constraint {}", c.render()))),
            );
            lines.extend(
                table
                    .indexes
                    .iter()
                    .map(|i| child(format!("index {}", i.render()))),
            );
            lines.extend(
                table
                    .triggers
                    .iter()
                    .map(|t| child(format!("trigger {}: {}", t.name, t.definition))),
            );
        }
        for s in &self.sequences {
            lines.push(top(format!("sequence {}: {}", s.name, s.definition)));
        }
        for v in &self.views {
            let definition = v
                .definition
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(top(format!("view {}: {definition}", v.name)));
        }
        for f in &self.functions {
            lines.push(top(format!("function {}: {}", f.name, f.definition)));
        }
        lines
    }
}

/// One rendered line, and the table it belongs to.
struct Line {
    table: Option<String>,
    text: String,
}

impl Line {
    fn qualified(&self) -> String {
        match &self.table {
            Some(table) => format!("{} on {table}", self.text),
            None => self.text.clone(),
        }
    }
}

/// The lines of `ours` that `theirs` lacks, counting repeats.
fn only_in<'a>(ours: &'a [String], theirs: &'a [String]) -> impl Iterator<Item = &'a String> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for line in theirs {
        *left.entry(line.as_str()).or_default() += 1;
    }
    ours.iter()
        .filter(move |line| match left.get_mut(line.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
}

impl Column {
    fn render(&self) -> String {
        let mut s = format!("{} {}", self.name, self.data_type);
        if let Some(c) = &self.collation {
            let _ = write!(s, " collate {c}");
        }
        if self.not_null {
            s.push_str(" not null");
        }
        if let Some(d) = &self.default {
            let _ = write!(s, " default {d}");
        }
        if let Some(i) = &self.identity {
            let _ = write!(s, " generated {i} as identity");
        }
        if let Some(g) = &self.generated {
            let _ = write!(s, " generated always as {g} stored");
        }
        s
    }
}

impl Constraint {
    fn render(&self) -> String {
        let mut s = format!(
            "{} {} ({})",
            self.name,
            self.kind.label(),
            self.columns.join(", ")
        );
        match (&self.foreign, &self.expression) {
            (Some(fk), _) => {
                let _ = write!(
                    s,
                    " references {} ({}) on delete {} on update {}",
                    fk.table,
                    fk.columns.join(", "),
                    fk.on_delete.sql(),
                    fk.on_update.sql()
                );
            }
            (None, Some(expression)) => {
                let _ = write!(s, ": {expression}");
            }
            (None, None) => match self.kind {
                ConstraintType::PrimaryKey | ConstraintType::Unique => {
                    if self.definition.contains("NULLS NOT DISTINCT") {
                        s.push_str(" nulls not distinct");
                    }
                }
                _ => {
                    let _ = write!(s, ": {}", self.definition);
                }
            },
        }
        if self.deferrable {
            s.push_str(if self.initially_deferred {
                " deferrable initially deferred"
            } else {
                " deferrable"
            });
        }
        if !self.validated {
            s.push_str(" (not valid)");
        }
        s
    }
}

impl Index {
    fn render(&self) -> String {
        let mut flags = Vec::new();
        if self.primary {
            flags.push("primary".to_owned());
        } else if self.unique {
            flags.push("unique".to_owned());
        }
        flags.push(self.method.clone());
        let mut s = format!(
            "{} {} ({})",
            self.name,
            flags.join(" "),
            self.keys.join(", ")
        );
        if !self.include.is_empty() {
            let _ = write!(s, " include ({})", self.include.join(", "));
        }
        if let Some(p) = &self.predicate {
            let _ = write!(s, " where {p}");
        }
        if let Some(c) = &self.constraint {
            let _ = write!(s, " backs {c}");
        }
        if !self.valid {
            s.push_str(" INVALID");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::catalog::*;

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
            data_type: "timestamp with time zone".into(),
            not_null: true,
            default: Some("now()".into()),
            identity: None,
            generated: None,
            collation: None,
        }
    }

    fn table(name: &str, columns: &[&str]) -> Table {
        Table {
            schema: "public".into(),
            name: name.into(),
            columns: columns.iter().map(|c| column(c)).collect(),
            ..Table::default()
        }
    }

    #[test]
    fn a_column_dropped_from_one_of_two_tables_shows_in_the_diff() {
        let before = Catalog {
            tables: vec![table("a", &["created_at"]), table("b", &["created_at"])],
            ..Catalog::default()
        };
        let after = Catalog {
            tables: vec![table("a", &["created_at"]), table("b", &[])],
            ..Catalog::default()
        };
        assert_eq!(
            before.diff(&after),
            vec!["- column created_at timestamp with time zone not null default now() on public.b"]
        );
        assert!(before.diff(&before).is_empty());
    }

    #[test]
    fn foreign_keys_render_both_actions() {
        let fk = Constraint {
            name: "w_owner_fkey".into(),
            kind: ConstraintType::ForeignKey,
            columns: vec!["owner_id".into()],
            definition: "FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE".into(),
            expression: None,
            foreign: Some(ForeignKey {
                table: "users".into(),
                target: "public.users".into(),
                columns: vec!["id".into()],
                on_delete: FkAction::Cascade,
                on_update: FkAction::NoAction,
                deferrable: true,
                initially_deferred: true,
            }),
            deferrable: true,
            initially_deferred: true,
            validated: false,
        };
        assert_eq!(
            fk.render(),
            "w_owner_fkey foreign key (owner_id) references users (id) on delete cascade \
             on update no action deferrable initially deferred (not valid)"
        );
    }
}
