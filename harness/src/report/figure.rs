//! Figures kept as data in the evidence: what the HTML report charts and what `--history`
//! follows across runs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A figure a scenario measured, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figure {
    /// Each main query's median latency at each scale (a log–log chart), and the slope of
    /// log(latency) against log(rows) above which a query grows with its table.
    Latency {
        max_slope: f64,
        queries: Vec<LatencySeries>,
    },
    /// A restore drill's steps, its recovery time and the claimed bound.
    Drill(DrillFigure),
    /// How long a dataset took to build into a template and to clone, at a scale.
    Dataset {
        users: u64,
        build_ms: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clone_ms: Option<f64>,
    },
}

/// One query's latency by scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencySeries {
    /// The main query's name.
    pub query: String,
    /// Its median at each scale measured, smallest first.
    pub points: Vec<LatencyPoint>,
    /// The fitted slope, when there were two scales to fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slope: Option<f64>,
}

/// A query's median latency at one scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencyPoint {
    /// The scale, in users.
    pub users: u64,
    /// The median server time (planning and execution).
    pub median_ms: f64,
}

/// A restore drill, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DrillFigure {
    /// The users' worth of data drilled with.
    pub users: u64,
    /// Back up, restore, verify…, in the order they ran.
    pub steps: Vec<DrillStep>,
    /// From the start of the restore to a verified, ready database.
    pub rto_seconds: f64,
    /// The RTO extrapolated, linearly in the data, to the claimed scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extrapolated_rto_seconds: Option<f64>,
    /// The claimed RTO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_seconds: Option<f64>,
}

/// One step of a drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DrillStep {
    /// The step (`back up`, `provision`, `restore`, `verify`).
    pub step: String,
    /// How long it took.
    pub seconds: f64,
}

impl Figure {
    /// The latency figure of `curves`.
    pub fn latency(curves: &[crate::checks::growth::Curve], max_slope: f64) -> Figure {
        Figure::Latency {
            max_slope,
            queries: curves
                .iter()
                .map(|c| LatencySeries {
                    query: c.query.clone(),
                    points: c
                        .points
                        .iter()
                        .map(|p| LatencyPoint {
                            users: p.users,
                            median_ms: p.median_ms,
                        })
                        .collect(),
                    slope: c.slope(),
                })
                .collect(),
        }
    }
}
