//! Sync bookkeeping on the device: the hybrid logical clock and the outbox of local changes.
//! The sync protocol, merge and transport build on these.

pub mod clock;
pub mod columns;
pub mod engine;
pub mod exchange;
pub mod http;
pub mod merge;
pub mod notices;
pub mod outbox;
pub mod pull;
pub mod pull_after_push;
mod push;
pub mod refusals;
pub(crate) mod restamp;
pub mod rules;
pub mod scope;
pub mod server_address;
pub mod server_features;
pub mod tls;
pub mod wire;
