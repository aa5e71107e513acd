//! The push and pull algorithms, written once over the few primitives each backend provides,
//! so SQLite and PostgreSQL behave the same by construction (and the conformance suite checks
//! it).

use super::StoreResult;
use crate::accounts::Account;
use crate::scope::{self, Index, Visible};
use sentra_core::Id;
use sentra_core::sync::wire::{Change, EntryResult, Outcome, PullResponse, PushEntry};

/// What a backend does inside one transaction.
pub trait Primitives: Index {
    /// The stored answer for (device, seq), if that entry was seen.
    fn applied(&mut self, device: Id, seq: i64) -> StoreResult<Option<String>>;
    /// Stores the answer for (device, seq).
    fn record_applied(&mut self, device: Id, seq: i64, outcome: &str) -> StoreResult<()>;
    /// Appends a change to the feed, with the device it came from.
    fn append_feed(&mut self, owner: Option<Id>, origin: Id, change: &str) -> StoreResult<()>;
    /// Records which producer a thing belongs to (first write wins).
    fn set_owner(&mut self, entity: &str, id: Id, producer: Id) -> StoreResult<()>;
    /// Records who registered a producer, and where it is (first write wins).
    fn set_registration(
        &mut self,
        producer: Id,
        registered_by: &str,
        region: &str,
    ) -> StoreResult<()>;
    /// Records a producer's new region.
    fn set_region(&mut self, producer: Id, region: &str) -> StoreResult<()>;
    /// Creates a producer's account from an activation PIN hash set offline by a facilitator,
    /// unless the login is taken.
    fn create_producer_account(
        &mut self,
        login: &str,
        secret_hash: &str,
        producer: Id,
    ) -> StoreResult<()>;
    /// Records a membership (`admin`: an admin's user id rather than a member producer).
    fn add_membership(&mut self, organisation: Id, member: Id, admin: bool) -> StoreResult<()>;
}

/// Applies one pushed entry inside the backend's transaction and returns its answer. A resent
/// entry gets the answer it got the first time (`applied` becomes `duplicate`).
pub fn push_entry(
    tx: &mut dyn Primitives,
    account: &Account,
    device: Id,
    entry: &PushEntry,
    now: i64,
) -> StoreResult<Outcome> {
    if let Some(raw) = tx.applied(device, entry.seq)? {
        return Ok(match serde_json::from_str::<Outcome>(&raw)? {
            Outcome::Applied => Outcome::Duplicate,
            other => other,
        });
    }
    let ahead = entry.change.hlc.millis.saturating_sub(now);
    let outcome = match scope::authorise(tx, account, &entry.change) {
        // A phone's clock far in the future would make its edits win for months.
        Ok(_) if ahead > MAX_CLOCK_AHEAD_MS => Outcome::Rejected {
            code: "clock_ahead".to_owned(),
            reason: "the change is stamped too far in the future; set the phone's date".to_owned(),
        },
        Ok(owner) => {
            index(tx, &entry.change, owner)?;
            let mut change = entry.change.clone();
            activate(tx, &mut change)?;
            tx.append_feed(owner, device, &serde_json::to_string(&change)?)?;
            Outcome::Applied
        }
        Err(scope::Refusal::Storage(err)) => return Err(err),
        Err(refusal) => Outcome::Rejected {
            code: refusal.code().to_owned(),
            reason: refusal.to_string(),
        },
    };
    tx.record_applied(device, entry.seq, &serde_json::to_string(&outcome)?)?;
    Ok(outcome)
}

/// A producer registered by a facilitator with an activation PIN gets an account (login: their
/// phone), so they can sign in on their own phone. The PIN's hash never goes into the feed.
fn activate(tx: &mut dyn Primitives, change: &mut Change) -> StoreResult<()> {
    let Some(hash) = change.fields.remove("activation_pin_hash") else {
        return Ok(());
    };
    let registered_by_facilitator = change
        .fields
        .get("registered_by")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|by| by != "self");
    let phone = change
        .fields
        .get("phone")
        .and_then(serde_json::Value::as_str);
    if let (true, Some(hash), Some(phone)) = (registered_by_facilitator, hash.as_str(), phone)
        && change.entity == "producer"
        && change.op == "create"
        && hash.starts_with("$argon2id$")
    {
        tx.create_producer_account(phone, hash, change.id)?;
    }
    Ok(())
}

fn index(tx: &mut dyn Primitives, change: &Change, owner: Option<Id>) -> StoreResult<()> {
    let text = |key: &str| change.fields.get(key).and_then(serde_json::Value::as_str);
    if let Some(owner) = owner {
        tx.set_owner(&change.entity, change.id, owner)?;
    }
    match (change.entity.as_str(), change.op.as_str()) {
        ("producer", "create") => {
            tx.set_registration(
                change.id,
                text("registered_by").unwrap_or("self"),
                text("region_code").unwrap_or(""),
            )?;
        }
        ("producer", "update") => {
            if let Some(region) = text("region_code") {
                tx.set_region(change.id, region)?;
            }
        }
        ("organisation_member", "append") => {
            if let Some(member) = text("producer_id").and_then(|s| s.parse().ok()) {
                tx.add_membership(change.id, member, false)?;
            }
        }
        ("organisation_admin", "append") => {
            if let Some(admin) = text("user_id").and_then(|s| s.parse().ok()) {
                tx.add_membership(change.id, admin, true)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// How far in the future a pushed change may be stamped: a day covers time zones and drift.
pub const MAX_CLOCK_AHEAD_MS: i64 = 24 * 3_600_000;

/// The stretch of the feed a pull covers.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Rows after this sequence number.
    pub start: i64,
    /// The last sequence number in the feed now.
    pub last: i64,
    /// The cursor was not one this server gave: the page starts the scope again.
    pub reset: bool,
}

/// Where a pull starts: after the cursor, or from the beginning (with `reset`) when the
/// cursor is not one this server gave.
pub fn start_of(cursor: Option<&str>, last: i64) -> Window {
    let (start, reset) =
        match cursor.map(|c| c.parse::<i64>().ok().filter(|n| (0..=last).contains(n))) {
            None => (0, false),
            Some(Some(n)) => (n, false),
            Some(None) => (0, true),
        };
    Window { start, last, reset }
}

/// Builds a page from feed rows after `start` (in order), keeping the ones visible to the
/// account and not pushed by this very device, until about `max_bytes`; the cursor moves past
/// the others too.
pub fn page(
    rows: impl IntoIterator<Item = (i64, Option<Id>, Id, String)>,
    device: Id,
    visible: &Visible,
    window: Window,
    max_bytes: usize,
    now: i64,
) -> StoreResult<PullResponse> {
    let Window { start, last, reset } = window;
    let mut changes = Vec::new();
    let mut bytes = 0;
    let mut next = start;
    for (seq, owner, origin, raw) in rows {
        if bytes >= max_bytes {
            break;
        }
        next = seq;
        // A device already holds what it pushed itself: no echo.
        if origin != device && visible.allows(owner) {
            bytes += raw.len();
            changes.push(serde_json::from_str(&raw)?);
        }
    }
    Ok(PullResponse {
        server_time_ms: now,
        changes,
        next_cursor: next.to_string(),
        more: next < last,
        reset,
    })
}

/// The most feed rows one pull reads (visible or not) before it answers.
pub const FEED_SCAN: i64 = 20_000;

/// Convenience for a backend's `push`: every entry through [`push_entry`], each committed on
/// its own by `in_tx`.
pub fn push_all(
    entries: &[PushEntry],
    mut in_tx: impl FnMut(&PushEntry) -> StoreResult<Outcome>,
) -> StoreResult<Vec<EntryResult>> {
    entries
        .iter()
        .map(|entry| {
            Ok(EntryResult {
                seq: entry.seq,
                outcome: in_tx(entry)?,
            })
        })
        .collect()
}
