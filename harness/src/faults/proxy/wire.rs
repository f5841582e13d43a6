//! Enough of the PostgreSQL wire protocol (v3) to see statement boundaries in a proxied
//! connection, whatever the client's language or driver: the startup phase (an
//! `SSLRequest` and its one-byte answer, `BackendKeyData` with the backend's pid), simple
//! queries (`Q`), the extended protocol (`Parse`/`Bind`/`Execute`/`Sync`), and on the way
//! back `CommandComplete`, `EmptyQueryResponse`, `ErrorResponse` and `ReadyForQuery` with
//! its transaction status. Each direction's bytes are fed as they pass; a [`Conversation`]
//! records every statement the server finished, its SQL text and whether it ran inside a
//! transaction block.

use std::collections::{HashMap, VecDeque};

/// The `SSLRequest` and `GSSENCRequest` codes: the server answers each with one byte.
const SSL_REQUEST: i32 = 80_877_103;
const GSSENC_REQUEST: i32 = 80_877_104;
pub(super) const ENCRYPTION_REQUESTS: [i32; 2] = [SSL_REQUEST, GSSENC_REQUEST];

/// The transaction status `ReadyForQuery` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    /// `I`: not in a transaction block.
    Idle,
    /// `T`: in a transaction block.
    InBlock,
    /// `E`: in a failed transaction block.
    Failed,
}

/// One statement the server finished, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Which of the connection's statement-running messages (`Q` or `Execute`, counted
    /// from 1) it came from: a simple query may finish several statements.
    pub message: u64,
    /// The SQL the client sent for it (a simple query's whole text, which may hold several).
    pub sql: String,
    /// The command tag (`INSERT 0 1`, `COMMIT`), `ERROR` or `EMPTY`.
    pub tag: String,
    /// The status reported by the `ReadyForQuery` that followed it (None until then).
    pub status_after: Option<TxStatus>,
}

impl Finished {
    /// Whether it ran inside a transaction block: the block was still open after it, or it
    /// is what closed one.
    pub fn in_block(&self) -> bool {
        matches!(
            self.status_after,
            Some(TxStatus::InBlock | TxStatus::Failed)
        ) || ["COMMIT", "ROLLBACK"].contains(&self.tag.as_str())
    }
}

/// What one message from the client was, for the proxy's decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromClient {
    /// Before the startup message: a request for TLS (or GSS) encryption.
    EncryptionRequest,
    Startup,
    /// `Q`: a simple query.
    Query(String),
    /// `E`: the extended protocol's `Execute` of a portal, with the SQL bound to it.
    Execute(String),
    /// `P`, `B`, `S`, …: another message of the extended protocol (its type byte).
    Extended(u8),
    Terminate,
    Other(u8),
}

impl FromClient {
    /// The SQL the message asks the server to run, if it asks that.
    pub fn statement(&self) -> Option<&str> {
        match self {
            FromClient::Query(sql) | FromClient::Execute(sql) => Some(sql),
            _ => None,
        }
    }
}

/// What one message from the server was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromServer {
    /// The one-byte answer to an encryption request (`N` or `S`).
    EncryptionAnswer(u8),
    BackendKey {
        pid: i32,
        secret: i32,
    },
    /// A statement finished: `C`, `I` or `E` (with its tag, `EMPTY` or `ERROR`).
    Finished(String),
    Ready(TxStatus),
    Other(u8),
}

/// One whole message as it came: its type byte (`None` for an untyped startup-phase
/// message), and all of its bytes.
struct Framed {
    tag: Option<u8>,
    raw: Vec<u8>,
}

impl Framed {
    fn body(&self) -> &[u8] {
        &self.raw[usize::from(self.tag.is_some()) + 4..]
    }
}

/// Splits one direction's bytes into whole messages.
#[derive(Debug, Default)]
struct Framer {
    buffered: Vec<u8>,
    /// Whether the next message is an untyped startup-phase one.
    untyped: bool,
}

impl Framer {
    fn push(&mut self, bytes: &[u8]) {
        self.buffered.extend_from_slice(bytes);
    }

    /// The next whole message, if it has all arrived.
    fn next(&mut self) -> Option<Framed> {
        let (tag, header) = if self.untyped {
            (None, 0)
        } else {
            (Some(*self.buffered.first()?), 1)
        };
        let length = self.buffered.get(header..header + 4)?;
        let length = i32::from_be_bytes(length.try_into().ok()?) as usize;
        let total = header + length.max(4);
        if self.buffered.len() < total {
            return None;
        }
        let raw: Vec<u8> = self.buffered.drain(..total).collect();
        Some(Framed { tag, raw })
    }
}

/// One connection's two directions, and the statements seen on it.
#[derive(Debug)]
pub struct Conversation {
    client: Framer,
    server: Framer,
    /// The client asked for encryption: the server's next byte is the one-byte answer.
    answer_pending: bool,
    /// The backend serving the connection: (pid, secret key).
    pub backend: Option<(i32, i32)>,
    /// Prepared statements by name, and portals by name, to their SQL.
    prepared: HashMap<String, String>,
    portals: HashMap<String, String>,
    /// Statement-running messages (`Q`, `Execute`) the client has sent.
    pub messages_sent: u64,
    /// SQL sent and not finished yet, oldest first, with whether it is a simple query and
    /// its message number: a simple query stays until its `ReadyForQuery`, an `Execute`
    /// until its statement finishes.
    running: VecDeque<(String, bool, u64)>,
    /// Every statement the server finished.
    pub finished: Vec<Finished>,
    /// The status of the last `ReadyForQuery`.
    pub status: Option<TxStatus>,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation {
            client: Framer {
                untyped: true,
                ..Framer::default()
            },
            server: Framer::default(),
            answer_pending: false,
            backend: None,
            prepared: HashMap::new(),
            portals: HashMap::new(),
            messages_sent: 0,
            running: VecDeque::new(),
            finished: Vec::new(),
            status: None,
        }
    }
}

impl Conversation {
    /// Bytes the client sent; the whole messages among them, each with its bytes as they
    /// came (to be forwarded one message at a time). A partial message waits for the rest.
    pub fn client_messages(&mut self, bytes: &[u8]) -> Vec<(FromClient, Vec<u8>)> {
        self.client.push(bytes);
        let mut seen = Vec::new();
        while let Some(framed) = self.client.next() {
            let message = self.client_message(framed.tag, framed.body());
            seen.push((message, framed.raw));
        }
        seen
    }

    /// Bytes the server sent; the whole messages among them, in order.
    pub fn from_server(&mut self, bytes: &[u8]) -> Vec<FromServer> {
        self.server.push(bytes);
        let mut seen = Vec::new();
        loop {
            if self.answer_pending {
                let Some(&answer) = self.server.buffered.first() else {
                    break;
                };
                self.server.buffered.remove(0);
                self.answer_pending = false;
                if answer != b'N' {
                    // encrypted from here on: nothing more can be read
                    self.server.buffered.clear();
                }
                seen.push(FromServer::EncryptionAnswer(answer));
                continue;
            }
            let Some(framed) = self.server.next() else {
                break;
            };
            seen.push(self.server_message(framed.tag.unwrap_or(0), framed.body()));
        }
        seen
    }

    fn client_message(&mut self, tag: Option<u8>, body: &[u8]) -> FromClient {
        let Some(tag) = tag else {
            let code = body
                .get(..4)
                .map(|c| i32::from_be_bytes(c.try_into().expect("four bytes")));
            return if matches!(code, Some(SSL_REQUEST | GSSENC_REQUEST)) {
                self.answer_pending = true;
                FromClient::EncryptionRequest
            } else {
                self.client.untyped = false;
                FromClient::Startup
            };
        };
        let mut fields = Fields(body);
        match tag {
            b'Q' => {
                let sql = fields.string();
                self.messages_sent += 1;
                self.running
                    .push_back((sql.clone(), true, self.messages_sent));
                FromClient::Query(sql)
            }
            b'P' => {
                let name = fields.string();
                let sql = fields.string();
                self.prepared.insert(name, sql);
                FromClient::Extended(tag)
            }
            b'B' => {
                let portal = fields.string();
                let statement = fields.string();
                let sql = self.prepared.get(&statement).cloned().unwrap_or_default();
                self.portals.insert(portal, sql);
                FromClient::Extended(tag)
            }
            b'E' => {
                let portal = fields.string();
                let sql = self.portals.get(&portal).cloned().unwrap_or_default();
                self.messages_sent += 1;
                self.running
                    .push_back((sql.clone(), false, self.messages_sent));
                FromClient::Execute(sql)
            }
            b'C' | b'D' | b'H' | b'S' => FromClient::Extended(tag),
            b'X' => FromClient::Terminate,
            other => FromClient::Other(other),
        }
    }

    fn server_message(&mut self, tag: u8, body: &[u8]) -> FromServer {
        let mut fields = Fields(body);
        match tag {
            b'K' => {
                let (pid, secret) = (fields.int(), fields.int());
                self.backend = Some((pid, secret));
                FromServer::BackendKey { pid, secret }
            }
            b'C' | b'I' | b'E' => {
                let finished_tag = match tag {
                    b'C' => fields.string(),
                    b'I' => "EMPTY".into(),
                    _ => "ERROR".into(),
                };
                // an error outside any statement (a failed startup) finishes nothing
                if let Some((sql, simple, message)) = self.running.front().cloned() {
                    if !simple {
                        self.running.pop_front();
                    }
                    self.finished.push(Finished {
                        message,
                        sql,
                        tag: finished_tag.clone(),
                        status_after: None,
                    });
                    if tag == b'E' && !simple {
                        // the server skips the rest until Sync: those Executes never run
                        self.running.retain(|(_, simple, _)| *simple);
                    }
                }
                FromServer::Finished(finished_tag)
            }
            b'Z' => {
                let status = match fields.byte() {
                    b'T' => TxStatus::InBlock,
                    b'E' => TxStatus::Failed,
                    _ => TxStatus::Idle,
                };
                // the first ReadyForQuery ends the startup, not a query sent meanwhile
                if self.status.is_some() && matches!(self.running.front(), Some((_, true, _))) {
                    self.running.pop_front();
                }
                for finished in self.finished.iter_mut().rev() {
                    if finished.status_after.is_some() {
                        break;
                    }
                    finished.status_after = Some(status);
                }
                self.status = Some(status);
                FromServer::Ready(status)
            }
            other => FromServer::Other(other),
        }
    }
}

/// Reads a message body's fields in order.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    /// A NUL-terminated string.
    fn string(&mut self) -> String {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        let text = String::from_utf8_lossy(&self.0[..end]).into_owned();
        self.0 = self.0.get(end + 1..).unwrap_or_default();
        text
    }

    fn int(&mut self) -> i32 {
        let value = self
            .0
            .get(..4)
            .map_or(0, |b| i32::from_be_bytes(b.try_into().expect("four bytes")));
        self.0 = self.0.get(4..).unwrap_or_default();
        value
    }

    fn byte(&mut self) -> u8 {
        let value = self.0.first().copied().unwrap_or(0);
        self.0 = self.0.get(1..).unwrap_or_default();
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn cstr(text: &str) -> Vec<u8> {
        let mut out = text.as_bytes().to_vec();
        out.push(0);
        out
    }

    /// The client's whole messages among `bytes`, without their bytes.
    fn from_client(conversation: &mut Conversation, bytes: &[u8]) -> Vec<FromClient> {
        conversation
            .client_messages(bytes)
            .into_iter()
            .map(|(message, _)| message)
            .collect()
    }

    fn untyped(body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 4) as i32).to_be_bytes().to_vec();
        out.extend_from_slice(body);
        out
    }

    /// `Parse` of `sql` as the prepared statement `name`, `Bind` of it to the unnamed
    /// portal with no parameters, `Execute` of that portal.
    fn parse_bind_execute(name: &str, sql: &str) -> Vec<u8> {
        let mut parse = cstr(name);
        parse.extend(cstr(sql));
        parse.extend(0i16.to_be_bytes());
        let mut bind = cstr("");
        bind.extend(cstr(name));
        bind.extend([0, 0, 0, 0, 0, 0]);
        let mut execute = cstr("");
        execute.extend(0i32.to_be_bytes());
        let mut out = message(b'P', &parse);
        out.extend(message(b'B', &bind));
        out.extend(message(b'E', &execute));
        out
    }

    #[test]
    fn a_simple_query_session_split_anywhere_is_read_whole() {
        let mut client = untyped(&SSL_REQUEST.to_be_bytes());
        client.extend(untyped(&[
            0, 3, 0, 0, b'u', b's', b'e', b'r', 0, b'a', 0, 0,
        ]));
        client.extend(message(b'Q', &cstr("BEGIN")));
        client.extend(message(b'Q', &cstr("INSERT INTO t VALUES (1)")));
        client.extend(message(b'Q', &cstr("COMMIT")));
        let mut server = vec![b'N'];
        server.extend(message(b'R', &0i32.to_be_bytes()));
        let mut key = 4242i32.to_be_bytes().to_vec();
        key.extend(7i32.to_be_bytes());
        server.extend(message(b'K', &key));
        server.extend(message(b'Z', b"I"));
        for (tag, status) in [("BEGIN", b"T"), ("INSERT 0 1", b"T"), ("COMMIT", b"I")] {
            server.extend(message(b'C', &cstr(tag)));
            server.extend(message(b'Z', status));
        }
        let mut conversation = Conversation::default();
        // the client's messages all go first (the order of the bytes within each
        // direction is what counts), each direction in chunks of 3 bytes
        let mut seen = Vec::new();
        for chunk in client.chunks(3) {
            seen.extend(from_client(&mut conversation, chunk));
        }
        for chunk in server.chunks(3) {
            conversation.from_server(chunk);
        }
        assert_eq!(seen.len(), 5);
        assert_eq!(seen[0], FromClient::EncryptionRequest);
        assert_eq!(seen[1], FromClient::Startup);
        assert!(seen[3].statement().is_some());
        assert_eq!(conversation.backend, Some((4242, 7)));
        let tags: Vec<(&str, bool)> = conversation
            .finished
            .iter()
            .map(|f| (f.tag.as_str(), f.in_block()))
            .collect();
        assert_eq!(
            tags,
            [("BEGIN", true), ("INSERT 0 1", true), ("COMMIT", true)]
        );
        assert_eq!(conversation.finished[1].sql, "INSERT INTO t VALUES (1)");
    }

    #[test]
    fn extended_protocol_statements_take_their_prepared_text_and_the_sync_status() {
        let mut conversation = Conversation::default();
        from_client(&mut conversation, &untyped(&[0, 3, 0, 0, 0]));
        let mut client = Vec::new();
        for (name, sql) in [
            ("s1", "INSERT INTO a VALUES ($1)"),
            ("s2", "UPDATE b SET x = 1"),
        ] {
            client.extend(parse_bind_execute(name, sql));
        }
        client.extend(message(b'S', b""));
        let seen = from_client(&mut conversation, &client);
        assert_eq!(seen.iter().filter(|m| m.statement().is_some()).count(), 2);
        let mut server = message(b'1', b"");
        server.extend(message(b'2', b""));
        server.extend(message(b'C', &cstr("INSERT 0 1")));
        server.extend(message(b'1', b""));
        server.extend(message(b'2', b""));
        server.extend(message(b'C', &cstr("UPDATE 3")));
        server.extend(message(b'Z', b"I"));
        conversation.from_server(&server);
        let finished: Vec<(&str, &str, bool)> = conversation
            .finished
            .iter()
            .map(|f| (f.sql.as_str(), f.tag.as_str(), f.in_block()))
            .collect();
        assert_eq!(
            finished,
            [
                ("INSERT INTO a VALUES ($1)", "INSERT 0 1", false),
                ("UPDATE b SET x = 1", "UPDATE 3", false)
            ]
        );
    }

    #[test]
    fn an_error_in_a_pipeline_skips_the_executes_before_sync() {
        let mut conversation = Conversation::default();
        from_client(&mut conversation, &untyped(&[0, 3, 0, 0, 0]));
        let mut client = Vec::new();
        for sql in ["SELECT 1/0", "SELECT 2"] {
            client.extend(parse_bind_execute("", sql));
        }
        client.extend(message(b'S', b""));
        from_client(&mut conversation, &client);
        let mut server = message(b'1', b"");
        server.extend(message(b'2', b""));
        server.extend(message(b'E', &cstr("SERROR")));
        server.extend(message(b'Z', b"I"));
        conversation.from_server(&server);
        assert_eq!(conversation.finished.len(), 1);
        assert_eq!(conversation.finished[0].tag, "ERROR");
        assert!(conversation.running.is_empty());
    }
}
