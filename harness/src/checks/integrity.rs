//! What the database said to a write it refused: which integrity rule (SQLSTATE class 23)
//! and which constraint or column, read from the server's error fields.

use std::fmt;

/// An integrity rule, by the SQLSTATE PostgreSQL raises when a write breaks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrityRule {
    /// 23502
    NotNull,
    /// 23503
    ForeignKey,
    /// 23505
    Unique,
    /// 23514
    Check,
    /// 23P01
    Exclusion,
    /// 23001
    Restrict,
}

impl IntegrityRule {
    pub const ALL: [IntegrityRule; 6] = [
        IntegrityRule::NotNull,
        IntegrityRule::ForeignKey,
        IntegrityRule::Unique,
        IntegrityRule::Check,
        IntegrityRule::Exclusion,
        IntegrityRule::Restrict,
    ];

    pub fn sqlstate(self) -> &'static str {
        match self {
            IntegrityRule::NotNull => "23502",
            IntegrityRule::ForeignKey => "23503",
            IntegrityRule::Unique => "23505",
            IntegrityRule::Check => "23514",
            IntegrityRule::Exclusion => "23P01",
            IntegrityRule::Restrict => "23001",
        }
    }

    /// The rule a SQLSTATE stands for, if it is one of class 23's.
    pub fn from_sqlstate(code: &str) -> Option<IntegrityRule> {
        Self::ALL.into_iter().find(|r| r.sqlstate() == code)
    }

    /// PostgreSQL's condition name, e.g. `unique_violation`.
    pub fn condition(self) -> &'static str {
        match self {
            IntegrityRule::NotNull => "not_null_violation",
            IntegrityRule::ForeignKey => "foreign_key_violation",
            IntegrityRule::Unique => "unique_violation",
            IntegrityRule::Check => "check_violation",
            IntegrityRule::Exclusion => "exclusion_violation",
            IntegrityRule::Restrict => "restrict_violation",
        }
    }
}

impl fmt::Display for IntegrityRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.sqlstate(), self.condition())
    }
}

/// A write the server refused, with the fields it reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The SQLSTATE, e.g. "23505".
    pub code: String,
    /// The integrity rule, when the code is one.
    pub rule: Option<IntegrityRule>,
    /// The constraint named in the error, when the server names one.
    pub constraint: Option<String>,
    /// The column named in the error (NOT NULL violations name a column, not a constraint).
    pub column: Option<String>,
    pub message: String,
}

impl Rejection {
    /// The rejection in `error`, or `None` when the error did not come from the server
    /// (a lost connection, a decoding problem…).
    pub fn from_error(error: &sqlx::Error) -> Option<Rejection> {
        let db = error.as_database_error()?;
        let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        Some(Rejection {
            rule: IntegrityRule::from_sqlstate(&code),
            code,
            constraint: db.constraint().map(str::to_owned),
            column: pg.and_then(|e| e.column()).map(str::to_owned),
            message: db.message().to_owned(),
        })
    }

    /// Whether this is an integrity violation (SQLSTATE class 23).
    pub fn is_integrity(&self) -> bool {
        self.code.starts_with("23")
    }

    /// Whether this is a data exception (class 22: a value out of range, malformed input).
    pub fn is_data_exception(&self) -> bool {
        self.code.starts_with("22")
    }

    /// Who the server blamed: the constraint, else the column.
    pub fn culprit(&self) -> Option<&str> {
        self.constraint.as_deref().or(self.column.as_deref())
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rule {
            Some(rule) => write!(f, "{rule}")?,
            None => write!(f, "{}", self.code)?,
        }
        if let Some(constraint) = &self.constraint {
            write!(f, " on constraint {constraint}")?;
        } else if let Some(column) = &self.column {
            write!(f, " on column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_sqlstates_classify_to_their_rule() {
        assert_eq!(
            IntegrityRule::from_sqlstate("23505"),
            Some(IntegrityRule::Unique)
        );
        assert_eq!(
            IntegrityRule::from_sqlstate("23514"),
            Some(IntegrityRule::Check)
        );
        assert_eq!(
            IntegrityRule::from_sqlstate("23503"),
            Some(IntegrityRule::ForeignKey)
        );
        assert_eq!(
            IntegrityRule::from_sqlstate("23502"),
            Some(IntegrityRule::NotNull)
        );
        assert_eq!(
            IntegrityRule::from_sqlstate("23P01"),
            Some(IntegrityRule::Exclusion)
        );
        for code in ["22003", "40001", "42P01", "23000", ""] {
            assert_eq!(IntegrityRule::from_sqlstate(code), None, "{code}");
        }
        for rule in IntegrityRule::ALL {
            assert_eq!(IntegrityRule::from_sqlstate(rule.sqlstate()), Some(rule));
        }
    }

    #[test]
    fn a_rejection_names_its_rule_and_culprit() {
        let unique = Rejection {
            code: "23505".into(),
            rule: Some(IntegrityRule::Unique),
            constraint: Some("users_stripe_customer_id_key".into()),
            column: None,
            message: "duplicate key value violates unique constraint".into(),
        };
        assert_eq!(
            unique.to_string(),
            "23505 unique_violation on constraint users_stripe_customer_id_key: \
             duplicate key value violates unique constraint"
        );
        assert!(unique.is_integrity());
        let not_null = Rejection {
            code: "23502".into(),
            rule: Some(IntegrityRule::NotNull),
            constraint: None,
            column: Some("email".into()),
            message: "null value in column".into(),
        };
        assert_eq!(not_null.culprit(), Some("email"));
        assert!(not_null.to_string().contains("on column email"));
        let range = Rejection {
            code: "22003".into(),
            rule: None,
            constraint: None,
            column: None,
            message: "out of range".into(),
        };
        assert!(range.is_data_exception() && !range.is_integrity());
    }

    #[test]
    fn errors_from_outside_the_server_are_not_rejections() {
        assert_eq!(Rejection::from_error(&sqlx::Error::PoolTimedOut), None);
    }
}
