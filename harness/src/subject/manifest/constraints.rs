//! `[[constraints]]`: the constraints the subject claims to have, each checked for
//! existence and for behaviour.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    NotNull,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedConstraint {
    pub kind: ConstraintKind,
    pub table: String,
    pub columns: Vec<String>,
    /// The constraint's expected name, when the claim names it.
    pub name: Option<String>,
    /// For `check`: the claimed rule as an SQL boolean expression over the table's
    /// columns, e.g. "usage_count >= 0". It decides which generated values the database
    /// must accept and which it must reject (NULL passes, as in a CHECK).
    pub expression: Option<String>,
    /// For `foreign_key`: the referenced table.
    pub references: Option<String>,
    /// For `foreign_key`: "cascade", "restrict", "set_null", "set_default" or "no_action".
    pub on_delete: Option<String>,
    /// For `check`: values that must be rejected, as SQL literals, e.g. ["-100"].
    #[serde(default)]
    pub rejects: Vec<String>,
    /// For `check`: values that must be accepted, as SQL literals.
    #[serde(default)]
    pub accepts: Vec<String>,
}

impl ExpectedConstraint {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if self.columns.is_empty() {
            return Err(("columns".into(), "name at least one column".into()));
        }
        let kind = self.kind;
        let only_for = |key: &str, given: bool, wanted: ConstraintKind| {
            if given && kind != wanted {
                Err((
                    key.to_owned(),
                    format!("only a `{}` constraint takes `{key}`", wanted.key()),
                ))
            } else {
                Ok(())
            }
        };
        only_for(
            "expression",
            self.expression.is_some(),
            ConstraintKind::Check,
        )?;
        only_for("accepts", !self.accepts.is_empty(), ConstraintKind::Check)?;
        only_for("rejects", !self.rejects.is_empty(), ConstraintKind::Check)?;
        only_for(
            "references",
            self.references.is_some(),
            ConstraintKind::ForeignKey,
        )?;
        only_for(
            "on_delete",
            self.on_delete.is_some(),
            ConstraintKind::ForeignKey,
        )?;
        if kind == ConstraintKind::ForeignKey && self.references.is_none() {
            return Err((
                "references".into(),
                "a foreign key needs the table it references".into(),
            ));
        }
        if kind == ConstraintKind::Check
            && self
                .expression
                .as_deref()
                .is_none_or(|e| e.trim().is_empty())
        {
            return Err((
                "expression".into(),
                "a check needs the rule it claims, as an SQL boolean expression over the table's columns (e.g. \"usage_count >= 0\")".into(),
            ));
        }
        if let Some(action) = &self.on_delete {
            if ![
                "cascade",
                "restrict",
                "set_null",
                "set_default",
                "no_action",
            ]
            .contains(&action.as_str())
            {
                return Err(("on_delete".into(), format!("`{action}` is not one of cascade, restrict, set_null, set_default, no_action")));
            }
        }
        Ok(())
    }
}

impl ConstraintKind {
    /// The manifest's spelling: "unique", "foreign_key"…
    pub fn key(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary_key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign_key",
            ConstraintKind::NotNull => "not_null",
        }
    }

    /// In prose: "unique", "foreign key"…
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::NotNull => "not null",
        }
    }
}
