//! Sync bookkeeping on the device: the hybrid logical clock and the outbox of local changes.
//! The sync protocol, merge and transport build on these.

pub mod clock;
pub mod outbox;
