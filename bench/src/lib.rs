//! Sentra's benchmark harness, behind `scripts/bench`: every benchmark runs Sentra beside its
//! anchor in one run and writes its section of `docs/benchmarks.md` with the ratios.
//!
//! - [`proxy`]: the shaping proxy (rate, delay, loss, handshake cost, cuts) for a poor link;
//! - [`server`]: the real `sentra-server` as a child process, and its accounts;
//! - [`device`]: a phone as the benchmarks drive it (the real store, engine and transport);
//! - one module per benchmark: [`photo`], [`sync`], [`upload`], [`load`], [`store`],
//!   [`footprint`];
//! - [`measure`] (child processes, peak RSS, percentiles, machine facts) and [`report`] (the
//!   document's sections).

pub mod device;
pub mod error;
pub mod footprint;
pub mod load;
pub mod measure;
pub mod photo;
pub mod proxy;
pub mod report;
pub mod server;
pub mod store;
pub mod sync;
pub mod sync_trace;
pub mod upload;
