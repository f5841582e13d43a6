//! Processes and waiting: every subprocess run to its end under a deadline, or left running
//! in the background until its handle drops; a child's whole process group killed when the
//! run stops waiting, and waiting on observable state.

pub mod background;
pub mod command;
pub mod group;
pub mod wait;
