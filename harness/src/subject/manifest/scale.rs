//! `[scale]`: the data volume the claims are about, how the subject's data grows with the
//! number of users, and the scales and thresholds the index checks use.

use serde::Deserialize;

/// A sequential scan on a table with more rows than this is taken as a missing index,
/// unless the manifest says otherwise: below it, a planner rightly prefers reading the
/// few pages of a small table to walking an index.
pub const DEFAULT_SEQ_SCAN_MAX_ROWS: u64 = 1_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSection {
    /// The number of users the claims speak of (e.g. "100,000+ users").
    pub claimed_users: u64,
    /// The scales `verify` measures (`"1k"`, `"10k"`…); default: 1k, 10k and `claimed_users`.
    /// `READINESS_SCALES` overrides them.
    #[serde(default)]
    pub verify_scales: Vec<String>,
    /// A sequential scan on a table with more rows than this fails the plan check.
    #[serde(default = "default_seq_scan_max_rows")]
    pub seq_scan_max_rows: u64,
    /// Tables in load order, each with its rows per user and, optionally, the SQL that
    /// generates them (without it, rows are generated from the catalog).
    #[serde(default)]
    pub tables: Vec<ScaleTable>,
    /// What happens to the tables `tables` does not list: generated from the catalog
    /// (the default), or left empty.
    #[serde(default)]
    pub unlisted_tables: UnlistedTables,
}

/// `[scale] unlisted_tables`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnlistedTables {
    /// Rows generated from the catalog, with default fan-outs.
    #[default]
    Generate,
    /// No rows.
    Empty,
}

/// The number of users a dataset stands for when the manifest has no `[scale]` section.
pub const DEFAULT_CLAIMED_USERS: u64 = 10_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleTable {
    pub table: String,
    pub per_user: f64,
    /// Server-side generation SQL; `:users` is replaced by the number of users.
    pub generate: Option<String>,
}

fn default_seq_scan_max_rows() -> u64 {
    DEFAULT_SEQ_SCAN_MAX_ROWS
}

impl ScaleSection {
    /// What a manifest without a `[scale]` section gets: every table generated from the
    /// catalog, measured at 1k and 10k users.
    pub fn generated() -> ScaleSection {
        ScaleSection {
            claimed_users: DEFAULT_CLAIMED_USERS,
            verify_scales: Vec::new(),
            seq_scan_max_rows: DEFAULT_SEQ_SCAN_MAX_ROWS,
            tables: Vec::new(),
            unlisted_tables: UnlistedTables::Generate,
        }
    }

    /// Checks what the types cannot; errors are (key, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.claimed_users == 0 {
            return Err(("scale.claimed_users".into(), "must be at least 1".into()));
        }
        for (i, label) in self.verify_scales.iter().enumerate() {
            if super::scales::parse_scale(label).is_none() {
                return Err((
                    format!("scale.verify_scales[{i}]"),
                    format!("`{label}` is not a scale (expected e.g. 1k, 10k, 100k, 1m or 2500)"),
                ));
            }
        }
        Ok(())
    }

    /// The scales `verify` measures, smallest first, without repeats.
    pub fn verify_users(&self) -> Vec<u64> {
        let mut users: Vec<u64> = if self.verify_scales.is_empty() {
            vec![1_000, 10_000, self.claimed_users]
        } else {
            self.verify_scales
                .iter()
                .filter_map(|s| super::scales::parse_scale(s))
                .collect()
        };
        users.sort_unstable();
        users.dedup();
        users
    }
}
