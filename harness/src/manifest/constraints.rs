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
    /// For `check`: the claimed rule, e.g. "usage_count >= 0".
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
        if self.kind == ConstraintKind::ForeignKey && self.references.is_none() {
            return Err((
                "references".into(),
                "a foreign key needs the table it references".into(),
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
