//! Push batches applied in the device's order when several are on their way at once.
//!
//! A device that sends its next batch before the last is answered names, in
//! [`wire::PUSH_AFTER_HEADER`], the last entry before the batch. The batch waits here until
//! that entry has an answer (applied, duplicate or rejected: the device's earlier batch has been
//! written), so a variant is never applied before the product it belongs to, and the feed keeps
//! the device's order for every puller. The wait is woken by each push this server answers and
//! looks again every [`LOOK_AGAIN`] for pushes written by another server on the same database.
//! A batch whose predecessor does not arrive within [`MAX_WAIT`] (its connection was cut and
//! the device has not sent it again yet) is answered `push_waiting`, a 503 the device retries.
//!
//! A pull may wait here too: one that names the last entry of a push still on its way
//! ([`wire::PULL_AFTER_PUSH_HEADER`]) is computed only once that entry has an answer, so it
//! sees what the push changed (a scope it grew) while its request travelled with the push.

use crate::error::ApiError;
use crate::{AppState, blocking, internal};
use axum::http::HeaderMap;
use sentra_core::Id;
use sentra_core::sync::wire;
use std::time::Duration;

/// How long a batch waits for the one before it.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// How often a waiting batch looks at the store without being woken.
pub const LOOK_AGAIN: Duration = Duration::from_millis(250);

/// The entry a push names in [`wire::PUSH_AFTER_HEADER`], if it names one.
pub(crate) fn after(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    entry_named(headers, wire::PUSH_AFTER_HEADER)
}

/// The entry a pull names in [`wire::PULL_AFTER_PUSH_HEADER`], if it names one.
pub(crate) fn pull_after(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    entry_named(headers, wire::PULL_AFTER_PUSH_HEADER)
}

/// A device's sequence number in the header `name`: absent, or a bad body when unreadable.
fn entry_named(headers: &HeaderMap, name: &str) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|seq| *seq >= 0)
        .map(Some)
        .ok_or(ApiError::BadBody)
}

/// Waits until `device`'s entry `after` has an answer.
pub(crate) async fn wait_for(state: &AppState, device: Id, after: i64) -> Result<(), ApiError> {
    let deadline = tokio::time::Instant::now() + MAX_WAIT;
    loop {
        // Registered before looking, so an answer written between the look and the wait wakes it.
        let woken = state.pushes_answered.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let store = state.store.clone();
        if blocking(move || store.answered(device, after).map_err(internal)).await? {
            return Ok(());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(ApiError::PushWaiting);
        }
        let _ = tokio::time::timeout(LOOK_AGAIN.min(deadline - now), woken).await;
    }
}
