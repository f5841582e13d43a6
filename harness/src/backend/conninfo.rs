//! Connection details for one role on one database, convertible to sqlx options, a URL
//! for child processes, and the `PG*` environment that `psql`, `pg_dump` and friends read.

use sqlx::postgres::PgConnectOptions;
use sqlx::ConnectOptions;
use std::fmt;

use crate::report::redact::Secret;

/// Where and as whom to connect. `Debug` and `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnInfo {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Secret,
    pub database: String,
}

impl ConnInfo {
    /// `role` on a disposable server listening on 127.0.0.1:`port`, database `postgres`.
    pub fn loopback(port: u16, role: &str, password: &Secret) -> ConnInfo {
        ConnInfo {
            host: "127.0.0.1".into(),
            port,
            user: role.into(),
            password: password.clone(),
            database: "postgres".into(),
        }
    }

    /// The same role and server, another database.
    pub fn with_database(&self, database: &str) -> ConnInfo {
        ConnInfo {
            database: database.to_owned(),
            ..self.clone()
        }
    }

    /// The same server and database, another address (e.g. through the fault proxy).
    pub fn with_address(&self, host: &str, port: u16) -> ConnInfo {
        ConnInfo {
            host: host.to_owned(),
            port,
            ..self.clone()
        }
    }

    /// sqlx options, with statement logging off so that SQL carrying secrets never reaches logs.
    pub fn options(&self) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .host(&self.host)
            .port(self.port)
            .username(&self.user)
            .password(self.password.expose())
            .database(&self.database)
            .application_name("readiness")
            .disable_statement_logging()
    }

    /// A `postgres://` URL with the password in it, for child processes only.
    pub fn url(&self) -> String {
        format!(
            "postgres://{}:{}@{}:{}/{}",
            encode(&self.user),
            encode(self.password.expose()),
            self.host,
            self.port,
            encode(&self.database)
        )
    }

    /// The URL as it may be shown to humans: the password redacted.
    pub fn display_url(&self) -> String {
        format!(
            "postgres://{}:[redacted]@{}:{}/{}",
            encode(&self.user),
            self.host,
            self.port,
            encode(&self.database)
        )
    }

    /// `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` and `DATABASE_URL`.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PGHOST", self.host.clone()),
            ("PGPORT", self.port.to_string()),
            ("PGUSER", self.user.clone()),
            ("PGPASSWORD", self.password.expose().to_owned()),
            ("PGDATABASE", self.database.clone()),
            ("PGSSLMODE", "disable".to_owned()),
            ("DATABASE_URL", self.url()),
        ]
    }
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_url())
    }
}

impl fmt::Display for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_url())
    }
}

/// Percent-encodes everything outside the URL-safe unreserved set.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_and_displays_redact() {
        let info = ConnInfo {
            host: "127.0.0.1".into(),
            port: 5433,
            user: "app user".into(),
            password: Secret::register("p@ss/word".into()),
            database: "db".into(),
        };
        assert_eq!(
            info.url(),
            "postgres://app%20user:p%40ss%2Fword@127.0.0.1:5433/db"
        );
        assert_eq!(
            info.to_string(),
            "postgres://app%20user:[redacted]@127.0.0.1:5433/db"
        );
        assert!(!format!("{info:?}").contains("p@ss"));
    }
}
