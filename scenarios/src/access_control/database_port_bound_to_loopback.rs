//! Claim: access_control ("database only accessible from localhost: 127.0.0.1:5432");
//! fault: a connection attempt from another network (a private network namespace);
//! check: the compose file publishes PostgreSQL's port on loopback only, and a real server
//! listening the way that file makes it listen refuses the other network while the host
//! itself gets in.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use harness::faults::netns::Netns;
use harness::run::scenario::{Context, ScenarioError};
use harness::subject::configfiles::{compose, pgconf};
use harness::{BackendKind, Evidence, Outcome, Scenario, ServerProfile};

pub struct DatabasePortBoundToLoopback;

/// How long the knock from another network waits for an answer.
const NETWORK_PATIENCE: Duration = Duration::from_secs(3);

/// What a connection attempt from another network got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Knock {
    Accepted,
    /// Turned away at once (nothing listens on that address).
    Refused,
    /// No answer at all: the link is broken, which shows nothing about the server.
    Unanswered,
}

impl Knock {
    fn describe(self) -> String {
        match self {
            Knock::Accepted => "accepted".into(),
            Knock::Refused => "refused".into(),
            Knock::Unanswered => format!("no answer within {} s", NETWORK_PATIENCE.as_secs()),
        }
    }
}

/// Where the configuration makes PostgreSQL reachable.
#[derive(Debug, PartialEq, Eq)]
enum Exposure {
    /// Reachable only from the host (or not published at all), with the loopback addresses
    /// the configuration binds (`listen_addresses` syntax).
    HostOnly { spec: String, listen: String },
    /// Reachable from other machines, with the line that does it.
    Network(String),
}

#[async_trait]
impl Scenario for DatabasePortBoundToLoopback {
    fn id(&self) -> &'static str {
        "database-port-bound-to-loopback"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "PostgreSQL is published on loopback only, and another network cannot connect"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let Some(exposure) = configured_exposure(ctx)? else {
            return Ok(Outcome::not_proven(Evidence::new(
                "the manifest names neither a docker-compose file nor a postgresql.conf to audit",
            )));
        };
        let mut evidence = Evidence::new("");
        let (listen, spec) = match &exposure {
            Exposure::HostOnly { spec, listen } => (Some(listen.clone()), spec.clone()),
            Exposure::Network(spec) => (None, spec.clone()),
        };
        let host_only = listen.is_some();
        evidence.push_observation("configured", &spec);

        let probe = match native_netns(ctx) {
            Ok(ns) => Some(probe_from_another_network(ctx, &ns, listen.as_deref()).await?),
            Err(why) => {
                evidence.push_observation("live probe", format!("not run: {why}"));
                None
            }
        };
        if let Some(p) = &probe {
            evidence.push_observation(
                "probe from the host",
                if p.host_gets_in {
                    "accepted"
                } else {
                    "refused"
                },
            );
            evidence.push_observation(
                format!("probe from another network ({} → {})", p.from, p.to),
                p.network.describe(),
            );
        }
        Ok(match (host_only, probe) {
            (false, probe) => {
                evidence.summary =
                    format!("the database port is published on every interface ({spec})");
                let mut details = vec![format!("{spec}: no host address, so Docker binds 0.0.0.0")];
                if let Some(p) = probe.filter(|p| p.network == Knock::Accepted) {
                    details.push(format!(
                        "a server listening that way accepted a connection from {} (another network namespace)",
                        p.from
                    ));
                }
                evidence.push_counterexample("reachable from the network", details);
                Outcome::refuted(evidence)
            }
            (true, None) => {
                evidence.summary =
                    "the configuration binds loopback only, but the live probe could not run"
                        .into();
                Outcome::not_proven(evidence)
            }
            (true, Some(p)) if !p.host_gets_in => {
                evidence.summary =
                    "the live probe is broken: the host itself could not connect".into();
                Outcome::not_proven(evidence)
            }
            (true, Some(p)) if p.network == Knock::Unanswered => {
                evidence.summary = "the live probe is broken: the connection from another network was neither accepted nor refused (no answer), so the namespace link does not work".into();
                Outcome::not_proven(evidence)
            }
            (true, Some(p)) if p.network == Knock::Accepted => {
                evidence.summary = "configured for loopback, yet another network connected".into();
                evidence.push_counterexample(
                    "reachable from the network",
                    vec![format!("{} connected to {}", p.from, p.to)],
                );
                Outcome::refuted(evidence)
            }
            (true, Some(p)) => {
                evidence.push_observation(
                    "what the probe shows",
                    format!("a real server listening on exactly the configured address(es) ({}) let the host in and refused another network namespace; the configuration, read as written, decides which addresses those are", p.listen),
                );
                evidence.summary = format!("published on loopback only ({spec}): the host connects, another network is refused");
                Outcome::proven(evidence)
            }
        })
    }
}

/// A namespace to probe from: only the native backend's servers listen where their
/// settings say (a container's reachability is Docker's port publishing, not the server's).
fn native_netns(ctx: &Context) -> Result<Netns, String> {
    if ctx.backend().kind() != BackendKind::Native {
        return Err(format!(
            "the live probe needs the native backend, not {}",
            ctx.backend().kind()
        ));
    }
    Netns::create()
}

/// What the compose file (else postgresql.conf) says about reachability.
fn configured_exposure(ctx: &Context) -> Result<Option<Exposure>, ScenarioError> {
    let subject = ctx.subject();
    let config = &subject.manifest.config;
    if let Some(path) = &config.docker_compose {
        let path = subject.path(path);
        let service = compose::database_service(&path, config.database_service.as_deref())
            .map_err(|e| {
                ScenarioError::Manifest(subject.invalid("config.docker_compose", e.to_string()))
            })?
            .ok_or_else(|| {
                ScenarioError::Manifest(subject.invalid(
                    "config.docker_compose",
                    "no PostgreSQL service found in the file",
                ))
            })?;
        let ports: Vec<&compose::PublishedPort> = service.postgres_ports().collect();
        if let Some(open) = ports.iter().find(|p| !p.is_loopback()) {
            return Ok(Some(Exposure::Network(format!(
                "service `{}` publishes \"{}\"",
                service.name, open.spec
            ))));
        }
        let specs: Vec<&str> = ports.iter().map(|p| p.spec.as_str()).collect();
        let mut addresses: Vec<&str> = ports.iter().filter_map(|p| p.host_ip.as_deref()).collect();
        addresses.dedup();
        let listen = if addresses.is_empty() {
            // unpublished: only the host (through Docker's network) reaches it
            "127.0.0.1".to_owned()
        } else {
            addresses.join(",")
        };
        let spec = if specs.is_empty() {
            format!("service `{}` publishes no port", service.name)
        } else {
            format!(
                "service `{}` publishes \"{}\"",
                service.name,
                specs.join("\", \"")
            )
        };
        return Ok(Some(Exposure::HostOnly { spec, listen }));
    }
    if let Some(path) = &config.postgresql_conf {
        let settings = pgconf::read(&subject.path(path)).map_err(|e| {
            ScenarioError::Manifest(subject.invalid("config.postgresql_conf", e.to_string()))
        })?;
        let listen = pgconf::get(&settings, "listen_addresses")
            .unwrap_or("localhost")
            .to_owned();
        let local = listen
            .split(',')
            .map(str::trim)
            .all(|a| a == "localhost" || a.starts_with("127.") || a == "::1");
        let spec = format!("listen_addresses = '{listen}'");
        return Ok(Some(if local {
            Exposure::HostOnly { spec, listen }
        } else {
            Exposure::Network(spec)
        }));
    }
    Ok(None)
}

struct Probe {
    listen: String,
    host_gets_in: bool,
    network: Knock,
    from: String,
    to: String,
}

/// Starts a server listening as configured — on the configured loopback addresses, or for
/// "every interface" on loopback plus the link to the namespace (never the machine's real
/// interfaces) — and knocks from both sides with `pg_isready`.
async fn probe_from_another_network(
    ctx: &Context,
    ns: &Netns,
    loopback: Option<&str>,
) -> Result<Probe, ScenarioError> {
    let listen = match loopback {
        Some(addresses) => addresses.to_owned(),
        None => format!("127.0.0.1,{}", ns.host_ip()),
    };
    let host_address = match listen.split(',').map(str::trim).next() {
        Some("localhost") | None => "127.0.0.1".to_owned(),
        Some(first) => first.to_owned(),
    };
    let server = ctx
        .dedicated_server_with(
            ServerProfile::Fast,
            &[("listen_addresses".into(), listen.clone())],
        )
        .await?;
    let port = server.admin().port.to_string();
    let pg_isready = server
        .tools()
        .map(|t| t.program("pg_isready").display().to_string())
        .unwrap_or_else(|| "pg_isready".to_owned());
    let host = std::process::Command::new(&pg_isready)
        .args(["-h", &host_address, "-p", &port, "-t", "5"])
        .output()
        .map_err(|e| ScenarioError::failed(format!("run {pg_isready}"), e))?;
    let knocked = Instant::now();
    let network = ns
        .exec(
            &pg_isready,
            &[
                "-h",
                ns.host_ip(),
                "-p",
                &port,
                "-t",
                &NETWORK_PATIENCE.as_secs().to_string(),
            ],
        )
        .map_err(|e| ScenarioError::failed(format!("run {pg_isready} in the namespace"), e))?;
    let network = if network.status.success() {
        Knock::Accepted
    } else if knocked.elapsed() < NETWORK_PATIENCE / 2 {
        // a closed port answers with a reset at once; only silence takes the whole patience
        Knock::Refused
    } else {
        Knock::Unanswered
    };
    Ok(Probe {
        listen,
        host_gets_in: host.status.success(),
        network,
        from: ns.peer_ip().to_owned(),
        to: format!("{}:{port}", ns.host_ip()),
    })
}
