//! Claim: monitoring ("connection logging enabled, slow query tracking configured");
//! fault: a deliberately slow query and a new connection; check: a real server running
//! the subject's postgresql.conf logging settings writes both into its log (and counts the
//! query in pg_stat_statements when the file preloads it).

use std::time::Duration;

use async_trait::async_trait;
use harness::process::wait::Patience;
use harness::run::scenario::{Context, ScenarioError};
use harness::subject::configfiles::settings;
use harness::{Evidence, Outcome, Scenario, ServerProfile};
use sqlx::{Connection, Executor, PgConnection};

pub struct SlowQueriesAreLogged;

const PROBE_MARKER: &str = "readiness_slow_query_probe";

/// How long the server log may lag behind what happened.
const LOG_PATIENCE: Duration = Duration::from_secs(5);

/// How often the log is read again while it lags.
const LOG_POLL: Duration = Duration::from_millis(100);

#[async_trait]
impl Scenario for SlowQueriesAreLogged {
    fn id(&self) -> &'static str {
        "slow-queries-are-logged"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "with the subject's postgresql.conf, a slow query and a new connection show up in the server log"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let subject = ctx.subject();
        let mut evidence = Evidence::new("");
        let settings = subject.server_settings().map_err(|e| {
            let key = if subject.manifest.config.docker_compose.is_some() {
                "config.docker_compose"
            } else {
                "config.postgresql_conf"
            };
            ScenarioError::Manifest(subject.invalid(key, e.to_string()))
        })?;
        if settings.is_empty() {
            evidence.push_observation(
                "server settings",
                "none found (no postgresql.conf, no compose command or init script setting any): the server runs with PostgreSQL's defaults",
            );
        }
        let logging: Vec<(String, String)> = settings
            .iter()
            .filter(|s| is_monitoring_setting(&s.name))
            .map(|s| (s.name.clone(), s.value.clone()))
            .collect();
        for setting in settings.iter().filter(|s| is_monitoring_setting(&s.name)) {
            evidence.push_observation(
                setting.name.clone(),
                format!("{} (from {})", setting.value, setting.source),
            );
        }
        let value = |name: &str| settings::get(&settings, name).map(|s| s.value.as_str());
        // without a threshold, a query of a whole second is as slow as anyone would care about
        let threshold = value("log_min_duration_statement")
            .and_then(parse_millis)
            .filter(|ms| *ms >= 0);
        if threshold.is_none() {
            evidence.push_observation(
                "log_min_duration_statement",
                "not set (-1: slow queries are never logged)",
            );
        }
        let threshold = threshold.unwrap_or(1000);

        let server = ctx
            .dedicated_server_with(ServerProfile::Fast, &logging)
            .await?;
        let sleep = Duration::from_millis(threshold as u64) + Duration::from_millis(300);
        let mut app = PgConnection::connect_with(&server.app().options())
            .await
            .map_err(|e| ScenarioError::sql("connect as the app", e))?;
        let probe = format!(
            "SELECT pg_sleep({:.3}) AS {PROBE_MARKER}",
            sleep.as_secs_f64()
        );
        app.execute(probe.as_str())
            .await
            .map_err(|e| ScenarioError::sql("run the slow query", e))?;
        let _ = app.close().await;

        let statements = if value("shared_preload_libraries")
            .is_some_and(|l| l.contains("pg_stat_statements"))
        {
            Some(count_in_pg_stat_statements(&server.admin()).await?)
        } else {
            None
        };
        let connections_claimed = value("log_connections").is_some_and(is_on);
        // the log is written by another process, and a container's comes through the
        // Docker API: read it until it shows what is expected, or the patience runs out
        let mut patience = Patience::new(LOG_PATIENCE, LOG_POLL);
        let (mut slow_logged, mut connection_logged) = (false, false);
        while patience.another_look().await {
            let Some(log) = server.log().await else {
                evidence.summary =
                    format!("the {} backend cannot read the server log", server.kind());
                return Ok(Outcome::not_proven(evidence));
            };
            let slow = log
                .lines()
                .any(|l| l.contains("duration:") && l.contains(PROBE_MARKER));
            let connection = log
                .lines()
                .any(|l| l.contains("connection authorized: user=readiness_app"));
            (slow_logged, connection_logged) = (slow, connection);
            if slow && (connection || !connections_claimed) {
                break;
            }
        }
        evidence.push_observation(
            "slow query",
            format!(
                "{:.1} s against a {threshold} ms threshold",
                sleep.as_secs_f64()
            ),
        );
        evidence.push_observation("slow query in the server log", slow_logged);
        evidence.push_observation("connection in the server log", connection_logged);
        if let Some(calls) = statements {
            evidence.push_observation("slow query calls in pg_stat_statements", calls);
        }

        let mut missing = Vec::new();
        if !slow_logged {
            missing.push(format!(
                "a {:.1} s query was not logged",
                sleep.as_secs_f64()
            ));
        }
        if !connections_claimed {
            missing.push("log_connections is not on: connections are not logged".to_owned());
        } else if !connection_logged {
            missing.push(
                "log_connections is on, yet the app's connection is not in the log".to_owned(),
            );
        }
        if statements == Some(0) {
            missing.push(
                "pg_stat_statements is preloaded but did not count the slow query".to_owned(),
            );
        }
        if missing.is_empty() {
            evidence.summary = format!(
                "a {:.1} s query and the app's connection were both logged",
                sleep.as_secs_f64()
            );
            return Ok(Outcome::proven(evidence));
        }
        evidence.summary = missing[0].clone();
        evidence.push_counterexample("monitoring misses what it claims to track", missing);
        Ok(Outcome::refuted(evidence))
    }
}

fn is_monitoring_setting(name: &str) -> bool {
    name.starts_with("log_")
        || name.starts_with("track_")
        || name.starts_with("pg_stat_statements.")
        || name == "shared_preload_libraries"
}

fn is_on(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "on" | "true" | "yes" | "1"
    )
}

/// "500", "500ms", "2s", "1min" → milliseconds.
fn parse_millis(value: &str) -> Option<i64> {
    let value = value.trim();
    let digits: String = value
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let number: i64 = digits.parse().ok()?;
    let factor = match value[digits.len()..].trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        _ => return None,
    };
    Some(number * factor)
}

async fn count_in_pg_stat_statements(
    admin: &harness::backend::ConnInfo,
) -> Result<i64, ScenarioError> {
    let mut conn = PgConnection::connect_with(&admin.options())
        .await
        .map_err(|e| ScenarioError::sql("connect as admin", e))?;
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
        .map_err(|e| ScenarioError::sql("create pg_stat_statements", e))?;
    let calls: Option<i64> =
        sqlx::query_scalar("SELECT sum(calls)::int8 FROM pg_stat_statements WHERE query LIKE $1")
            .bind(format!("%{PROBE_MARKER}%"))
            .fetch_one(&mut conn)
            .await
            .map_err(|e| ScenarioError::sql("read pg_stat_statements", e))?;
    let _ = conn.close().await;
    Ok(calls.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_postgres_units() {
        assert_eq!(parse_millis("500"), Some(500));
        assert_eq!(parse_millis("250ms"), Some(250));
        assert_eq!(parse_millis("2s"), Some(2000));
        assert_eq!(parse_millis("-1"), Some(-1));
        assert_eq!(parse_millis("fast"), None);
    }
}
