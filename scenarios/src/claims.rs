//! The eight claims of the report (`claims/readiness-report.md`), in its order, with its
//! summary table's Before and After: each a typed value its scenarios name
//! (`Scenario::claim`), so that no claim is spelled twice.

use harness::run::scenario::ClaimSpec;

pub const BACKUPS: ClaimSpec = ClaimSpec {
    id: "backups",
    title: "Backups working and tested",
    statement: "Automated backups, a restore script with safety checks, a test that backups work, 30-day retention.",
    before: "❌ None",
    after: "✅ Daily automated",
};

pub const TRANSACTIONS: ClaimSpec = ClaimSpec {
    id: "transactions",
    title: "Transactions on critical flows",
    statement: "No more partial writes. Either operation fully succeeds or fully rolls back.",
    before: "❌ Missing",
    after: "✅ All critical paths",
};

pub const CONSTRAINTS: ClaimSpec = ClaimSpec {
    id: "constraints",
    title: "Constraints in database",
    statement: "Database enforces rules even if application has bugs.",
    before: "⚠️ Partial",
    after: "✅ Complete",
};

pub const INDEXES: ClaimSpec = ClaimSpec {
    id: "indexes",
    title: "Indexes on main queries",
    statement: "Queries stay fast even with 100,000+ users.",
    before: "⚠️ Partial",
    after: "✅ All queries",
};

pub const MIGRATIONS: ClaimSpec = ClaimSpec {
    id: "migrations",
    title: "Migrations versioned",
    statement: "Can track every schema change in git. Can roll back if deployment fails.",
    before: "❌ None",
    after: "✅ Alembic",
};

pub const ACCESS_CONTROL: ClaimSpec = ClaimSpec {
    id: "access_control",
    title: "Access control",
    statement: "Database only accessible from localhost; password in a git-ignored .env file.",
    before: "❌ Public",
    after: "✅ Localhost only",
};

pub const MONITORING: ClaimSpec = ClaimSpec {
    id: "monitoring",
    title: "Monitoring and alerts",
    statement: "Health, connections, table sizes and backup status visible; connection logging and slow query tracking.",
    before: "❌ None",
    after: "✅ Scripts + logs",
};

pub const RESTORE_DRILL: ClaimSpec = ClaimSpec {
    id: "restore_drill",
    title: "Documented, tested restore",
    statement: "Recovery Time: < 15 minutes from catastrophic failure.",
    before: "❌ None",
    after: "✅ Complete",
};

/// Every claim, in the report's order.
pub const CLAIMS: [ClaimSpec; 8] = [
    BACKUPS,
    TRANSACTIONS,
    CONSTRAINTS,
    INDEXES,
    MIGRATIONS,
    ACCESS_CONTROL,
    MONITORING,
    RESTORE_DRILL,
];

/// Whether `id` names a claim.
pub fn is_claim(id: &str) -> bool {
    CLAIMS.iter().any(|c| c.id == id)
}
