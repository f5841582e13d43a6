//! The faults injected at a flow's fault point, and the [`FaultPoints`] implementation
//! that injects one of them at one point.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use harness::faults::proxy::Direction;
use harness::process::wait::Patience;
use harness::run::scenario::ScenarioError;
use sqlx::PgConnection;

use super::rig::Rig;
use crate::flows::{FaultPoints, Flow, FlowError};

/// How long to wait for a terminated backend to be gone.
const TERMINATE_WAIT: Duration = Duration::from_secs(5);

/// One way for a flow to be interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// The application raises an error: the flow returns it there.
    AppError,
    /// The server ends the flow's session (`pg_terminate_backend`).
    Terminate,
    /// The network resets the flow's TCP connection (the proxy cuts it).
    ProxyCut,
    /// The network swallows everything: the flow hangs until its deadline.
    ProxyBlackhole,
    /// The server is killed with SIGKILL (then restarted).
    ServerKill,
}

impl Fault {
    /// The faults that leave the server running.
    pub const CONNECTION: [Fault; 4] = [
        Fault::AppError,
        Fault::Terminate,
        Fault::ProxyCut,
        Fault::ProxyBlackhole,
    ];

    pub fn needs_proxy(self) -> bool {
        matches!(self, Fault::ProxyCut | Fault::ProxyBlackhole)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::AppError => "an application error",
            Fault::Terminate => "pg_terminate_backend",
            Fault::ProxyCut => "a TCP reset",
            Fault::ProxyBlackhole => "a network black hole",
            Fault::ServerKill => "kill -9 of the server",
        })
    }
}

/// Injects `fault` when the flow reaches `point` (nothing anywhere else, nothing at all
/// when there is no target).
pub struct Injector<'a> {
    rig: &'a Rig,
    target: Option<(u32, Fault)>,
    /// Whether the target point was reached and the fault injected.
    pub fired: bool,
    /// When it was, readable while the flow still holds the injector.
    fired_at: Arc<OnceLock<Instant>>,
    /// Why the fault could not be injected, if it could not.
    pub failure: Option<ScenarioError>,
}

impl<'a> Injector<'a> {
    pub fn new(rig: &'a Rig, target: Option<(u32, Fault)>) -> Injector<'a> {
        Injector {
            rig,
            target,
            fired: false,
            fired_at: Arc::default(),
            failure: None,
        }
    }

    /// A handle on the moment the fault was injected (empty until then).
    pub fn fired_at(&self) -> Arc<OnceLock<Instant>> {
        self.fired_at.clone()
    }

    /// The rig the faults strike.
    pub fn rig(&self) -> &'a Rig {
        self.rig
    }

    /// The fault point and the fault there, if any.
    pub fn target(&self) -> Option<(u32, Fault)> {
        self.target
    }

    /// Called at fault point `point`, with the flow's connection. `Err` stops the flow
    /// with an application error (the message); any other fault lets the flow go on into
    /// whatever the fault did to its connection or server.
    pub async fn at_point(&mut self, point: u32, conn: &mut PgConnection) -> Result<(), String> {
        let Some((at, fault)) = self.target else {
            return Ok(());
        };
        if at != point || self.fired {
            return Ok(());
        }
        if fault == Fault::AppError {
            self.fired = true;
            let _ = self.fired_at.set(Instant::now());
            return Err(format!("application error at fault point {point}"));
        }
        let pid = if fault == Fault::Terminate {
            match sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut *conn)
                .await
            {
                Ok(pid) => Some(pid),
                Err(e) => {
                    self.failure = Some(terminate_failed(format!(
                        "read the flow's backend pid: {e}"
                    )));
                    return Err(format!("could not inject {fault} at fault point {point}"));
                }
            }
        } else {
            None
        };
        self.strike(point, pid).await
    }

    /// Injects the target's fault now, at fault point `point`; `backend_pid` is the
    /// flow's backend (needed to terminate it). An application error cannot be injected
    /// from outside the flow: it is an error here.
    pub async fn strike(&mut self, point: u32, backend_pid: Option<i32>) -> Result<(), String> {
        let Some((_, fault)) = self.target else {
            return Ok(());
        };
        self.fired = true;
        let _ = self.fired_at.set(Instant::now());
        let injected = match fault {
            Fault::AppError => Err(ScenarioError::Other(
                "an application error can only be raised inside the flow".into(),
            )),
            Fault::Terminate => match backend_pid {
                Some(pid) => terminate_backend(self.rig, pid).await,
                None => Err(terminate_failed(
                    "the proxy saw no BackendKeyData on the flow's connection".into(),
                )),
            },
            Fault::ProxyCut => match self.rig.proxy() {
                Some(proxy) => {
                    proxy.cut_all().await;
                    Ok(())
                }
                None => Err(no_proxy()),
            },
            Fault::ProxyBlackhole => match self.rig.proxy() {
                Some(proxy) => {
                    proxy.blackhole(Direction::ToServer, true);
                    proxy.blackhole(Direction::ToClient, true);
                    Ok(())
                }
                None => Err(no_proxy()),
            },
            Fault::ServerKill => self.rig.server().kill().await.map_err(ScenarioError::from),
        };
        if let Err(e) = injected {
            self.failure = Some(e);
            return Err(format!("could not inject {fault} at fault point {point}"));
        }
        Ok(())
    }
}

#[async_trait]
impl FaultPoints for Injector<'_> {
    async fn reached(
        &mut self,
        flow: Flow,
        point: u32,
        conn: &mut PgConnection,
    ) -> Result<(), FlowError> {
        self.at_point(point, conn)
            .await
            .map_err(|_| FlowError::Injected { flow, point })
    }
}

fn no_proxy() -> ScenarioError {
    ScenarioError::Other("the scenario has no fault proxy".into())
}

fn terminate_failed(detail: String) -> ScenarioError {
    ScenarioError::Other(format!("failed to terminate the flow's session: {detail}"))
}

/// Ends backend `pid` (`pg_terminate_backend`) and waits until it is gone.
pub async fn terminate_backend(rig: &Rig, pid: i32) -> Result<(), ScenarioError> {
    let failed = terminate_failed;
    let mut admin = rig.connect_admin().await?;
    let terminated: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .fetch_one(&mut admin)
        .await
        .map_err(|e| failed(format!("pg_terminate_backend({pid}): {e}")))?;
    if !terminated {
        return Err(failed(format!(
            "pg_terminate_backend({pid}) returned false"
        )));
    }
    let mut patience = Patience::new(TERMINATE_WAIT, Duration::from_millis(5));
    while patience.another_look().await {
        let alive: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_one(&mut admin)
            .await
            .map_err(|e| failed(format!("watch backend {pid} end: {e}")))?;
        if alive == 0 {
            let _ = sqlx::Connection::close(admin).await;
            return Ok(());
        }
    }
    Err(failed(format!(
        "backend {pid} still alive after {TERMINATE_WAIT:?}"
    )))
}
