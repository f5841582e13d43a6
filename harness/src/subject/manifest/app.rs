//! `[app]`: how to start the subject's application and where its health endpoint is.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// How long the app may take to answer healthy at first, when the manifest does not say.
pub const DEFAULT_READY_TIMEOUT_SECONDS: f64 = 30.0;

/// The placeholder in `start` that is replaced by the port the app must listen on.
pub const PORT_PLACEHOLDER: &str = "{port}";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSection {
    /// A shell command that starts the app on `{port}` against `DATABASE_URL` and keeps
    /// running.
    pub start: String,
    /// Where `start` runs, relative to the subject directory.
    pub workdir: Option<PathBuf>,
    /// The path of the health endpoint, e.g. `/health`.
    pub health: String,
    /// How long the app may take to answer healthy at first (default 30).
    pub ready_timeout_seconds: Option<f64>,
}

impl AppSection {
    /// How long the app may take to answer healthy at first.
    pub fn ready_timeout(&self) -> Duration {
        Duration::from_secs_f64(
            self.ready_timeout_seconds
                .unwrap_or(DEFAULT_READY_TIMEOUT_SECONDS),
        )
    }

    /// `start` with `{port}` replaced by `port`.
    pub fn start_command(&self, port: u16) -> String {
        self.start.replace(PORT_PLACEHOLDER, &port.to_string())
    }

    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if self.start.trim().is_empty() {
            return Err(("app.start".into(), "must not be empty".into()));
        }
        if !self.start.contains(PORT_PLACEHOLDER) {
            return Err((
                "app.start".into(),
                format!("must contain `{PORT_PLACEHOLDER}`, the port the app is to listen on"),
            ));
        }
        if !self.health.starts_with('/') {
            return Err((
                "app.health".into(),
                format!("`{}` must be a path starting with `/`", self.health),
            ));
        }
        if let Some(seconds) = self.ready_timeout_seconds {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err((
                    "app.ready_timeout_seconds".into(),
                    "must be a positive number of seconds".into(),
                ));
            }
        }
        Ok(())
    }
}
