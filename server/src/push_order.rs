//! Push batches applied in the device's order when several are on their way at once.
//!
//! A device that sends its next batch before the last is answered names, in
//! [`wire::PUSH_AFTER_HEADER`], the last entry before the batch. The batch waits here until
//! that entry has an answer (applied, duplicate or rejected: the device's earlier batch has been
//! written), so a variant is never applied before the product it belongs to, and the feed keeps
//! the device's order for every puller. The wait is woken by each push of the same device this
//! server answers ([`Answered`]) and looks again every [`LOOK_AGAIN`] for pushes written by
//! another server on the same database.
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
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;

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
    let answers = state.pushes_answered.watch(device);
    loop {
        // Registered before looking, so an answer written between the look and the wait wakes it.
        let woken = answers.notified();
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

/// The devices with a request waiting here, each with what wakes its requests when this server
/// answers one of the device's pushes, and how many wait. One per device: with one for every
/// device, each answered push woke every waiting request, and each looked at the store again
/// (1,000 phones syncing at once, each with its pull held behind its push: a quarter more of
/// the server's CPU per entry).
#[derive(Default)]
pub struct Answered {
    waiting: Mutex<HashMap<Id, (Arc<Notify>, usize)>>,
}

impl Answered {
    /// Wakes the requests waiting on `device`'s pushes, if any.
    pub fn notify(&self, device: Id) {
        if let Some((notify, _)) = self.lock().get(&device) {
            notify.notify_waiters();
        }
    }

    /// What wakes a request waiting on `device`'s pushes, for as long as it is held.
    fn watch(&self, device: Id) -> Watch<'_> {
        let mut waiting = self.lock();
        let (notify, count) = waiting.entry(device).or_default();
        *count += 1;
        Watch {
            answered: self,
            device,
            notify: Arc::clone(notify),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Id, (Arc<Notify>, usize)>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A request's hold on its device's wake-ups; the last one to go forgets the device.
struct Watch<'a> {
    answered: &'a Answered,
    device: Id,
    notify: Arc<Notify>,
}

impl Watch<'_> {
    fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        let mut waiting = self.answered.lock();
        if let Some((_, count)) = waiting.get_mut(&self.device) {
            *count -= 1;
            if *count == 0 {
                waiting.remove(&self.device);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Answered;
    use sentra_core::Id;
    use std::time::Duration;

    #[tokio::test]
    async fn an_answer_wakes_only_the_requests_of_its_device_and_the_last_to_go_forgets_it() {
        let answered = Answered::default();
        let (mine, other) = (Id::new(), Id::new());
        let first = answered.watch(mine);
        let second = answered.watch(mine);
        {
            let woken = first.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            answered.notify(other);
            assert!(
                tokio::time::timeout(Duration::from_millis(20), woken.as_mut())
                    .await
                    .is_err(),
                "another device's answer woke the request"
            );
            answered.notify(mine);
            tokio::time::timeout(Duration::from_secs(5), woken)
                .await
                .expect("its own device's answer wakes it");
        }
        drop(first);
        assert_eq!(
            answered.lock().len(),
            1,
            "a request still waits on the device"
        );
        drop(second);
        assert!(
            answered.lock().is_empty(),
            "nobody waits: the device is forgotten"
        );
        answered.notify(mine);
        assert!(answered.lock().is_empty());
    }
}
