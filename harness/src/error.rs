//! Why a scenario could not reach a verdict: the one error type every layer that a
//! scenario calls returns into. It knows no layer: each layer's own error converts into
//! it beside its definition, so that nothing here depends on what depends on it.

use crate::subject::manifest::ManifestError;

/// Why a scenario could not reach a verdict. A manifest error is the user's input at
/// fault; anything else leaves the scenario NOT PROVEN with the reason.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// An error of one of the harness's layers (a backend, a template, the migrations, a
    /// fault, a backup), kept whole with its chain; each converts with `?`.
    #[error(transparent)]
    Layer(Box<dyn std::error::Error + Send + Sync>),
    #[error("failed to {what}: {source}")]
    Sql { what: String, source: sqlx::Error },
    /// Anything else that failed with an error of its own, kept as the source.
    #[error("failed to {what}: {source}")]
    Failed {
        what: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A condition that stops the scenario without an error underneath.
    #[error("{0}")]
    Other(String),
}

impl ScenarioError {
    pub fn sql(what: impl Into<String>, source: sqlx::Error) -> ScenarioError {
        ScenarioError::Sql {
            what: what.into(),
            source,
        }
    }

    /// `what` (a verb phrase: "create a backup directory") failed with `source`.
    pub fn failed(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> ScenarioError {
        ScenarioError::Failed {
            what: what.into(),
            source: source.into(),
        }
    }
}
