//! Loosened configuration, as edited copies of the subject's files: PostgreSQL listening on
//! every address, its compose port published on every interface, the password written back
//! into the compose file, the slow-query log turned off.

use std::path::{Path, PathBuf};

use harness::subject::configfiles::{compose, pgconf};
use harness::subject::Subject;
use regex::Regex;

use super::{Change, Mutant, NotDerived};

pub const LISTEN_EVERYWHERE: &str = "listen-everywhere";
pub const PORT_ON_EVERY_INTERFACE: &str = "port-on-every-interface";
pub const PASSWORD_IN_COMPOSE: &str = "password-in-compose";
pub const SLOW_LOG_OFF: &str = "slow-log-off";

/// The password a mutant writes into the compose file.
const LITERAL_PASSWORD: &str = "written-into-compose-by-readiness-mutate";

/// The mutants of the `[config]` files the manifest names.
pub fn config_mutants(subject: &Subject, not_derived: &mut Vec<NotDerived>) -> Vec<Mutant> {
    let config = &subject.manifest.config;
    let read = |relative: &PathBuf| {
        std::fs::read_to_string(subject.path(relative))
            .ok()
            .map(|text| (relative.clone(), text))
    };
    let conf = config.postgresql_conf.as_ref().and_then(read);
    let compose_file = config.docker_compose.as_ref().and_then(read);
    let service = config.docker_compose.as_ref().and_then(|p| {
        compose::database_service(&subject.path(p), config.database_service.as_deref())
            .ok()
            .flatten()
    });
    let mut mutants = Vec::new();
    let mut push = |kind: &'static str, found: Result<Mutant, String>| match found {
        Ok(mutant) => mutants.push(mutant),
        Err(why) => not_derived.push(NotDerived::new(kind, why)),
    };
    push(LISTEN_EVERYWHERE, listen_everywhere(conf.as_ref()));
    push(
        SLOW_LOG_OFF,
        slow_log_off(conf.as_ref(), compose_file.as_ref()),
    );
    push(
        PORT_ON_EVERY_INTERFACE,
        port_on_every_interface(compose_file.as_ref(), service.as_ref()),
    );
    push(
        PASSWORD_IN_COMPOSE,
        password_in_compose(compose_file.as_ref(), service.as_ref()),
    );
    mutants
}

fn file_mutant(
    kind: &'static str,
    claim: &'static harness::run::scenario::ClaimSpec,
    label: String,
    path: &Path,
    content: String,
) -> Mutant {
    Mutant {
        label,
        kind,
        claim,
        change: Change::File {
            path: path.to_owned(),
            content,
        },
    }
}

/// `listen_addresses = '*'` appended to postgresql.conf (the last setting wins).
fn listen_everywhere(conf: Option<&(PathBuf, String)>) -> Result<Mutant, String> {
    let (path, text) = conf.ok_or("the manifest names no config.postgresql_conf")?;
    if pgconf::get(&pgconf::parse(text), "listen_addresses") == Some("*") {
        return Err(format!(
            "listen_addresses is already '*' in {}",
            path.display()
        ));
    }
    Ok(file_mutant(
        LISTEN_EVERYWHERE,
        crate::access_control::CLAIM,
        format!("listen_addresses = '*' in {}", path.display()),
        path,
        format!("{text}\nlisten_addresses = '*'\n"),
    ))
}

/// `log_min_duration_statement` set to -1 where the subject sets it: a compose `command:`
/// argument (which wins over the file), else postgresql.conf.
fn slow_log_off(
    conf: Option<&(PathBuf, String)>,
    compose_file: Option<&(PathBuf, String)>,
) -> Result<Mutant, String> {
    // the value runs to the end of the argument: a space, a comma, a bracket or a quote
    let argument = Regex::new(r#"log_min_duration_statement=[^\s,\]'"]+"#).expect("a regex");
    if let Some((path, text)) = compose_file {
        if argument.is_match(text) {
            let edited = argument.replace(text, "log_min_duration_statement=-1");
            return Ok(slow_log_mutant(path, edited.into_owned()));
        }
    }
    let (path, text) = conf.ok_or("no config file sets log_min_duration_statement")?;
    match pgconf::get(&pgconf::parse(text), "log_min_duration_statement") {
        Some(value) if value.trim() != "-1" => Ok(slow_log_mutant(
            path,
            format!("{text}\nlog_min_duration_statement = -1\n"),
        )),
        _ => Err(format!(
            "{} does not turn the slow-query log on",
            path.display()
        )),
    }
}

fn slow_log_mutant(path: &Path, content: String) -> Mutant {
    file_mutant(
        SLOW_LOG_OFF,
        crate::monitoring::CLAIM,
        format!("log_min_duration_statement = -1 in {}", path.display()),
        path,
        content,
    )
}

/// Each loopback-only publication of PostgreSQL's port made to publish on every interface.
fn port_on_every_interface(
    compose_file: Option<&(PathBuf, String)>,
    service: Option<&compose::DatabaseService>,
) -> Result<Mutant, String> {
    let (path, text) = compose_file.ok_or("the manifest names no config.docker_compose")?;
    let service = service.ok_or(format!("{} has no database service", path.display()))?;
    let port = service
        .postgres_ports()
        .find(|p| p.is_loopback() && text.contains(&p.spec))
        .ok_or(format!(
            "{} publishes PostgreSQL's port on no loopback address",
            path.display()
        ))?;
    let host_ip = port.host_ip.as_deref().unwrap_or_default();
    let everywhere =
        port.spec
            .replacen(&format!("{host_ip}:"), "", 1)
            .replacen(&format!("[{host_ip}]:"), "", 1);
    Ok(file_mutant(
        PORT_ON_EVERY_INTERFACE,
        crate::access_control::CLAIM,
        format!(
            "publish {} as {everywhere} in {}",
            port.spec,
            path.display()
        ),
        path,
        text.replacen(&port.spec, &everywhere, 1),
    ))
}

/// The database service's interpolated `POSTGRES_PASSWORD` replaced by a literal one.
fn password_in_compose(
    compose_file: Option<&(PathBuf, String)>,
    service: Option<&compose::DatabaseService>,
) -> Result<Mutant, String> {
    let (path, text) = compose_file.ok_or("the manifest names no config.docker_compose")?;
    let service = service.ok_or(format!("{} has no database service", path.display()))?;
    let entry = service
        .env("POSTGRES_PASSWORD")
        .filter(|e| e.is_interpolated())
        .ok_or(format!(
            "{} sets no POSTGRES_PASSWORD from outside the file",
            path.display()
        ))?;
    let mut replaced = false;
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            if !replaced && line.contains("POSTGRES_PASSWORD") && line.contains(&entry.value) {
                replaced = true;
                line.replacen(&entry.value, LITERAL_PASSWORD, 1)
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !replaced {
        return Err(format!(
            "{}: the POSTGRES_PASSWORD line was not found as written",
            path.display()
        ));
    }
    Ok(file_mutant(
        PASSWORD_IN_COMPOSE,
        crate::access_control::CLAIM,
        format!("POSTGRES_PASSWORD written into {}", path.display()),
        path,
        edited.join("\n") + "\n",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSE: &str = r#"services:
  db:
    image: postgres:16
    command: ["postgres", "-c", "log_min_duration_statement=250"]
    ports:
      - "127.0.0.1:5432:5432"
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
  web:
    ports:
      - "127.0.0.1:8000:8000"
"#;

    fn compose() -> (PathBuf, String, compose::DatabaseService) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker-compose.yml");
        std::fs::write(&path, COMPOSE).unwrap();
        let service = compose::database_service(&path, None).unwrap().unwrap();
        (
            "deploy/docker-compose.yml".into(),
            COMPOSE.to_owned(),
            service,
        )
    }

    fn content(mutant: &Mutant) -> &str {
        match &mutant.change {
            Change::File { content, .. } => content,
            other => panic!("not a file mutant: {other:?}"),
        }
    }

    #[test]
    fn the_database_port_alone_is_published_on_every_interface() {
        let (path, text, service) = compose();
        let mutant = port_on_every_interface(Some(&(path, text)), Some(&service)).unwrap();
        assert!(content(&mutant).contains(r#"- "5432:5432""#));
        assert!(content(&mutant).contains(r#"- "127.0.0.1:8000:8000""#));
    }

    #[test]
    fn the_password_is_written_where_the_compose_file_read_it() {
        let (path, text, service) = compose();
        let mutant = password_in_compose(Some(&(path, text)), Some(&service)).unwrap();
        assert!(content(&mutant).contains(&format!("POSTGRES_PASSWORD: {LITERAL_PASSWORD}")));
    }

    #[test]
    fn the_slow_log_is_turned_off_where_it_is_turned_on() {
        let (path, text, _) = compose();
        let conf = (
            PathBuf::from("postgresql.conf"),
            "log_min_duration_statement = 500\n".to_owned(),
        );
        let from_compose = slow_log_off(Some(&conf), Some(&(path, text))).unwrap();
        assert!(content(&from_compose).contains(r#""log_min_duration_statement=-1"]"#));
        let from_conf = slow_log_off(Some(&conf), None).unwrap();
        assert!(content(&from_conf).ends_with("\nlog_min_duration_statement = -1\n"));
        let off = (
            PathBuf::from("postgresql.conf"),
            "log_min_duration_statement = -1\n".to_owned(),
        );
        assert!(slow_log_off(Some(&off), None).is_err());
    }

    #[test]
    fn listen_addresses_is_opened_unless_it_is_open() {
        let local = (
            PathBuf::from("postgresql.conf"),
            "listen_addresses = 'localhost'\n".to_owned(),
        );
        assert!(content(&listen_everywhere(Some(&local)).unwrap())
            .ends_with("listen_addresses = '*'\n"));
        let open = (
            PathBuf::from("postgresql.conf"),
            "listen_addresses = '*'\n".to_owned(),
        );
        assert!(listen_everywhere(Some(&open))
            .unwrap_err()
            .contains("already '*'"));
    }
}
