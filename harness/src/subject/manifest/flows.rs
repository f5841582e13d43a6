//! `[flows]`: the subject's critical multi-statement operations, as Rust flows bundled
//! with readiness (`builtin`), as SQL steps any stack can declare (`[[flows.sql]]`), or as
//! the app's own code run by a command (`[[flows.command]]`).

use serde::Deserialize;

/// How long one execution of a command flow may take, unless `timeout_seconds` says.
pub const DEFAULT_COMMAND_TIMEOUT_SECONDS: u64 = 60;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowsSection {
    /// The name of a bundled set of Rust flows, e.g. "instantviz".
    pub builtin: Option<String>,
    #[serde(default)]
    pub sql: Vec<SqlFlow>,
    #[serde(default)]
    pub command: Vec<CommandFlow>,
    pub webhooks: Option<CommandWebhooks>,
}

/// The app's webhook endpoint as a command: `deliver` handles one event read from
/// `{file}`; the files in `events`, in name order, are one in-order delivery; `state`
/// reads what the deliveries leave, to compare.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandWebhooks {
    pub deliver: String,
    /// A directory of event files (relative to the subject), sent in their names' order.
    pub events: String,
    /// A query whose rows (any columns, in a stable order) are the state to compare.
    pub state: String,
    /// Run once on each fresh database before its deliveries.
    pub setup: Option<String>,
    pub workdir: Option<String>,
    pub timeout_seconds: Option<u64>,
}

impl CommandWebhooks {
    pub fn timeout(&self) -> std::time::Duration {
        command_timeout(self.timeout_seconds)
    }
}

/// `timeout_seconds`, or the default.
fn command_timeout(seconds: Option<u64>) -> std::time::Duration {
    std::time::Duration::from_secs(seconds.unwrap_or(DEFAULT_COMMAND_TIMEOUT_SECONDS))
}

/// A flow as the app runs it: a shell command that performs one execution against
/// `DATABASE_URL` (through the fault proxy), `:run` in it replaced by a number unique to
/// the execution. Its fault points are the boundaries between the statements it sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandFlow {
    pub name: String,
    pub run: String,
    /// Run once per database before the flow's first execution (seed what it refers to).
    pub setup: Option<String>,
    /// Where the commands run, relative to the subject's directory (default: there).
    pub workdir: Option<String>,
    /// A query returning one integer: how many of this execution's rows exist.
    pub written: String,
    /// What `written` returns after a complete execution (all or nothing: this, or 0).
    pub complete: i64,
    /// A query returning one integer that every complete execution raises by exactly one
    /// (a counter the flow increments): concurrent executions must lose none.
    pub expect: Option<String>,
    pub timeout_seconds: Option<u64>,
}

impl CommandFlow {
    pub fn timeout(&self) -> std::time::Duration {
        command_timeout(self.timeout_seconds)
    }
}

/// A flow as SQL steps, run in one transaction, with a fault point after each step (the
/// last one just before COMMIT). `:run` in any statement is replaced by a number unique
/// to each execution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlFlow {
    pub name: String,
    pub steps: Vec<String>,
    /// A query returning one integer: how many of this execution's rows exist.
    pub written: String,
    /// What `written` returns after a complete execution (all or nothing: this, or 0).
    pub complete: i64,
    /// Each step commits on its own: set only by `readiness mutate` (a mutant with the
    /// flow's transaction removed), never read from a manifest.
    #[serde(skip)]
    pub without_transaction: bool,
}

impl FlowsSection {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        let mut names = std::collections::HashSet::new();
        for (i, flow) in self.sql.iter().enumerate() {
            if flow.name.trim().is_empty() {
                return Err((format!("flows.sql[{i}].name"), "must not be empty".into()));
            }
            if !names.insert(flow.name.as_str()) {
                return Err((
                    format!("flows.sql[{i}].name"),
                    format!("`{}` is used twice", flow.name),
                ));
            }
            if !flow.written.contains(":run") {
                return Err((
                    format!("flows.sql[{i}].written"),
                    "must mention `:run`, to count only one execution's rows".into(),
                ));
            }
            if flow.steps.len() < 2 {
                return Err((
                    format!("flows.sql[{i}].steps"),
                    "a flow needs at least two steps to be all-or-nothing".into(),
                ));
            }
            if flow.complete <= 0 {
                return Err((
                    format!("flows.sql[{i}].complete"),
                    "must be positive".into(),
                ));
            }
        }
        for (i, flow) in self.command.iter().enumerate() {
            let key = |field: &str| format!("flows.command[{i}].{field}");
            if flow.name.trim().is_empty() {
                return Err((key("name"), "must not be empty".into()));
            }
            if !names.insert(flow.name.as_str()) {
                return Err((key("name"), format!("`{}` is used twice", flow.name)));
            }
            if flow.run.trim().is_empty() {
                return Err((key("run"), "must not be empty".into()));
            }
            if !flow.written.contains(":run") {
                return Err((
                    key("written"),
                    "must mention `:run`, to count only one execution's rows".into(),
                ));
            }
            if !flow.run.contains(":run") {
                return Err((
                    key("run"),
                    "must pass `:run` to the command, so that each execution writes rows of its own".into(),
                ));
            }
            if flow.complete <= 0 {
                return Err((key("complete"), "must be positive".into()));
            }
            if flow.timeout_seconds == Some(0) {
                return Err((key("timeout_seconds"), "must be positive".into()));
            }
        }
        if let Some(webhooks) = &self.webhooks {
            if !webhooks.deliver.contains("{file}") {
                return Err((
                    "flows.webhooks.deliver".into(),
                    "must pass `{file}`, the event to deliver, to the command".into(),
                ));
            }
            if webhooks.state.trim().is_empty() {
                return Err(("flows.webhooks.state".into(), "must not be empty".into()));
            }
            if webhooks.timeout_seconds == Some(0) {
                return Err((
                    "flows.webhooks.timeout_seconds".into(),
                    "must be positive".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(name: &str, written: &str) -> SqlFlow {
        SqlFlow {
            name: name.into(),
            steps: vec!["SELECT 1".into(), "SELECT 2".into()],
            written: written.into(),
            complete: 2,
            without_transaction: false,
        }
    }

    #[test]
    fn sql_flows_must_count_their_own_rows_and_have_distinct_names() {
        let ok = FlowsSection {
            builtin: None,
            sql: vec![flow("a", "SELECT :run"), flow("b", "SELECT :run")],
            command: Vec::new(),
            webhooks: None,
        };
        assert!(ok.validate().is_ok());
        let unscoped = FlowsSection {
            builtin: None,
            sql: vec![flow("a", "SELECT count(*) FROM t")],
            command: Vec::new(),
            webhooks: None,
        };
        assert_eq!(
            unscoped.validate().unwrap_err().0,
            "flows.sql[0].written".to_owned()
        );
        let twice = FlowsSection {
            builtin: None,
            sql: vec![flow("a", "SELECT :run"), flow("a", "SELECT :run")],
            command: Vec::new(),
            webhooks: None,
        };
        assert_eq!(
            twice.validate().unwrap_err().0,
            "flows.sql[1].name".to_owned()
        );
    }

    #[test]
    fn command_flows_pass_and_count_their_run_and_share_names_with_sql_flows() {
        let command = |name: &str, run: &str| CommandFlow {
            name: name.into(),
            run: run.into(),
            setup: None,
            workdir: None,
            written: "SELECT :run".into(),
            complete: 2,
            expect: None,
            timeout_seconds: None,
        };
        let section = |sql: Vec<SqlFlow>, command: Vec<CommandFlow>| FlowsSection {
            builtin: None,
            sql,
            command,
            webhooks: None,
        };
        assert!(section(vec![], vec![command("signup", "app signup :run")])
            .validate()
            .is_ok());
        assert_eq!(
            section(vec![], vec![command("signup", "app signup")])
                .validate()
                .unwrap_err()
                .0,
            "flows.command[0].run"
        );
        assert_eq!(
            section(
                vec![flow("signup", "SELECT :run")],
                vec![command("signup", "app signup :run")]
            )
            .validate()
            .unwrap_err()
            .0,
            "flows.command[0].name"
        );
    }
}
