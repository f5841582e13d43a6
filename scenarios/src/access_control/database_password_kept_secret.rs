//! Claim: access_control ("password moved to .env file (git-ignored)"); fault: an online
//! guessing attack over TCP with the most common passwords; check: no password is written
//! into docker-compose.yml, the `.env` holding it is git-ignored, and the password is long
//! and not guessable against a real server that has it.

use async_trait::async_trait;
use harness::backend::names::{quote_ident, quote_literal};
use harness::checks::integrity::Rejection;
use harness::report::redact::Secret;
use harness::run::scenario::{Context, ScenarioError};
use harness::subject::configfiles::{compose, dotenv, gitignore};
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

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
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
        // each problem with a stable id (no figure in it), so that a baseline or a mutant
        // that adds one is told apart from one that had it already
        let mut problems: Vec<(String, String)> = Vec::new();
        for entry in service
            .environment
            .iter()
            .filter(|e| is_secret_key(&e.key) && !e.value.is_empty())
        {
            if entry.is_interpolated() {
                evidence.push_observation(entry.key.clone(), "read from the environment");
            } else {
                let line = entry.line.map(|l| format!(":{l}")).unwrap_or_default();
                problems.push((
                    format!("secret-in-file {} {}", file_name(&compose_path), entry.key),
                    format!(
                        "{}{line}: {} is written into the file",
                        file_name(&compose_path),
                        entry.key
                    ),
                ));
            }
        }
        let url_lines = compose::literal_url_passwords(&compose_path).map_err(|e| {
            ScenarioError::Manifest(subject.invalid("config.docker_compose", e.to_string()))
        })?;
        for line in url_lines {
            problems.push((
                format!("url-password-in-file {}", file_name(&compose_path)),
                format!(
                    "{}:{line}: a connection URL carries its password in the file",
                    file_name(&compose_path)
                ),
            ));
        }
        match &config.env {
            Some(path) if gitignore::is_ignored(&subject.dir, &subject.path(path)) => {
                evidence.push_observation(path.display().to_string(), "git-ignored");
            }
            Some(path) => problems.push((
                format!("env-not-git-ignored {}", path.display()),
                format!(
                    "{} is not git-ignored: the password would be committed",
                    path.display()
                ),
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
            problems.push((
                "password-too-short".into(),
                format!(
                    "the password has {} characters, fewer than {MIN_LENGTH} (the report itself advises 32 random bytes)",
                    password.chars().count()
                ),
            ));
        }
        let mut untested = None;
        // what an attacker tries first: the names the setup itself shows, then common words
        let mut candidates: Vec<String> = vec![user.clone()];
        candidates.extend(value_of(&service, &env_entries, "POSTGRES_DB"));
        candidates.push(subject.name().to_lowercase());
        candidates.extend(COMMON_PASSWORDS.iter().map(|p| p.to_string()));
        let mut seen = std::collections::HashSet::new();
        candidates.retain(|c| !c.is_empty() && seen.insert(c.clone()));
        let tried = format!(
            "{} guesses (the user, database and project names, then common passwords)",
            candidates.len()
        );
        match guess(ctx, &user, &password, &candidates).await? {
            Guess::GotIn(attempt) => problems.push((
                "password-guessed".into(),
                format!(
                    "an online guess got in: at attempt {attempt} of {tried}, `{user}` logged in over TCP"
                ),
            )),
            Guess::Refused => evidence.push_observation(
                "guessing attack",
                format!("{tried} tried over TCP against a server with this password: all refused with 28P01 (the real password logged in)"),
            ),
            Guess::Untested(reason) => untested = Some(reason),
        }
        if !problems.is_empty() {
            return Ok(refuted(evidence, problems));
        }
        if let Some(reason) = untested {
            evidence.summary = format!("no password in the compose file and .env git-ignored, but the guessing attack was not run: {reason}");
            return Ok(Outcome::not_proven(evidence));
        }
        evidence.summary = "no password in the compose file, .env git-ignored, and the password resisted a guessing attack".into();
        Ok(Outcome::proven(evidence))
    }
}

/// What the online guessing attack found.
enum Guess {
    /// A common password logged in at this attempt.
    GotIn(usize),
    /// Every common password was refused as a wrong password, and the real one logged in.
    Refused,
    /// The attack could not be run honestly; the reason.
    Untested(String),
}

fn refuted(mut evidence: Evidence, problems: Vec<(String, String)>) -> Outcome {
    evidence.summary = problems[0].1.clone();
    for (id, text) in &problems {
        evidence.push_finding(id.clone(), text.clone());
    }
    let texts = problems.into_iter().map(|(_, text)| text).collect();
    evidence.push_counterexample("the database password is not kept secret", texts);
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
        Some(entry) => Some(harness::subject::configfiles::interpolate::resolve(
            &entry.value,
            env,
        ))
        .filter(|v| !v.is_empty()),
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

/// Gives a disposable server a role with this password and tries the common passwords over
/// TCP. Only a refusal for a wrong password (SQLSTATE 28P01) counts as resisting a guess, and
/// only after the real password was seen to log in, so a server refusing everyone proves nothing.
async fn guess(
    ctx: &Context,
    user: &str,
    password: &str,
    candidates: &[String],
) -> Result<Guess, ScenarioError> {
    let server = ctx.dedicated_server(ServerProfile::Fast).await?;
    if !server.is_disposable() {
        return Ok(Guess::Untested(format!(
            "it adds a role to the server, and {} is not a disposable server of this run",
            server.describe()
        )));
    }
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
    let login = |candidate: &str| harness::backend::ConnInfo {
        user: role.clone(),
        // not registered for redaction: the candidates are public words, and never printed
        password: Secret::unregistered(candidate),
        ..server.admin()
    };
    match PgConnection::connect_with(&login(password).options()).await {
        Ok(conn) => {
            let _ = conn.close().await;
        }
        Err(e) => {
            return Ok(Guess::Untested(format!(
                "the real password did not log in over TCP ({}), so refusals would prove nothing",
                sqlstate(&e).unwrap_or_else(|| e.to_string())
            )))
        }
    }
    for (i, candidate) in candidates.iter().enumerate() {
        match PgConnection::connect_with(&login(candidate).options()).await {
            Ok(conn) => {
                let _ = conn.close().await;
                return Ok(Guess::GotIn(i + 1));
            }
            Err(e) if sqlstate(&e).as_deref() == Some(WRONG_PASSWORD) => {}
            Err(e) => {
                return Ok(Guess::Untested(format!(
                    "attempt {} failed for another reason than a wrong password ({})",
                    i + 1,
                    sqlstate(&e).unwrap_or_else(|| e.to_string())
                )))
            }
        }
    }
    Ok(Guess::Refused)
}

/// SQLSTATE invalid_password: the server checked the password and it was wrong.
const WRONG_PASSWORD: &str = "28P01";

/// The SQLSTATE the server refused a login with, when it did.
fn sqlstate(error: &sqlx::Error) -> Option<String> {
    Rejection::from_error(error)
        .map(|refusal| refusal.code)
        .filter(|code| !code.is_empty())
}
