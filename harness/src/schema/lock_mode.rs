//! PostgreSQL's table-level lock modes, weakest first: their names (as `LOCK TABLE` and
//! `pg_locks` spell them), and which conflict, so that a static lint and a lock trace
//! speak of the same locks.

/// A table-level lock mode. The order is the documented strength: a mode conflicts with
/// more of the others the further down it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// "ACCESS EXCLUSIVE", as the documentation and `LOCK TABLE` write it.
    pub fn name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// The mode as `pg_locks.mode` spells it ("AccessExclusiveLock").
    pub fn pg_locks_mode(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// The mode `pg_locks.mode` names ("ShareLock").
    pub fn from_pg(mode: &str) -> Option<LockMode> {
        LockMode::ALL
            .into_iter()
            .find(|m| m.pg_locks_mode() == mode)
    }

    /// The mode named in words ("share row exclusive"), any case and spacing.
    pub fn from_words(words: &str) -> Option<LockMode> {
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        LockMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(&words))
    }

    /// Whether a transaction holding `self` keeps another from taking `other`.
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let (weak, strong) = if self <= other {
            (self, other)
        } else {
            (other, self)
        };
        match weak {
            AccessShare => strong == AccessExclusive,
            RowShare => strong >= Exclusive,
            RowExclusive => strong >= Share,
            ShareUpdateExclusive => true,
            Share => strong != Share,
            ShareRowExclusive | Exclusive | AccessExclusive => true,
        }
    }

    /// Whether it stops plain `SELECT`s.
    pub fn blocks_reads(self) -> bool {
        self.conflicts_with(LockMode::AccessShare)
    }

    /// Whether it stops `INSERT`, `UPDATE` and `DELETE`: the locks a migration must not
    /// wait for, or hold, for long.
    pub fn blocks_writes(self) -> bool {
        self.conflicts_with(LockMode::RowExclusive)
    }

    /// What the application feels while the lock is held.
    pub fn blocks(self) -> &'static str {
        match self {
            m if m.blocks_reads() => "blocks reads and writes",
            m if m.blocks_writes() => "blocks writes",
            LockMode::ShareUpdateExclusive => "blocks other schema changes and VACUUM",
            _ => "blocks only schema changes",
        }
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
