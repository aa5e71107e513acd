//! The methods of the [`Sentra`](crate::Sentra) handle, one `impl Sentra` block per part of the
//! app. Most are a line or two over the domain module of the same name (`catalogue`, `orders`,
//! `sync`, …), which holds the rules and the SQL; `account.rs` covers who is signed in and the
//! unlock PIN, and `recovery.rs` rebuilding a damaged file.

mod account;
mod catalogue;
mod orders;
mod organisations;
mod photos;
mod producers;
mod recovery;
mod reports;
mod sales;
mod selling;
mod stock;
mod sync;

pub use sync::{PendingCount, SyncStatus};
