//! Growth curves: a query's latency (the median of many runs, as the server times them) at
//! several scales, and the slope of log(latency) against log(rows). An index lookup costs
//! O(log n): its slope stays near 0. A sequential scan, or a sort of the whole table,
//! costs O(n): its slope is near 1, and ten times the data means ten times the wait.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::PgConnection;

use crate::error::ScenarioError;
use crate::schema::dataset::scale_label;
use crate::schema::probe::PreparedQuery;

/// The largest slope a query may show and still count as growing like an index lookup:
/// half-way between an index lookup's (≈ 0) and a table scan's (≈ 1), well clear of the
/// noise of a median of short runs.
pub const INDEX_LOOKUP_MAX_SLOPE: f64 = 0.5;

/// The smallest rise in latency, from the smallest scale measured to the largest, that
/// counts as growth (see [`Curve::grows_with_table`]).
pub const MATERIAL_RISE_MS: f64 = 0.25;

/// The smallest latency the slope is computed from (the server reports microseconds).
const FLOOR_MS: f64 = 0.001;

/// How many runs make one point.
#[derive(Debug, Clone, Copy)]
pub struct Sampling {
    /// Runs before measuring, not counted (caches, plan cache).
    pub warmup: usize,
    pub min_runs: usize,
    pub max_runs: usize,
    /// Stop after `min_runs` once this much time has gone.
    pub budget: Duration,
}

impl Default for Sampling {
    fn default() -> Sampling {
        Sampling {
            warmup: 2,
            min_runs: 9,
            max_runs: 51,
            budget: Duration::from_millis(750),
        }
    }
}

/// One query at one scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub users: u64,
    /// Rows in the whole dataset at this scale.
    pub rows: u64,
    /// Median server time (planning + execution), in milliseconds.
    pub median_ms: f64,
    pub runs: usize,
}

/// One query across scales, smallest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    pub query: String,
    pub points: Vec<Point>,
    /// Scales (users) measured but left out of the curve: there the plan does not use the
    /// expected index, whose table is small enough that a full read is the right plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<u64>,
}

impl Curve {
    pub fn new(query: impl Into<String>) -> Curve {
        Curve {
            query: query.into(),
            points: Vec::new(),
            left_out: Vec::new(),
        }
    }

    /// The least-squares slope of ln(latency) against ln(rows); `None` with fewer than two
    /// distinct scales.
    pub fn slope(&self) -> Option<f64> {
        let points: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.rows.max(1) as f64, p.median_ms.max(FLOOR_MS)))
            .collect();
        log_log_slope(&points)
    }

    /// Whether the curve rises faster than an index lookup's can, by enough to tell: a
    /// rise of less than [`MATERIAL_RISE_MS`] from the smallest scale to the largest is
    /// within what medians of such short runs can tell apart from a plan that changed
    /// with the data (a small table read in full, a large one through its index).
    pub fn grows_with_table(&self) -> bool {
        self.slope().is_some_and(|s| s > INDEX_LOOKUP_MAX_SLOPE)
            && self.rise_ms() >= MATERIAL_RISE_MS
    }

    /// Whether the slope says "grows" but the rise is too small to tell.
    pub fn rises_too_little_to_tell(&self) -> bool {
        self.slope().is_some_and(|s| s > INDEX_LOOKUP_MAX_SLOPE)
            && self.rise_ms() < MATERIAL_RISE_MS
    }

    /// The median latency at the largest scale minus the smallest's.
    pub fn rise_ms(&self) -> f64 {
        match (self.points.first(), self.points.last()) {
            (Some(first), Some(last)) => last.median_ms - first.median_ms,
            _ => 0.0,
        }
    }

    /// "1k: 0.031 ms, 10k: 0.029 ms (slope 0.02)".
    pub fn describe(&self) -> String {
        let mut out = self
            .points
            .iter()
            .map(|p| format!("{}: {:.3} ms", scale_label(p.users), p.median_ms))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(slope) = self.slope() {
            let _ = write!(out, " (slope {slope:.2})");
        }
        if !self.left_out.is_empty() {
            let left: Vec<String> = self.left_out.iter().map(|u| scale_label(*u)).collect();
            let separator = if out.is_empty() { "" } else { "; " };
            let _ = write!(
                out,
                "{separator}left out at {}, where the planner rightly reads its small table in full instead of the index",
                left.join(", ")
            );
        }
        out
    }
}

/// The least-squares slope of ln(y) against ln(x); `None` unless there are two distinct x.
pub fn log_log_slope(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    let n = logs.len() as f64;
    if logs.len() < 2 {
        return None;
    }
    let mean_x = logs.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = logs.iter().map(|(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = logs.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    if sxx < 1e-12 {
        return None;
    }
    let sxy: f64 = logs.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    Some(sxy / sxx)
}

/// The median of `samples` (the mean of the middle two for an even count).
pub fn median(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len().is_multiple_of(2) {
        (samples[mid - 1] + samples[mid]) / 2.0
    } else {
        samples[mid]
    }
}

/// Runs one main query at several scales — `targets` pairs each scale's connection with
/// the query prepared there — round after round, one run per scale per round, so that
/// whatever else the machine does falls on every scale alike. Returns each scale's
/// median server time and run count.
pub async fn measure_interleaved(
    targets: &mut [(&mut PgConnection, &PreparedQuery)],
    sampling: Sampling,
) -> Result<Vec<(f64, usize)>, ScenarioError> {
    for (conn, query) in targets.iter_mut() {
        for _ in 0..sampling.warmup {
            query.server_ms(conn).await?;
        }
    }
    let budget = sampling.budget * targets.len().max(1) as u32;
    let started = Instant::now();
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(sampling.max_runs); targets.len()];
    let mut rounds = 0;
    while rounds < sampling.max_runs && (rounds < sampling.min_runs || started.elapsed() < budget) {
        for ((conn, query), samples) in targets.iter_mut().zip(samples.iter_mut()) {
            samples.push(query.server_ms(conn).await?);
        }
        rounds += 1;
    }
    Ok(samples
        .into_iter()
        .map(|mut s| (median(&mut s), s.len()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(points: &[(u64, f64)]) -> Curve {
        Curve {
            query: "q".into(),
            points: points
                .iter()
                .map(|&(users, ms)| Point {
                    users,
                    rows: users * 31,
                    median_ms: ms,
                    runs: 9,
                })
                .collect(),
            left_out: Vec::new(),
        }
    }

    #[test]
    fn a_table_scan_grows_with_slope_one_and_is_flagged() {
        let scan = curve(&[(1_000, 0.5), (10_000, 5.0), (100_000, 50.0)]);
        assert!((scan.slope().unwrap() - 1.0).abs() < 1e-9);
        assert!(scan.grows_with_table());
    }

    #[test]
    fn a_steep_rise_of_a_tenth_of_a_millisecond_is_not_counted_as_growth() {
        let small = curve(&[(1_000, 0.09), (5_000, 0.21)]);
        assert!(small.slope().unwrap() > INDEX_LOOKUP_MAX_SLOPE);
        assert!(!small.grows_with_table());
        assert!(small.rises_too_little_to_tell());
        let material = curve(&[(1_000, 0.3), (5_000, 1.5)]);
        assert!(material.grows_with_table());
    }

    #[test]
    fn an_index_lookup_stays_flat_and_passes() {
        let lookup = curve(&[(1_000, 0.030), (10_000, 0.034), (100_000, 0.041)]);
        let slope = lookup.slope().unwrap();
        assert!(slope > 0.0 && slope < 0.1, "{slope}");
        assert!(!lookup.grows_with_table());
        assert_eq!(
            lookup.describe(),
            "1k: 0.030 ms, 10k: 0.034 ms, 100k: 0.041 ms (slope 0.07)"
        );
    }

    #[test]
    fn scales_left_out_are_named_and_do_not_count() {
        let mut gin = curve(&[(5_000, 0.37), (20_000, 0.62)]);
        gin.left_out.push(1_000);
        assert!(!gin.grows_with_table());
        assert_eq!(
            gin.describe(),
            "5k: 0.370 ms, 20k: 0.620 ms (slope 0.37); left out at 1k, where the planner rightly reads its small table in full instead of the index"
        );
        let mut none = curve(&[]);
        none.left_out = vec![1_000, 5_000];
        assert_eq!(none.slope(), None);
        assert!(none.describe().starts_with("left out at 1k, 5k"));
    }

    #[test]
    fn one_scale_has_no_slope() {
        assert_eq!(curve(&[(1_000, 0.5)]).slope(), None);
        assert!(!curve(&[(1_000, 0.5)]).grows_with_table());
        assert_eq!(log_log_slope(&[(10.0, 1.0), (10.0, 2.0)]), None);
    }

    #[test]
    fn medians_resist_outliers() {
        assert_eq!(median(&mut [5.0, 1.0, 900.0]), 5.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }
}
