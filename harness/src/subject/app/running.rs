//! The subject's app, started with `[app] start` on a free loopback port against a
//! database, asked its health endpoint, and killed with its whole process group when the
//! handle drops.

use std::time::{Duration, Instant};

use crate::backend::ConnInfo;
use crate::process::background::Background;
use crate::process::command::{exit_outcome, SubjectCommand};
use crate::process::wait::Patience;
use crate::subject::manifest::AppSection;
use crate::subject::Subject;

use super::http::{self, Answer, NoAnswer};

/// How often a waiting caller asks the endpoint again.
const ASK_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct RunningApp {
    process: Background,
    command: String,
    port: u16,
    health: String,
}

/// How waiting for a healthy answer ended.
#[derive(Debug)]
pub enum Ready {
    /// A 2xx answer after `waited`.
    Healthy { answer: Answer, waited: Duration },
    /// The app ended before it answered 2xx.
    Ended { how: String },
    /// No 2xx within the time given; what it last said.
    NotHealthy {
        last: Result<Answer, NoAnswer>,
        waited: Duration,
    },
}

impl RunningApp {
    /// Starts the app on a free loopback port with `database`'s `DATABASE_URL` and `PG*`
    /// variables (and the port in `PORT`), in the subject's directory or `[app] workdir`.
    pub fn start(
        subject: &Subject,
        app: &AppSection,
        database: &ConnInfo,
    ) -> std::io::Result<RunningApp> {
        let port = free_port()?;
        let command = app.start_command(port);
        let workdir = match &app.workdir {
            Some(dir) => subject.path(dir),
            None => subject.dir.clone(),
        };
        let process = Background::spawn(
            SubjectCommand::new(&command, &workdir)
                .with_database(database.env())
                .with_env("PORT", port.to_string())
                .build()?,
        )?;
        Ok(RunningApp {
            process,
            command,
            port,
            health: app.health.clone(),
        })
    }

    /// The command as it was run, the port in it.
    pub fn command(&self) -> &str {
        &self.command
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `GET` of the health endpoint, giving up after `bound`.
    pub async fn ask(&self, bound: Duration) -> Result<Answer, NoAnswer> {
        http::get(self.port, &self.health, bound).await
    }

    /// "exited with 1" once the app has ended; `None` while it runs.
    pub fn ended(&mut self) -> Option<String> {
        self.process.ended().map(exit_outcome)
    }

    /// The last `lines` non-empty lines of its output.
    pub fn output_tail(&self, lines: usize) -> String {
        self.process.log_tail(lines)
    }

    /// Asks the health endpoint every 100 ms, each request bounded by `bound`, until it
    /// answers 2xx, the app ends, or `within` has passed.
    pub async fn wait_healthy(&mut self, within: Duration, bound: Duration) -> Ready {
        let started = Instant::now();
        let mut patience = Patience::new(within, ASK_EVERY);
        let mut last = Err(NoAnswer::TimedOut(Duration::ZERO));
        while patience.another_look().await {
            if let Some(how) = self.ended() {
                return Ready::Ended { how };
            }
            let left = within.saturating_sub(started.elapsed());
            last = self.ask(bound.min(left.max(ASK_EVERY))).await;
            if let Ok(answer) = &last {
                if answer.is_success() {
                    return Ready::Healthy {
                        answer: answer.clone(),
                        waited: started.elapsed(),
                    };
                }
            }
        }
        if let Some(how) = self.ended() {
            return Ready::Ended { how };
        }
        Ready::NotHealthy {
            last,
            waited: started.elapsed(),
        }
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
