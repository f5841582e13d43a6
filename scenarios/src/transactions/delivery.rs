//! How Stripe hands a webhook endpoint its events: each twice in a row, newest first,
//! shuffled with repeats, or every event twice at the same time. Shared by the bundled
//! handlers' scenario and the `[flows.webhooks]` command's.

use std::fmt;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// How the events reach the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In order, each event twice in a row.
    Twice,
    /// Newest first.
    Reversed,
    /// A random order, some events more than once.
    Shuffled,
    /// Every event twice, all deliveries at the same time.
    Concurrent,
}

impl Delivery {
    pub const ALL: [Delivery; 4] = [
        Delivery::Twice,
        Delivery::Reversed,
        Delivery::Shuffled,
        Delivery::Concurrent,
    ];

    /// The order in which this delivery hands `events` (in the order they were sent) over.
    pub fn plan<T: Clone>(self, events: &[T], rng: &mut ChaCha8Rng) -> Vec<T> {
        match self {
            Delivery::Twice | Delivery::Concurrent => {
                events.iter().flat_map(|e| [e.clone(), e.clone()]).collect()
            }
            Delivery::Reversed => events.iter().rev().cloned().collect(),
            Delivery::Shuffled => {
                let mut order: Vec<T> = events.to_vec();
                for e in events {
                    if rng.gen_bool(0.5) {
                        order.push(e.clone());
                    }
                }
                order.shuffle(rng);
                order
            }
        }
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Delivery::Twice => "each event twice, in order",
            Delivery::Reversed => "newest first",
            Delivery::Shuffled => "shuffled, with repeats",
            Delivery::Concurrent => "every event twice, all at once",
        })
    }
}
