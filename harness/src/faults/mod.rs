//! Faults injected on purpose, beside the backends' own (kill, pause, restart): a TCP
//! fault proxy between client and server, and private network namespaces.

pub mod netns;
pub mod proxy;
