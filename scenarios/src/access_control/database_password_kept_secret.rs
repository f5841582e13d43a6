//! Claim: access_control ("password moved to .env file (git-ignored)"); fault: an online
//! guessing attack over TCP with the most common passwords; check: no password is written
//! into docker-compose.yml, the `.env` holding it is git-ignored, and the password is long
//! and not guessable against a real server that has it.

use async_trait::async_trait;
use harness::configfiles::{compose, dotenv, gitignore};
use harness::names::{quote_ident, quote_literal};
use harness::redact::Secret;
use harness::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario, ServerProfile};
use sqlx::{Connection, Executor, PgConnection};

pub struct DatabasePasswordKeptSecret;

/// The passwords an attacker tries first (a short head of the usual wordlists).
const COMMON_PASSWORDS: [&str; 12] = [
    "postgres", "password", "pass", "admin", "root", "123456", "changeme", "secret", "user",
    "letmein", "qwerty", "12345678",
];
/// The report itself recommends `openssl rand -base64 32`: 44 characters.
const MIN_LENGTH: usize = 16;

#[async_trait]
impl Scenario for DatabasePasswordKeptSecret {
    fn id(&self) -> &'static str {
        "database-password-kept-secret"
    }

    fn claim(&self) -> &'static str {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "no password in docker-compose.yml, .env git-ignored, and the password resists guessing"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let subject = ctx.subject();
        let config = &subject.manifest.config;
        let Some(compose_path) = &config.docker_compose else {
            return Ok(Outcome::not_proven(Evidence::new(
                "the manifest names no docker-compose file to audit",
            )));
        };
        let compose_path = subject.path(compose_path);
        let service = compose::database_service(&compose_path, config.database_service.as_deref())
            .map_err(|e| {
                ScenarioError::Manifest(subject.invalid("config.docker_compose", e.to_string()))
            })?
            .ok_or_else(|| {
                ScenarioError::Manifest(
                    subject.invalid("config.docker_compose", "no PostgreSQL service found"),
                )
            })?;
        let env_entries = match &config.env {
            Some(path) => dotenv::read(&subject.path(path)).map_err(|e| {
                ScenarioError::Manifest(subject.invalid("config.env", e.to_string()))
            })?,
            None => Vec::new(),
        };

        let mut evidence = Evidence::new("");
        let mut problems: Vec<String> = Vec::new();
        for entry in service
            .environment
            .iter()
            .filter(|e| is_secret_key(&e.key) && !e.value.is_empty())
        {
            if entry.is_interpolated() {
                evidence.push_observation(entry.key.clone(), "read from the environment");
            } else {
                let line = entry.line.map(|l| format!(":{l}")).unwrap_or_default();
                problems.push(format!(
                    "{}{line}: {} is written into the file",
                    file_name(&compose_path),
                    entry.key
                ));
            }
        }
        let url_lines = compose::literal_url_passwords(&compose_path).map_err(|e| {
            ScenarioError::Manifest(subject.invalid("config.docker_compose", e.to_string()))
        })?;
        for line in url_lines {
            problems.push(format!(
                "{}:{line}: a connection URL carries its password in the file",
                file_name(&compose_path)
            ));
        }
        match &config.env {
            Some(path) if gitignore::is_ignored(&subject.dir, &subject.path(path)) => {
                evidence.push_observation(path.display().to_string(), "git-ignored");
            }
            Some(path) => problems.push(format!(
                "{} is not git-ignored: the password would be committed",
                path.display()
            )),
            None => {}
        }

        let user =
            value_of(&service, &env_entries, "POSTGRES_USER").unwrap_or_else(|| "postgres".into());
        let Some(password) = value_of(&service, &env_entries, "POSTGRES_PASSWORD") else {
            evidence.summary = "no POSTGRES_PASSWORD is set: nothing to judge".into();
            return Ok(if problems.is_empty() {
                Outcome::not_proven(evidence)
            } else {
                refuted(evidence, problems)
            });
        };
        if let Some(url_user) = app_user(&service, &env_entries) {
            if url_user == user {
                evidence.push_observation("note", format!("the app's DATABASE_URL connects as `{user}`, the superuser the image creates"));
            }
        }
        if password.chars().count() < MIN_LENGTH {
            problems.push(format!(
                "the password has {} characters, fewer than {MIN_LENGTH} (the report itself advises 32 random bytes)",
                password.chars().count()
            ));
        }
        match guess(ctx, &user, &password).await? {
            Some(attempt) => problems.push(format!(
                "an online guess got in: after {attempt} attempt(s) from a list of {} common passwords, `{user}` logged in over TCP",
                COMMON_PASSWORDS.len()
            )),
            None => evidence.push_observation(
                "guessing attack",
                format!("{} common passwords tried over TCP against a server with this password: all refused", COMMON_PASSWORDS.len()),
            ),
        }
        if !problems.is_empty() {
            return Ok(refuted(evidence, problems));
        }
        evidence.summary = "no password in the compose file, .env git-ignored, and the password resisted a guessing attack".into();
        Ok(Outcome::proven(evidence))
    }
}

fn refuted(mut evidence: Evidence, problems: Vec<String>) -> Outcome {
    evidence.summary = problems[0].clone();
    evidence.push_counterexample("the database password is not kept secret", problems);
    Outcome::refuted(evidence)
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    key.contains("PASSWORD") || key.contains("SECRET")
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A variable as the container would see it: the compose value, `${VAR}` resolved from `.env`.
fn value_of(
    service: &compose::DatabaseService,
    env: &[dotenv::DotenvEntry],
    key: &str,
) -> Option<String> {
    match service.env(key) {
        Some(entry) if entry.is_interpolated() => {
            let var = entry
                .value
                .trim()
                .trim_start_matches('$')
                .trim_start_matches('{')
                .trim_end_matches('}');
            let var = var.split(":-").next().unwrap_or(var);
            dotenv::lookup(env, var).map(|e| e.value.clone())
        }
        Some(entry) => Some(entry.value.clone()),
        None => dotenv::lookup(env, key).map(|e| e.value.clone()),
    }
}

/// The user in the app's `DATABASE_URL`, when there is one.
fn app_user(service: &compose::DatabaseService, env: &[dotenv::DotenvEntry]) -> Option<String> {
    let url = dotenv::lookup(env, "DATABASE_URL")
        .map(|e| e.value.clone())
        .or_else(|| service.env("DATABASE_URL").map(|e| e.value.clone()))?;
    let after_scheme = url.split("://").nth(1)?;
    let credentials = after_scheme.split('@').next()?;
    Some(credentials.split(':').next()?.to_owned())
}

/// Gives a real server a role with this password and tries the common passwords over TCP;
/// returns the attempt that got in.
async fn guess(ctx: &Context, user: &str, password: &str) -> Result<Option<usize>, ScenarioError> {
    let server = ctx.dedicated_server(ServerProfile::Fast).await?;
    let mut admin = PgConnection::connect_with(&server.admin().options())
        .await
        .map_err(|e| ScenarioError::sql("connect to the guessing target", e))?;
    let role = if user.starts_with("pg_") {
        format!("x{user}")
    } else {
        user.to_owned()
    };
    admin
        .execute(
            format!(
                "CREATE ROLE {} LOGIN PASSWORD {}",
                quote_ident(&role),
                quote_literal(password)
            )
            .as_str(),
        )
        .await
        .map_err(|e| ScenarioError::sql("create the target role", e))?;
    let _ = admin.close().await;
    for (i, candidate) in COMMON_PASSWORDS.iter().enumerate() {
        // not registered for redaction: these are public words, and never printed
        let attempt = harness::backend::ConnInfo {
            user: role.clone(),
            password: Secret::unregistered(candidate),
            ..server.admin()
        };
        if let Ok(conn) = PgConnection::connect_with(&attempt.options()).await {
            let _ = conn.close().await;
            return Ok(Some(i + 1));
        }
    }
    Ok(None)
}
