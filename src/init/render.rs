//! The `readiness.toml` that `init` writes: every section with a comment saying where
//! its values come from and what to change, in the order of the report's claims.

use std::fmt::Write as _;
use std::path::Path;

use harness::schema::catalog::{Catalog, ConstraintType, Table};
use harness::subject::discover::{Discovered, SchemaSource};

use super::SchemaFacts;

/// TOML's basic string: quotes and backslashes escaped.
fn quoted(text: &str) -> String {
    let escaped: String = text
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            '\n' => "\\n".to_owned(),
            c => c.to_string(),
        })
        .collect();
    format!("\"{escaped}\"")
}

fn path_text(path: &Path) -> String {
    quoted(&path.display().to_string())
}

/// How many constraints and orphan-row invariants the manifest lists.
pub fn counts(catalog: &Catalog) -> (usize, usize) {
    let tables = tables(catalog);
    let constraints = tables
        .iter()
        .flat_map(|t| t.constraints.iter())
        .filter(|c| {
            matches!(
                c.kind,
                ConstraintType::PrimaryKey
                    | ConstraintType::Unique
                    | ConstraintType::Check
                    | ConstraintType::ForeignKey
            )
        })
        .count();
    let invariants = tables
        .iter()
        .flat_map(|t| t.constraints_of(ConstraintType::ForeignKey))
        .count();
    (constraints, invariants)
}

/// The tables whose constraints are listed: not partitions (their parent's are).
fn tables(catalog: &Catalog) -> Vec<&Table> {
    catalog
        .tables
        .iter()
        .filter(|t| t.partition_of.is_none())
        .collect()
}

/// The table as a manifest names it: bare in `public`, else qualified.
fn table_name(table: &Table) -> String {
    if table.schema == "public" {
        table.name.clone()
    } else {
        table.qualified_name()
    }
}

pub fn manifest(
    name: &str,
    schema: &SchemaSource,
    found: &Discovered,
    facts: Option<&SchemaFacts>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `readiness init`: review every section, prune what you do not claim,\n\
         # add what it could not find. Reference: the README's \"The subject manifest\".\n"
    );
    let _ = writeln!(out, "[subject]\nname = {}\n", quoted(name));
    migrations(&mut out, schema, found);
    constraints(&mut out, facts);
    invariants(&mut out, facts);
    queries(&mut out, facts, found);
    let _ = writeln!(
        out,
        "# No [scale]: every table's rows are generated from the catalog (foreign-key order,\n\
         # values valid for each column), measured at 1k and 10k users. Add [scale] with\n\
         # `claimed_users` (and [[scale.tables]] `per_user` ratios) to say how your data grows.\n"
    );
    backup(&mut out, found);
    config(&mut out, found);
    monitoring(&mut out, found);
    out
}

fn migrations(out: &mut String, schema: &SchemaSource, found: &Discovered) {
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- migrations"
    );
    match schema {
        SchemaSource::Files(path) => {
            let _ = writeln!(out, "[migrations]\ndir = {}", path_text(path));
            // a schema dump committed beside a migrations directory: what they must build
            let dump = found.schema.iter().find_map(|s| match s {
                SchemaSource::Files(file) if file != path && is_sql_file(file) => Some(file),
                _ => None,
            });
            if let Some(dump) = dump.filter(|_| !is_sql_file(path)) {
                let _ = writeln!(
                    out,
                    "# the committed schema dump, which the migrations must build exactly\nschema_snapshot = {}",
                    path_text(dump)
                );
            }
            out.push('\n');
        }
        SchemaSource::Commands {
            tool,
            up,
            down,
            steps,
            drift,
            workdir,
            watch,
        } => {
            let _ = writeln!(out, "# {tool} applies the schema with its own runtime");
            let _ = writeln!(out, "[migrations]\nup = {}", quoted(up));
            match down {
                Some(down) => {
                    let _ = writeln!(out, "down = {}", quoted(down));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# down = \"…\"  # the command that rolls every migration back: without it, rollbacks are not checked"
                    );
                }
            }
            match steps {
                Some((step_up, step_down)) => {
                    let _ = writeln!(
                        out,
                        "# one migration forward and back: each step's rollback is checked on its own\n\
                         step_up = {}\nstep_down = {}",
                        quoted(step_up),
                        quoted(step_down)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# step_up = \"…\"  # with step_down: one migration forward and back, for a per-step round trip"
                    );
                }
            }
            if let Some(drift) = drift {
                let _ = writeln!(
                    out,
                    "# fails when the models need a migration nobody wrote\ndrift_command = {}",
                    quoted(drift)
                );
            }
            if !workdir.as_os_str().is_empty() {
                let _ = writeln!(out, "workdir = {}", path_text(workdir));
            }
            let watched: Vec<String> = watch.iter().map(|w| path_text(w)).collect();
            let _ = writeln!(out, "watch = [{}]\n", watched.join(", "));
        }
    }
}

fn constraints(out: &mut String, facts: Option<&SchemaFacts>) {
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- constraints\n\
         # What the migrated schema has, each checked for existence and behaviour. Prune what\n\
         # you do not claim; NOT NULL columns are not listed (add `kind = \"not_null\"` entries)."
    );
    let Some(facts) = facts else {
        let _ = writeln!(
            out,
            "# (the schema could not be migrated here: none listed)\n"
        );
        return;
    };
    for table in tables(&facts.catalog) {
        for constraint in &table.constraints {
            let kind = match constraint.kind {
                ConstraintType::PrimaryKey => "primary_key",
                ConstraintType::Unique => "unique",
                ConstraintType::Check => "check",
                ConstraintType::ForeignKey => "foreign_key",
                _ => continue,
            };
            if constraint.columns.is_empty() {
                continue;
            }
            if !constraint.validated {
                let _ = writeln!(
                    out,
                    "# {} on {} is NOT VALID (rows before it were never checked): VALIDATE it to claim it\n",
                    constraint.name,
                    table_name(table)
                );
                continue;
            }
            let partitioned = matches!(
                constraint.kind,
                ConstraintType::PrimaryKey | ConstraintType::Unique
            ) && facts
                .catalog
                .tables
                .iter()
                .any(|t| t.partition_of.as_deref() == Some(table.qualified_name().as_str()));
            if partitioned {
                let _ = writeln!(
                    out,
                    "# {} on {}: a partitioned table's key is enforced by each partition's own index, which the behaviour checks do not attribute to it yet\n",
                    constraint.name,
                    table_name(table)
                );
                continue;
            }
            let server_filled = constraint.columns.iter().all(|c| {
                table.column(c).is_some_and(|c| {
                    c.identity.as_deref() == Some("always") || c.generated.is_some()
                })
            });
            if server_filled {
                let _ = writeln!(
                    out,
                    "# {} on {}: its columns are filled by the server (GENERATED ALWAYS), so no insert can break it\n",
                    constraint.name,
                    table_name(table)
                );
                continue;
            }
            let columns: Vec<String> = constraint.columns.iter().map(|c| quoted(c)).collect();
            let _ = writeln!(
                out,
                "[[constraints]]\nkind = \"{kind}\"\ntable = {}\ncolumns = [{}]\nname = {}",
                quoted(&table_name(table)),
                columns.join(", "),
                quoted(&constraint.name)
            );
            if let (ConstraintType::Check, Some(expression)) =
                (constraint.kind, &constraint.expression)
            {
                let _ = writeln!(out, "expression = {}", quoted(expression));
                if let Some((accepts, rejects)) = facts.check_examples.get(&constraint.name) {
                    let list = |values: &[String]| {
                        values
                            .iter()
                            .map(|v| quoted(v))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let _ = writeln!(out, "rejects = [{}]", list(rejects));
                    if !accepts.is_empty() {
                        let _ = writeln!(out, "accepts = [{}]", list(accepts));
                    }
                }
            }
            if let Some(foreign) = &constraint.foreign {
                let references = foreign
                    .target
                    .strip_prefix("public.")
                    .unwrap_or(&foreign.target);
                let _ = writeln!(
                    out,
                    "references = {}\non_delete = \"{}\"",
                    quoted(references),
                    foreign.on_delete.key()
                );
            }
            out.push('\n');
        }
    }
}

fn invariants(out: &mut String, facts: Option<&SchemaFacts>) {
    let Some(facts) = facts else {
        return;
    };
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- invariants\n\
         # Checked on every restored copy: no row may point to a parent that is not there.\n\
         # Add your business rules (\"every user has a workspace\") as queries that return\n\
         # the rows breaking them."
    );
    for table in tables(&facts.catalog) {
        for constraint in table.constraints_of(ConstraintType::ForeignKey) {
            let Some(foreign) = &constraint.foreign else {
                continue;
            };
            let q = |c: &str| harness::backend::names::quote_ident(c);
            let child = format!("{}.{}", q(&table.schema), q(&table.name));
            let not_null: Vec<String> = constraint
                .columns
                .iter()
                .map(|c| format!("c.{} IS NOT NULL", q(c)))
                .collect();
            let matches: Vec<String> = constraint
                .columns
                .iter()
                .zip(&foreign.columns)
                .map(|(c, p)| format!("p.{} = c.{}", q(p), q(c)))
                .collect();
            let sql = format!(
                "SELECT c.* FROM {child} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
                not_null.join(" AND "),
                foreign.table,
                matches.join(" AND ")
            );
            let _ = writeln!(
                out,
                "[[invariants]]\nname = {}\nsql = {}\n",
                quoted(&format!(
                    "every {}.{} points to an existing {}",
                    table_name(table),
                    constraint.columns.join(", "),
                    foreign
                        .target
                        .strip_prefix("public.")
                        .unwrap_or(&foreign.target)
                )),
                quoted(&sql)
            );
        }
    }
}

fn queries(out: &mut String, facts: Option<&SchemaFacts>, found: &Discovered) {
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- main queries"
    );
    match &found.statements_snapshot {
        Some(snapshot) => {
            let _ = writeln!(
                out,
                "# the most frequent statements of this pg_stat_statements export are main queries\n\
                 [workload]\npg_stat_statements = {}\n# top = 20\n",
                path_text(snapshot)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# No [[queries]]: they are derived from the catalog at each run (indexed foreign-key\n\
                 # lookups, unique-key lookups, root deletes). List your application's own to judge those,\n\
                 # or export what it runs most from production:\n\
                 #   \\copy (SELECT query, calls FROM pg_stat_statements) TO 'pg_stat_statements.csv' CSV HEADER\n\
                 # [workload]\n\
                 # pg_stat_statements = \"pg_stat_statements.csv\""
            );
        }
    }
    if let (Some(facts), None) = (facts, &found.statements_snapshot) {
        let names: Vec<&str> = facts
            .main_queries
            .queries
            .iter()
            .take(8)
            .map(|q| q.name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "# {} derivable today, e.g.: {}",
            facts.main_queries.queries.len(),
            names.join("; ")
        );
    }
    out.push('\n');
}

fn backup(out: &mut String, found: &Discovered) {
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- backups and restore"
    );
    match (&found.backup_script, &found.restore_script) {
        (Some(backup), restore) => {
            let _ = writeln!(
                out,
                "# found by name and by what they run; they get DATABASE_URL, the PG* variables and\n\
                 # BACKUP_DIR (BACKUP_FILE for a restore)\n[backup]\nbackup_command = {}",
                path_text(backup)
            );
            match restore {
                Some(restore) => {
                    let _ = writeln!(out, "restore_command = {}", path_text(restore));
                }
                None => {
                    let _ = writeln!(out, "# restore_command = \"…\"  # not found: without it, restores are not drilled");
                }
            }
            match &found.retention {
                Some((days, line)) => {
                    let _ = writeln!(
                        out,
                        "# the retention the script applies ({}: {line}):\nretention_days = {days}",
                        path_text(backup)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# retention_days = 30  # the retention you claim (none found in the script)"
                    );
                }
            }
            let _ = writeln!(
                out,
                "\n# the recovery time you claim, which the restore drill measures against:\n\
                 # [restore_drill]\n# rto_seconds = 900\n"
            );
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "# no backup script found: [backup] backup_command = \"…\" and restore_command = \"…\"\n"
            );
        }
    }
}

fn config(out: &mut String, found: &Discovered) {
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- server configuration"
    );
    let entries = [
        ("docker_compose", &found.docker_compose),
        ("env", &found.env),
        ("postgresql_conf", &found.postgresql_conf),
        ("pg_hba_conf", &found.pg_hba_conf),
    ];
    if entries.iter().all(|(_, p)| p.is_none()) {
        let _ = writeln!(
            out,
            "# no compose file, .env, postgresql.conf or pg_hba.conf found: [config]\n"
        );
        return;
    }
    let _ = writeln!(out, "[config]");
    for (key, path) in entries {
        match path {
            Some(path) => {
                let _ = writeln!(out, "{key} = {}", path_text(path));
            }
            None => {
                let _ = writeln!(out, "# {key} = \"…\"  # not found");
            }
        }
    }
    out.push('\n');
}

fn monitoring(out: &mut String, found: &Discovered) {
    let _ = writeln!(
        out,
        "# ---------------------------------------------------------------- monitoring"
    );
    match &found.monitor_script {
        Some(script) => {
            let _ = writeln!(out, "[monitoring]\ncommand = {}", path_text(script));
        }
        None => {
            let _ = writeln!(
                out,
                "# no monitoring script found: [monitoring] command = \"…\""
            );
        }
    }
}

fn is_sql_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "sql")
}
