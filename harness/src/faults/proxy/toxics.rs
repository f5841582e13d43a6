//! The faults the proxy applies to one direction of traffic.

use std::fmt;
use std::time::Duration;

/// Which way the bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client to the server.
    ToServer,
    /// From the server back to the client.
    ToClient,
}

impl Direction {
    pub const BOTH: [Direction; 2] = [Direction::ToServer, Direction::ToClient];
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::ToServer => "client→server",
            Direction::ToClient => "server→client",
        })
    }
}

/// The faults of one direction; the default lets everything through untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toxics {
    /// Added before each chunk is forwarded.
    pub latency: Duration,
    /// Swallow every byte: the connection stays open, the peer hears nothing.
    pub blackhole: bool,
    /// Close the connection once this many bytes have passed (from when it was set for a
    /// live connection, from its start for a new one).
    pub close_after: Option<u64>,
}
