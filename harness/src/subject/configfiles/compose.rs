//! `docker-compose.yml`: the database service, the addresses its port is published on,
//! and the credentials in its environment.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use super::{line_containing, ConfigError};

/// The port PostgreSQL listens on inside its container.
pub const POSTGRES_PORT: u16 = 5432;

/// One published port of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    /// The host address it is published on; `None` means every interface.
    pub host_ip: Option<String>,
    pub container_port: u16,
    /// As written, for evidence.
    pub spec: String,
}

impl PublishedPort {
    /// Whether it is reachable only from the host itself.
    pub fn is_loopback(&self) -> bool {
        matches!(self.host_ip.as_deref(), Some(ip) if ip == "localhost" || ip == "::1" || ip.starts_with("127."))
    }
}

/// A service's environment variable, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    pub value: String,
    pub line: Option<usize>,
}

impl EnvEntry {
    /// Whether the value comes from outside the file (`${VAR}` or `$VAR`).
    pub fn is_interpolated(&self) -> bool {
        self.value.trim_start().starts_with('$')
    }
}

/// The database service of a compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseService {
    pub name: String,
    pub image: Option<String>,
    pub ports: Vec<PublishedPort>,
    pub environment: Vec<EnvEntry>,
    /// `env_file` entries.
    pub env_files: Vec<String>,
    /// `command:`, split into arguments (the list form as written, the string form as a
    /// shell would split it).
    pub command: Vec<String>,
    /// `volumes:` bind mounts as (host path as written, container path).
    pub mounts: Vec<(String, String)>,
    /// `build:`: the context directory and the Dockerfile in it, as written.
    pub build: Option<(String, String)>,
}

impl DatabaseService {
    /// The published ports that reach PostgreSQL.
    pub fn postgres_ports(&self) -> impl Iterator<Item = &PublishedPort> {
        self.ports
            .iter()
            .filter(|p| p.container_port == POSTGRES_PORT)
    }

    pub fn env(&self, key: &str) -> Option<&EnvEntry> {
        self.environment.iter().find(|e| e.key == key)
    }
}

/// Reads `path` and finds the database service: the one named `preferred`, else the one
/// whose image is PostgreSQL, else the one publishing port 5432.
pub fn database_service(
    path: &Path,
    preferred: Option<&str>,
) -> Result<Option<DatabaseService>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(path, e))?;
    let docs = YamlLoader::load_from_str(&text).map_err(|e| ConfigError::new(path, e))?;
    let Some(services) = docs.first().and_then(|d| d["services"].as_hash()) else {
        return Ok(None);
    };
    let parsed: Vec<DatabaseService> = services
        .iter()
        .filter_map(|(name, body)| Some(parse_service(name.as_str()?, body, &text)))
        .collect();
    let chosen = match preferred {
        Some(name) => parsed.into_iter().find(|s| s.name == name),
        None => {
            let by_image = parsed
                .iter()
                .position(|s| s.image.as_deref().is_some_and(|i| i.contains("postgres")));
            let by_port = parsed
                .iter()
                .position(|s| s.postgres_ports().next().is_some());
            by_image.or(by_port).map(|i| parsed[i].clone())
        }
    };
    Ok(chosen)
}

/// Lines of the file holding a connection URL with a literal password
/// (`postgres://user:pass@db`, not `postgres://user:${PASSWORD}@db`), 1-based.
pub fn literal_url_passwords(path: &Path) -> Result<Vec<usize>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(path, e))?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with('#'))
        .filter(|(_, line)| {
            // `${USER:-app}:${PASSWORD}` is two variables, not a user and a password
            let line = super::interpolate::mask(line);
            line.split("://").skip(1).any(|rest| {
                let authority = rest.split(['/', ' ', '"', '\'']).next().unwrap_or_default();
                match authority
                    .rsplit_once('@')
                    .map(|(creds, _)| creds)
                    .and_then(|c| c.split_once(':'))
                {
                    Some((_, password)) => !password.is_empty() && !password.starts_with('$'),
                    None => false,
                }
            })
        })
        .map(|(i, _)| i + 1)
        .collect())
}

fn parse_service(name: &str, body: &Yaml, text: &str) -> DatabaseService {
    let ports = body["ports"]
        .as_vec()
        .map(|v| v.iter().filter_map(parse_port).collect())
        .unwrap_or_default();
    let environment = match &body["environment"] {
        Yaml::Hash(map) => map
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), scalar(v)?)))
            .map(|(key, value)| entry(key, value, text))
            .collect(),
        Yaml::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .map(|i| match i.split_once('=') {
                Some((k, v)) => entry(k.to_owned(), v.to_owned(), text),
                None => entry(i.to_owned(), String::new(), text),
            })
            .collect(),
        _ => Vec::new(),
    };
    let env_files = match &body["env_file"] {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let command = match &body["command"] {
        Yaml::String(s) => split_words(s),
        Yaml::Array(items) => items.iter().filter_map(scalar).collect(),
        _ => Vec::new(),
    };
    let mounts = body["volumes"]
        .as_vec()
        .map(|v| v.iter().filter_map(parse_mount).collect())
        .unwrap_or_default();
    let build = match &body["build"] {
        Yaml::String(context) => Some((context.clone(), "Dockerfile".to_owned())),
        Yaml::Hash(_) => Some((
            body["build"]["context"].as_str().unwrap_or(".").to_owned(),
            body["build"]["dockerfile"]
                .as_str()
                .unwrap_or("Dockerfile")
                .to_owned(),
        )),
        _ => None,
    };
    DatabaseService {
        name: name.to_owned(),
        image: body["image"].as_str().map(str::to_owned),
        ports,
        environment,
        env_files,
        command,
        mounts,
        build,
    }
}

/// A bind mount, short (`./conf:/etc/postgresql/conf:ro`) or long (`{type: bind,
/// source, target}`); named volumes are not files of the subject.
fn parse_mount(item: &Yaml) -> Option<(String, String)> {
    if let Yaml::Hash(_) = item {
        let source = item["source"].as_str()?;
        let target = item["target"].as_str()?;
        return is_path(source).then(|| (source.to_owned(), target.to_owned()));
    }
    let spec = item.as_str()?;
    let mut parts = spec.splitn(3, ':');
    let (source, target) = (parts.next()?, parts.next()?);
    is_path(source).then(|| (source.to_owned(), target.to_owned()))
}

fn is_path(source: &str) -> bool {
    source.starts_with('.')
        || source.starts_with('/')
        || source.starts_with('~')
        || source.starts_with('$')
}

/// Splits a command line as a shell would: on whitespace, keeping quoted text together.
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '\\') => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                started = false;
            }
            (None, c) => current.push(c),
        }
    }
    if started || !current.is_empty() {
        words.push(current);
    }
    words
}

fn entry(key: String, value: String, text: &str) -> EnvEntry {
    let line = line_containing(text, &key);
    EnvEntry { key, value, line }
}

fn scalar(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// Short syntax (`"127.0.0.1:5432:5432"`, `"5432:5432"`, `"5432"`, `"[::1]:5432:5432/tcp"`)
/// or long syntax (`{target, published, host_ip}`).
fn parse_port(item: &Yaml) -> Option<PublishedPort> {
    if let Yaml::Hash(_) = item {
        let container_port = match &item["target"] {
            Yaml::Integer(i) => u16::try_from(*i).ok()?,
            Yaml::String(s) => s.parse().ok()?,
            _ => return None,
        };
        let host_ip = item["host_ip"]
            .as_str()
            .map(str::to_owned)
            .filter(|ip| !is_any(ip));
        return Some(PublishedPort {
            host_ip,
            container_port,
            spec: format!("{item:?}"),
        });
    }
    let spec = scalar(item)?;
    let without_proto = spec.split('/').next()?.to_owned();
    let (host_ip, rest) = match without_proto.strip_prefix('[') {
        Some(v6) => {
            let (ip, rest) = v6.split_once(']')?;
            (Some(ip.to_owned()), rest.trim_start_matches(':').to_owned())
        }
        None => {
            let parts: Vec<&str> = without_proto.split(':').collect();
            if parts.len() == 3 {
                (
                    Some(parts[0].to_owned()),
                    format!("{}:{}", parts[1], parts[2]),
                )
            } else {
                (None, without_proto.clone())
            }
        }
    };
    let container = rest.rsplit(':').next()?;
    let container_port = container.split('-').next()?.parse().ok()?;
    Some(PublishedPort {
        host_ip: host_ip.filter(|ip| !is_any(ip)),
        container_port,
        spec,
    })
}

fn is_any(ip: &str) -> bool {
    ip.is_empty() || ip == "0.0.0.0" || ip == "::"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(spec: &str) -> PublishedPort {
        parse_port(&Yaml::String(spec.to_owned())).unwrap()
    }

    #[test]
    fn short_port_syntax_parses() {
        assert!(port("127.0.0.1:5432:5432").is_loopback());
        assert!(!port("5432:5432").is_loopback());
        assert!(!port("0.0.0.0:5432:5432").is_loopback());
        assert!(port("[::1]:5432:5432/tcp").is_loopback());
        assert!(!port("5432").is_loopback());
        assert_eq!(port("127.0.0.1::5432").container_port, 5432);
        assert_eq!(port("6543:5432").container_port, 5432);
    }

    #[test]
    fn services_environment_and_long_ports_parse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker-compose.yml");
        std::fs::write(
            &path,
            "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n  db:\n    image: postgres:15\n    ports:\n      - target: 5432\n        published: 5432\n        host_ip: 127.0.0.1\n    environment:\n      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD}\n      - POSTGRES_USER=user\n    env_file: .env\n",
        )
        .unwrap();
        let db = database_service(&path, None).unwrap().unwrap();
        assert_eq!(db.name, "db");
        assert!(db.postgres_ports().all(PublishedPort::is_loopback));
        assert!(db.env("POSTGRES_PASSWORD").unwrap().is_interpolated());
        assert!(!db.env("POSTGRES_USER").unwrap().is_interpolated());
        assert_eq!(db.env("POSTGRES_PASSWORD").unwrap().line, Some(12));
        assert_eq!(db.env_files, vec![".env".to_owned()]);
    }

    #[test]
    fn literal_passwords_in_urls_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yml");
        std::fs::write(&path, "a: postgres://u:${PW}@db/x\nb: postgresql+psycopg://user:pass@db:5432/i\n# c: postgres://u:p@h\nd: http://host/x\ne: postgresql://${U:-app}:${PW:?set it}@db/x\n").unwrap();
        assert_eq!(literal_url_passwords(&path).unwrap(), vec![2]);
    }
}
