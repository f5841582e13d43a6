//! Secrets and their redaction: every generated password is registered here, and all
//! text that leaves the harness (evidence, reports, errors) passes through [`redact`].

use std::fmt;
use std::sync::{Mutex, OnceLock};

use rand::distributions::{Alphanumeric, DistString};

/// The placeholder that replaces a secret in any output.
pub const REDACTED: &str = "[redacted]";

fn registry() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// A secret value (a password) whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Generates a fresh 32-character alphanumeric password and registers it for redaction.
    pub fn generate() -> Self {
        Self::register(Alphanumeric.sample_string(&mut rand::thread_rng(), 32))
    }

    /// Wraps a secret that came from outside (a `--url` password) and registers it.
    pub fn register(value: String) -> Self {
        if value.len() >= 4 {
            let mut secrets = registry().lock().unwrap_or_else(|e| e.into_inner());
            if !secrets.contains(&value) {
                secrets.push(value.clone());
            }
        }
        Secret(value)
    }

    /// Wraps a value without registering it for redaction: for public words (a guessing
    /// attack's candidates) that must never turn ordinary text into `[redacted]`.
    pub fn unregistered(value: &str) -> Self {
        Secret(value.to_owned())
    }

    /// The secret itself, for handing to a connection or a child process.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Replaces every registered secret, and the password part of any `scheme://user:password@`
/// URL, with [`REDACTED`].
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    {
        let secrets = registry().lock().unwrap_or_else(|e| e.into_inner());
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
    }
    redact_url_passwords(&out)
}

fn redact_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let (before, after) = rest.split_at(scheme_end + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| c == '/' || c == '?' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at && &authority[colon + 1..at] != REDACTED => {
                out.push_str(&authority[..colon + 1]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_redacted_everywhere() {
        let secret = Secret::generate();
        let text = format!("password={} and again {}", secret.expose(), secret.expose());
        assert_eq!(redact(&text), "password=[redacted] and again [redacted]");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
    }

    #[test]
    fn url_passwords_are_redacted_even_when_unregistered() {
        assert_eq!(
            redact("connect to postgres://app:hunter2@127.0.0.1:5432/db?sslmode=disable now"),
            "connect to postgres://app:[redacted]@127.0.0.1:5432/db?sslmode=disable now"
        );
        assert_eq!(redact("postgres://app@host/db"), "postgres://app@host/db");
        assert_eq!(redact("no url here"), "no url here");
    }
}
