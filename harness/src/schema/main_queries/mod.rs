//! The main queries the index checks run: the manifest's `[[queries]]` and the most frequent
//! statements of a `pg_stat_statements` snapshot (`[workload]`), or, when there are none,
//! queries derived from the catalog ([`derived`]).

pub mod derived;
pub mod statements;

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::schema::catalog::Catalog;
use crate::subject::manifest::Query;

pub use derived::{derive, MAX_DERIVED};

/// Where the queries past the manifest's own come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origin {
    /// The manifest's `[[queries]]` only.
    #[default]
    Manifest,
    /// Derived from the catalog (the manifest names none).
    Catalog,
    /// The manifest's, then the most frequent statements of this snapshot.
    Statements(PathBuf),
}

/// The main queries of a run and where they come from.
#[derive(Debug, Clone, Default)]
pub struct MainQueries {
    pub queries: Vec<Query>,
    pub origin: Origin,
    /// How many of `queries` are the manifest's `[[queries]]` (they come first).
    pub from_manifest: usize,
    /// How many more the catalog offered than [`MAX_DERIVED`].
    pub left_out: usize,
    /// Statements of the snapshot that could not be run, each with the reason.
    pub skipped: Vec<String>,
}

impl MainQueries {
    /// The manifest's `[[queries]]`.
    pub fn from_manifest(queries: Vec<Query>) -> MainQueries {
        MainQueries {
            from_manifest: queries.len(),
            queries,
            ..MainQueries::default()
        }
    }

    /// Whether the query at `position` is the manifest's (its errors are the manifest's).
    pub fn is_manifests(&self, position: usize) -> bool {
        position < self.from_manifest
    }

    /// What the query at `position` is, for errors: "a query derived from the catalog".
    pub fn source_of(&self, position: usize) -> String {
        match &self.origin {
            _ if self.is_manifests(position) => "a query of the manifest's [[queries]]".into(),
            Origin::Statements(file) => format!("a statement of {}", file.display()),
            _ => "a query derived from the catalog".into(),
        }
    }

    /// For evidence: where the queries come from.
    pub fn origin(&self) -> String {
        let mut origin = match &self.origin {
            Origin::Manifest => "the manifest's [[queries]]".to_owned(),
            Origin::Catalog => format!(
                "{} derived from the catalog (the manifest names none): indexed foreign-key lookups, unique-key lookups and root deletes",
                self.queries.len()
            ),
            Origin::Statements(file) => {
                let taken = self.queries.len() - self.from_manifest;
                let mut text = format!(
                    "the {taken} most frequent statements of {} that read tables",
                    file.display()
                );
                if self.from_manifest > 0 {
                    text = format!("the manifest's [[queries]] and {text}");
                }
                text
            }
        };
        if self.left_out > 0 {
            origin.push_str(&format!("; {} more left out", self.left_out));
        }
        if !self.skipped.is_empty() {
            origin.push_str(&format!(
                "; {} statement(s) not run: {}",
                self.skipped.len(),
                self.skipped.join("; ")
            ));
        }
        origin
    }
}

/// The catalog of the migrated database `db` and the queries derived from it (tables the
/// migrations filled are reference data, left out).
pub async fn derive_from(
    db: &crate::schema::template::Database,
    bookkeeping: &[String],
) -> Result<(Catalog, MainQueries), sqlx::Error> {
    let mut conn = db.connect_admin().await?;
    let catalog = Catalog::read(&mut conn, bookkeeping).await?;
    let reference = crate::schema::dataset::derived::tables_with_rows(&mut conn, &catalog).await;
    let _ = sqlx::Connection::close(conn).await;
    let reference: BTreeSet<String> = reference?;
    let queries = derive(&catalog, &reference);
    Ok((catalog, queries))
}

/// `queries` (the manifest's), then the most frequent statements of the snapshot at
/// `snapshot` (relative to the subject) that run on the migrated database `db`.
pub async fn with_statements(
    db: &crate::schema::template::Database,
    subject: &crate::subject::Subject,
    mut queries: MainQueries,
    snapshot: &std::path::Path,
) -> Result<MainQueries, crate::error::ScenarioError> {
    use crate::error::ScenarioError;
    let read =
        crate::subject::snapshot::read_snapshot(&subject.path(snapshot)).map_err(|message| {
            ScenarioError::Manifest(subject.invalid("workload.pg_stat_statements", message))
        })?;
    let bookkeeping = subject.manifest.migrations.bookkeeping_tables();
    let mut conn = db
        .connect_admin()
        .await
        .map_err(|e| ScenarioError::sql("connect to read the statements", e))?;
    let found = async {
        let catalog = Catalog::read(&mut conn, &bookkeeping).await?;
        statements::main_statements(&mut conn, &catalog, &read, subject.manifest.workload.top())
            .await
    }
    .await;
    let _ = sqlx::Connection::close(conn).await;
    let (taken, skipped) =
        found.map_err(|e| ScenarioError::sql("prepare the snapshot's statements", e))?;
    queries.queries.extend(taken);
    queries.skipped = skipped;
    queries.origin = Origin::Statements(snapshot.to_owned());
    Ok(queries)
}
