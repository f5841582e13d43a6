//! The rules: one identity each (a `snake_case` file under `rules/`, a `PascalCase`
//! variant, a `kebab-case` id that findings and reports show), with the problem and the fix
//! on each variant.

/// What a finding costs the application while its statement runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// The lock is taken for a moment (a catalog change), but a migration that waits for
    /// it queues every later query on the table behind it.
    Queue,
    /// The whole table is read under the lock (an index build, a constraint validation).
    Scan,
    /// The whole table and its indexes are rewritten under the lock.
    Rewrite,
    /// The statement fails, or breaks the application still running, once the table has
    /// rows, whatever the lock.
    Breaks,
}

/// One unsafe kind of DDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `CREATE INDEX` without `CONCURRENTLY` on a table the migration did not create holds
    /// a SHARE lock, which blocks writes, for the whole build. Fix: `CREATE INDEX
    /// CONCURRENTLY`, in a migration of its own (it cannot run in a transaction).
    IndexWithoutConcurrently,
    /// `ADD COLUMN … DEFAULT` with a volatile default (or a serial, identity or stored
    /// generated column) rewrites the table under ACCESS EXCLUSIVE. Fix: add the column
    /// without the default, set the default, backfill in batches.
    AddColumnVolatileDefault,
    /// `ADD COLUMN … NOT NULL` without a default fails on a table with rows. Fix: add it
    /// nullable (or with a constant default), backfill, then make it NOT NULL through a
    /// validated CHECK.
    AddColumnNotNullWithoutDefault,
    /// `ADD CONSTRAINT` CHECK or FOREIGN KEY without `NOT VALID` reads the whole table under
    /// the statement's lock. Fix: add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later
    /// migration (SHARE UPDATE EXCLUSIVE: reads and writes go on).
    ConstraintWithoutNotValid,
    /// `VALIDATE CONSTRAINT` in the same transaction as the `ADD CONSTRAINT … NOT VALID`:
    /// the ADD's lock is still held while the table is read. Fix: validate in a later
    /// migration.
    ValidateInSameTransaction,
    /// `SET NOT NULL` reads the whole table under ACCESS EXCLUSIVE unless a validated
    /// `CHECK (col IS NOT NULL)` already proves it (PostgreSQL 12+). Fix: add that CHECK
    /// `NOT VALID`, validate it in a later migration, then SET NOT NULL (and drop the CHECK).
    SetNotNullWithoutCheck,
    /// `ALTER COLUMN … TYPE` to a type that is not binary-coercible rewrites the table
    /// under ACCESS EXCLUSIVE. Fix: add a column of the new type, backfill, switch reads
    /// and writes, drop the old one.
    ColumnTypeRewrite,
    /// A migration takes a lock that blocks writes on a table in use without `SET
    /// lock_timeout`: waiting behind one long transaction, it makes every query on the
    /// table wait behind it. Fix: `SET lock_timeout = '5s'` (or `SET LOCAL`) first, and
    /// retry the migration when it times out.
    MissingLockTimeout,
    /// `ADD PRIMARY KEY` / `UNIQUE` without `USING INDEX` builds the index under ACCESS
    /// EXCLUSIVE. Fix: `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT … USING
    /// INDEX`.
    UniqueWithoutIndex,
    /// Renaming a table or column in use breaks the application code still running with
    /// the old name. Fix: add the new one (or a view), deploy code that uses it, then drop
    /// the old one.
    RenameInUse,
    /// Dropping a column breaks the application code still reading it. Fix: deploy code
    /// that no longer uses it (an ORM's ignored columns), then drop it.
    DropColumn,
}

impl Rule {
    pub const ALL: [Rule; 11] = [
        Rule::IndexWithoutConcurrently,
        Rule::AddColumnVolatileDefault,
        Rule::AddColumnNotNullWithoutDefault,
        Rule::ConstraintWithoutNotValid,
        Rule::ValidateInSameTransaction,
        Rule::SetNotNullWithoutCheck,
        Rule::ColumnTypeRewrite,
        Rule::MissingLockTimeout,
        Rule::UniqueWithoutIndex,
        Rule::RenameInUse,
        Rule::DropColumn,
    ];

    /// The stable id reports show: "index-without-concurrently".
    pub fn id(self) -> &'static str {
        match self {
            Rule::IndexWithoutConcurrently => "index-without-concurrently",
            Rule::AddColumnVolatileDefault => "add-column-volatile-default",
            Rule::AddColumnNotNullWithoutDefault => "add-column-not-null-without-default",
            Rule::ConstraintWithoutNotValid => "constraint-without-not-valid",
            Rule::ValidateInSameTransaction => "validate-in-same-transaction",
            Rule::SetNotNullWithoutCheck => "set-not-null-without-check",
            Rule::ColumnTypeRewrite => "column-type-rewrite",
            Rule::MissingLockTimeout => "missing-lock-timeout",
            Rule::UniqueWithoutIndex => "unique-without-index",
            Rule::RenameInUse => "rename-in-use",
            Rule::DropColumn => "drop-column",
        }
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// What the statement costs while it runs.
    pub fn effect(self) -> Effect {
        match self {
            Rule::IndexWithoutConcurrently
            | Rule::ConstraintWithoutNotValid
            | Rule::ValidateInSameTransaction
            | Rule::SetNotNullWithoutCheck
            | Rule::UniqueWithoutIndex => Effect::Scan,
            Rule::AddColumnVolatileDefault | Rule::ColumnTypeRewrite => Effect::Rewrite,
            Rule::MissingLockTimeout => Effect::Queue,
            Rule::AddColumnNotNullWithoutDefault | Rule::RenameInUse | Rule::DropColumn => {
                Effect::Breaks
            }
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case_and_round_trip() {
        for rule in Rule::ALL {
            assert!(
                rule.id()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{rule}"
            );
            assert_eq!(Rule::from_id(rule.id()), Some(rule));
        }
    }
}
