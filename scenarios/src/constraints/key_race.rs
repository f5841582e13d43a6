//! Racing one claimed unique key, round after round: two fresh rows carry the round's key,
//! a writer puts them in from two sessions at once (gated rounds first, then rounds
//! started by the barrier alone), and each round is scored — the loop both key-race
//! scenarios share.

use harness::checks::integrity::Rejection;
use harness::run::scenario::ScenarioError;
use harness::schema::rowgen::{Row, Value};
use harness::{Evidence, Outcome};
use sqlx::PgConnection;

use super::fixtures::{plain_row, Parents};
use super::race::{
    clear_key, count_key, round_key, Racers, Tally, Writer, FREE_ROUNDS, GATED_ROUNDS, UNRACED,
};
use super::rules::refusal_matches;
use super::schema::{Claimed, Schema};

/// How one session's attempt ended.
#[derive(Debug)]
pub enum Attempt {
    Committed,
    /// The application's check found the key taken and gave up.
    RefusedByApp(String),
    /// The database refused the write.
    Refused(Rejection),
    Failed(String),
}

impl Attempt {
    /// A write's error: the database's refusal when it is one.
    pub fn from_error(error: &sqlx::Error) -> Attempt {
        match Rejection::from_error(error) {
            Some(r) => Attempt::Refused(r),
            None => Attempt::Failed(error.to_string()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Attempt::Committed => "committed".into(),
            Attempt::RefusedByApp(why) => format!("refused by the application: {why}"),
            Attempt::Refused(r) => format!("refused by the database with {r}"),
            Attempt::Failed(why) => format!("failed: {why}"),
        }
    }
}

/// Scores a round: both committed (lost), exactly one with the other refused as it should
/// be (by the application's own check, or by the database as `refused_right` says), or
/// anything else (inconclusive). False only when the round was lost.
pub fn score(
    tally: &mut Tally,
    attempts: &[Attempt; 2],
    overlapped: bool,
    refused_right: impl Fn(&Rejection) -> bool,
) -> bool {
    tally.rounds += 1;
    tally.overlapped += u32::from(overlapped);
    match attempts {
        [Attempt::Committed, Attempt::Committed] => {
            tally.both_committed += 1;
            false
        }
        [Attempt::Committed, other] | [other, Attempt::Committed]
            if match other {
                Attempt::RefusedByApp(_) => true,
                Attempt::Refused(r) => refused_right(r),
                _ => false,
            } =>
        {
            tally.one_committed += 1;
            true
        }
        _ => {
            tally.other += 1;
            true
        }
    }
}

/// The first round that did not hold, as its counterexample shows it.
pub struct LostRound<'a> {
    /// Counted from 1.
    pub round: u32,
    pub gated: bool,
    pub rows: &'a [Row],
    pub attempts: &'a [Attempt; 2],
    /// Rows holding the key after the round.
    pub holders: i64,
}

impl LostRound<'_> {
    /// How the round was started.
    pub fn start(&self) -> &'static str {
        if self.gated {
            "writes held at a gate until both waited"
        } else {
            "started by a barrier"
        }
    }

    /// `session i: <the row's INSERT> — <how it ended>`, for both sessions.
    pub fn sessions(&self) -> [String; 2] {
        [0, 1].map(|i| {
            format!(
                "session {}: {} — {}",
                i + 1,
                self.rows[i].display_sql(),
                self.attempts[i].describe()
            )
        })
    }
}

/// What racing one key showed: the gated and the barrier-only rounds' tallies, and the
/// first lost round's counterexample.
pub struct KeyRace {
    pub gated: Tally,
    pub free: Tally,
    pub first_loss: Option<Vec<String>>,
}

impl KeyRace {
    pub fn held(&self) -> bool {
        self.gated.held() && self.free.held()
    }

    /// Whether some round showed one commit and the claimed refusal.
    pub fn conclusive(&self) -> bool {
        self.gated.one_committed + self.free.one_committed > 0
    }

    /// The two tallies as observations labelled `label: gated` and `label: barrier only`.
    fn observe(&self, evidence: &mut Evidence, label: &str) {
        evidence.push_observation(format!("{label}: gated"), self.gated.describe(true));
        evidence.push_observation(format!("{label}: barrier only"), self.free.describe(false));
    }

    /// Rounds that did not end with exactly one commit.
    pub fn lost_rounds(&self) -> u32 {
        [&self.gated, &self.free]
            .iter()
            .map(|t| t.both_committed)
            .sum()
    }
}

/// What a key race works with: the racing sessions, a setup session for rows and counts,
/// and the parents every raced row may reference.
pub struct Track<'a> {
    pub racers: &'a mut Racers,
    pub setup: &'a mut PgConnection,
    pub schema: &'a Schema,
    pub parents: &'a Parents,
    /// Numbers every generated row, across keys.
    pub rows_made: u64,
}

impl Track<'_> {
    /// Races `claim`'s key for [`GATED_ROUNDS`] + [`FREE_ROUNDS`] rounds; `writer` makes
    /// each round's writer from its two rows and key. A round holds when one commits and
    /// the other is refused by the application or by the claimed constraint. `None` when
    /// no value of the key's types can be generated (see [`ungeneratable`]).
    pub async fn race<W: Writer<Output = Attempt>>(
        &mut self,
        claim: &Claimed,
        writer: impl Fn(Vec<Row>, Vec<Value>) -> W,
        describe_loss: impl Fn(&LostRound) -> Vec<String>,
    ) -> Result<Option<KeyRace>, ScenarioError> {
        let mut tallies = [Tally::default(), Tally::default()];
        let mut first_loss = None;
        let parent_keys =
            [0, 1].map(|offset| self.parents.keys_from(self.schema, &claim.table, offset));
        for round in 0..GATED_ROUNDS + FREE_ROUNDS {
            let gated = round < GATED_ROUNDS;
            let Some(key) = round_key(self.schema, claim, self.parents, round) else {
                return Ok(None);
            };
            clear_key(self.setup, self.schema, claim, &key).await?;
            let mut rows = Vec::new();
            for parent_keys in &parent_keys {
                let mut row = plain_row(
                    self.setup,
                    self.schema,
                    &claim.table,
                    self.rows_made,
                    parent_keys,
                )
                .await
                .map_err(|e| e.into_scenario_error(&claim.table))?;
                self.rows_made += 1;
                for (column, value) in claim.columns.iter().zip(&key) {
                    row.set(column, value.clone());
                }
                rows.push(row);
            }
            let table_sql = rows[0].table_sql.clone();
            let outcome = self
                .racers
                .round(
                    gated.then_some(table_sql.as_str()),
                    &writer(rows.clone(), key.clone()),
                )
                .await?;
            let tally = &mut tallies[usize::from(!gated)];
            if !score(tally, &outcome.results, outcome.overlapped, |r| {
                refusal_matches(claim, r)
            }) && first_loss.is_none()
            {
                let holders = count_key(self.setup, self.schema, claim, &key).await?;
                first_loss = Some(describe_loss(&LostRound {
                    round: round + 1,
                    gated,
                    rows: &rows,
                    attempts: &outcome.results,
                    holders,
                }));
            }
            // the round's rows go: the next round's rows reference the same parents, and a
            // second unique key over those references (Django's (group_id, permission_id))
            // would refuse them for a key other than the one raced
            clear_key(self.setup, self.schema, claim, &key).await?;
        }
        let [gated, free] = tallies;
        Ok(Some(KeyRace {
            gated,
            free,
            first_loss,
        }))
    }
}

/// NOT PROVEN for a key no value of whose columns' types can be generated.
pub fn ungeneratable(claim: &Claimed) -> Outcome {
    Outcome::not_proven(Evidence::new(format!(
        "{}: no value of its columns' types can be generated",
        claim.label()
    )))
}

/// Every raced key's part in the verdict: which lost a round, which never overlapped.
#[derive(Debug, Default)]
pub struct Verdicts {
    pub lost: Vec<String>,
    pub unraced: Vec<String>,
}

impl Verdicts {
    /// Records `race` on the key labelled `label` in `evidence`; a key that lost a round
    /// gets a counterexample titled by `title`.
    pub fn record(
        &mut self,
        evidence: &mut Evidence,
        label: String,
        race: KeyRace,
        title: impl FnOnce(&KeyRace) -> String,
    ) {
        race.observe(evidence, &label);
        if race.gated.overlapped == 0 || !race.conclusive() {
            self.unraced.push(label.clone());
        }
        if !race.held() {
            evidence.push_counterexample(
                format!("{label}: {}", title(&race)),
                race.first_loss.unwrap_or_default(),
            );
            self.lost.push(label);
        }
    }

    /// Why the races prove nothing, when no key lost but some key's gated rounds never
    /// had both writes in flight (that key was never raced).
    pub fn unraced(&self) -> Option<String> {
        if !self.lost.is_empty() || self.unraced.is_empty() {
            return None;
        }
        Some(format!("{UNRACED}: {}", self.unraced.join(", ")))
    }
}
