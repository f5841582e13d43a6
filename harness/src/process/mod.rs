//! Processes and waiting: every subprocess run to its end under a deadline, a child's whole
//! process group killed when the run stops waiting, and waiting on observable state.

pub mod command;
pub mod group;
pub mod wait;
