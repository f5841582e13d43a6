//! The statements clients send through a proxy that follows the PostgreSQL protocol: a
//! transcript of them in the order they went through, and a gate that holds the next
//! statement once `k` have gone through, so that a fault strikes between statement `k`
//! (its result delivered) and statement `k + 1` (not yet at the server).

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::lock;
use super::wire::Conversation;

/// One statement of the transcript, numbered from 1 across every connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub number: usize,
    /// The proxy's id of the connection that sent it.
    pub connection: u64,
    pub sql: String,
    /// The command tags the server answered with (several for a multi-statement simple
    /// query), `ERROR` for an error; empty while it has not finished.
    pub tags: Vec<String>,
    /// Whether every statement it ran was inside a transaction block.
    pub in_block: bool,
}

impl Statement {
    /// Whether the server finished it.
    pub fn finished(&self) -> bool {
        !self.tags.is_empty()
    }

    /// Whether it changed rows (by its command tag).
    pub fn writes(&self) -> bool {
        self.tags.iter().any(|tag| {
            let verb = tag.split_whitespace().next().unwrap_or("");
            ["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"].contains(&verb) && !tag.ends_with(" 0")
        })
    }

    /// The SQL on one line, cut to `chars` characters.
    pub fn short_sql(&self, chars: usize) -> String {
        Statement::short_sql_of(&self.sql, chars)
    }

    /// `sql` on one line, cut to `chars` characters.
    pub fn short_sql_of(sql: &str, chars: usize) -> String {
        let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.chars().count() <= chars {
            line
        } else {
            format!("{}…", line.chars().take(chars).collect::<String>())
        }
    }
}

/// The statement the gate is holding back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Its number: one more than the statements that went through before the gate closed.
    pub number: usize,
    pub connection: u64,
    /// The backend serving that connection (from `BackendKeyData`).
    pub backend_pid: Option<i32>,
    pub sql: String,
}

#[derive(Debug, Default)]
struct Gate {
    /// Hold every statement numbered above this.
    hold_after: Option<usize>,
    held: Option<Held>,
    meeting: Option<Meeting>,
}

/// Each connection's `message`-th statement waits until `parties` connections got there.
#[derive(Debug)]
struct Meeting {
    message: u64,
    parties: usize,
    arrived: usize,
}

impl Gate {
    /// Whether a connection at its `message`-th statement must still wait for the others.
    fn waits_at(&self, message: u64) -> bool {
        self.meeting
            .as_ref()
            .is_some_and(|m| m.message == message && m.arrived < m.parties)
    }
}

/// A statement just recorded: its number in the transcript and on its connection, and
/// whether the gate may make it wait.
#[derive(Debug)]
pub(super) struct Ticket {
    number: usize,
    connection: u64,
    message: u64,
    pub waits: bool,
}

/// A statement that went through, and the conversation that can say how it finished.
#[derive(Debug)]
struct Sent {
    connection: u64,
    /// Its number among its connection's statement-running messages.
    message: u64,
    sql: String,
    conversation: Arc<Mutex<Conversation>>,
}

/// What every connection of one proxy shares about statements.
#[derive(Debug)]
pub(super) struct Statements {
    sent: Mutex<Vec<Sent>>,
    gate: watch::Sender<Gate>,
}

impl Default for Statements {
    fn default() -> Self {
        Statements {
            sent: Mutex::new(Vec::new()),
            gate: watch::Sender::new(Gate::default()),
        }
    }
}

impl Statements {
    /// Records the statement in message `message` of `connection`; the ticket says
    /// whether it may go to the server at once or must [pass](Statements::pass) the gate.
    pub(super) fn record(
        &self,
        connection: u64,
        message: u64,
        sql: &str,
        conversation: &Arc<Mutex<Conversation>>,
    ) -> Ticket {
        let number = {
            let mut sent = lock(&self.sent);
            sent.push(Sent {
                connection,
                message,
                sql: sql.to_owned(),
                conversation: conversation.clone(),
            });
            sent.len()
        };
        let gate = self.gate.borrow();
        let meets = gate.meeting.as_ref().is_some_and(|m| m.message == message);
        Ticket {
            number,
            connection,
            message,
            waits: meets || gate.hold_after.is_some_and(|k| number > k),
        }
    }

    /// Returns once the ticket's statement may go to the server: after the meeting it is
    /// called to (every party there), and once the gate no longer holds it.
    pub(super) async fn pass(
        &self,
        ticket: &Ticket,
        sql: &str,
        conversation: &Arc<Mutex<Conversation>>,
    ) {
        let (number, message) = (ticket.number, ticket.message);
        let meets = self
            .gate
            .borrow()
            .meeting
            .as_ref()
            .is_some_and(|m| m.message == message);
        if meets {
            self.gate.send_modify(|gate| {
                if let Some(meeting) = gate.meeting.as_mut() {
                    meeting.arrived += 1;
                }
            });
            let mut gate = self.gate.subscribe();
            let _ = gate.wait_for(|gate| !gate.waits_at(message)).await;
        }
        let holds = |gate: &Gate| gate.hold_after.is_some_and(|k| number > k);
        if !holds(&self.gate.borrow()) {
            return;
        }
        let backend_pid = lock(conversation).backend.map(|(pid, _)| pid);
        self.gate.send_modify(|gate| {
            if gate.held.is_none() {
                gate.held = Some(Held {
                    number,
                    connection: ticket.connection,
                    backend_pid,
                    sql: sql.to_owned(),
                });
            }
        });
        let mut gate = self.gate.subscribe();
        let _ = gate.wait_for(|gate| !holds(gate)).await;
    }

    pub(super) fn transcript(&self) -> Vec<Statement> {
        let sent = lock(&self.sent);
        sent.iter()
            .enumerate()
            .map(|(i, s)| {
                let conversation = lock(&s.conversation);
                let finished: Vec<_> = conversation
                    .finished
                    .iter()
                    .filter(|f| f.message == s.message)
                    .collect();
                Statement {
                    number: i + 1,
                    connection: s.connection,
                    sql: s.sql.clone(),
                    tags: finished.iter().map(|f| f.tag.clone()).collect(),
                    in_block: !finished.is_empty() && finished.iter().all(|f| f.in_block()),
                }
            })
            .collect()
    }

    pub(super) fn forget(&self) {
        lock(&self.sent).clear();
    }

    pub(super) fn hold_after(&self, k: Option<usize>) {
        self.gate.send_modify(|gate| {
            gate.hold_after = k;
            gate.held = None;
        });
    }

    pub(super) fn meet(&self, meeting: Option<(u64, usize)>) {
        self.gate.send_modify(|gate| {
            gate.meeting = meeting.map(|(message, parties)| Meeting {
                message,
                parties,
                arrived: 0,
            });
        });
    }

    /// How many connections got to the meeting so far.
    pub(super) fn arrived(&self) -> usize {
        self.gate.borrow().meeting.as_ref().map_or(0, |m| m.arrived)
    }

    pub(super) async fn held(&self) -> Held {
        let mut gate = self.gate.subscribe();
        let held = gate
            .wait_for(|gate| gate.held.is_some())
            .await
            .expect("the proxy owns the gate's sender");
        held.held.clone().expect("waited for it")
    }
}
