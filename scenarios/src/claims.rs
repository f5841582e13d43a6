//! The eight claims of the report (`claims/readiness-report.md`), in its order.

use harness::runner::ClaimSpec;

pub const CLAIMS: [ClaimSpec; 8] = [
    ClaimSpec {
        id: "backups",
        title: "Backups working and tested",
        statement: "Automated backups, a restore script with safety checks, a test that backups work, 30-day retention.",
    },
    ClaimSpec {
        id: "transactions",
        title: "Transactions on critical flows",
        statement: "No more partial writes. Either operation fully succeeds or fully rolls back.",
    },
    ClaimSpec {
        id: "constraints",
        title: "Constraints in database",
        statement: "Database enforces rules even if application has bugs.",
    },
    ClaimSpec {
        id: "indexes",
        title: "Indexes on main queries",
        statement: "Queries stay fast even with 100,000+ users.",
    },
    ClaimSpec {
        id: "migrations",
        title: "Migrations versioned",
        statement: "Can track every schema change in git. Can roll back if deployment fails.",
    },
    ClaimSpec {
        id: "access_control",
        title: "Access control",
        statement: "Database only accessible from localhost; password in a git-ignored .env file.",
    },
    ClaimSpec {
        id: "monitoring",
        title: "Monitoring and alerts",
        statement: "Health, connections, table sizes and backup status visible; connection logging and slow query tracking.",
    },
    ClaimSpec {
        id: "restore_drill",
        title: "Documented, tested restore",
        statement: "Recovery Time: < 15 minutes from catastrophic failure.",
    },
];

/// Whether `id` names a claim.
pub fn is_claim(id: &str) -> bool {
    CLAIMS.iter().any(|c| c.id == id)
}
