//! The push and pull algorithms, written once over the few primitives each backend provides,
//! so SQLite and PostgreSQL behave the same by construction (and the conformance suite checks
//! it).

use super::{Store, StoreResult};
use crate::accounts::Account;
use crate::scope::{self, Index, Visible};
use sentra_core::Id;
use sentra_core::sync::wire::{
    Change, EntryResult, FieldProblem, Outcome, PullResponse, PushEntry,
};

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
    /// Ends a producer's membership of an organisation (nothing when there is none).
    fn remove_membership(&mut self, organisation: Id, member: Id) -> StoreResult<()>;
    /// Records who created an organisation (first write wins).
    fn add_organisation(&mut self, organisation: Id, creator: Id) -> StoreResult<()>;
    /// Which of `owners` own a feed row at or before `seq`.
    fn owners_before(&mut self, owners: &[Id], seq: i64) -> StoreResult<Vec<Id>>;
    /// The sequence number of the feed's last row (0 when empty).
    fn feed_last(&mut self) -> StoreResult<i64>;
    /// Up to `limit` feed rows with `after < seq <= last`, in order: every row (`owners` is
    /// `None`), or only those owned by one of `owners` or by no one. A backend reads these through
    /// the `(owner, seq)` index, so a pull costs what its scope holds, not what the feed holds.
    fn feed_after(
        &mut self,
        after: i64,
        last: i64,
        owners: Option<&[Id]>,
        limit: i64,
    ) -> StoreResult<Vec<FeedRow>>;
}

/// One feed row: its sequence number, the producer it belongs to, the device that pushed it,
/// and the change as JSON.
pub type FeedRow = (i64, Option<Id>, Id, String);

/// Applies one pushed entry inside the backend's transaction and returns its answer. A resent
/// entry gets the answer it got the first time (`applied` becomes `duplicate`).
pub fn push_entry(
    tx: &mut dyn Primitives,
    account: &Account,
    device: Id,
    prepared: &Prepared,
    now: i64,
) -> StoreResult<Outcome> {
    let entry = &prepared.entry;
    if let Some(raw) = tx.applied(device, entry.seq)? {
        return Ok(match serde_json::from_str::<Outcome>(&raw)? {
            Outcome::Applied => Outcome::Duplicate,
            other => other,
        });
    }
    let ahead = entry.change.hlc.millis.saturating_sub(now);
    // The same rules a local write passes, before anything else: a change no phone's own
    // write could have made is refused with the fields it broke.
    let outcome = if let Some(broken) = &prepared.broken {
        broken.clone()
    } else {
        match scope::authorise(tx, account, &entry.change) {
            // A phone's clock far in the future would make its edits win for months.
            Ok(_) if ahead > MAX_CLOCK_AHEAD_MS => Outcome::Rejected {
                code: "clock_ahead".to_owned(),
                reason: "the change is stamped too far in the future; set the phone's date"
                    .to_owned(),
                fields: Vec::new(),
            },
            Ok(owner) => {
                activate(tx, account, prepared)?;
                index(tx, account, &entry.change, owner)?;
                tx.append_feed(owner, device, &prepared.feed)?;
                Outcome::Applied
            }
            Err(scope::Refusal::Storage(err)) => return Err(err),
            Err(refusal) => Outcome::Rejected {
                code: refusal.code().to_owned(),
                reason: refusal.to_string(),
                fields: Vec::new(),
            },
        }
    };
    tx.record_applied(device, entry.seq, &serde_json::to_string(&outcome)?)?;
    Ok(outcome)
}

/// One pushed entry with the work that needs no transaction done beforehand, on the request's
/// own thread: the writer, which a whole group of pushes waits on, then spends its time on the
/// database only. Nothing here depends on what is stored, so the answer is the same as if it
/// were worked out inside the transaction.
pub struct Prepared {
    /// The entry as pushed (an activation PIN's hash included).
    pub entry: PushEntry,
    /// The answer when it breaks the rules a local write keeps (`validation`).
    broken: Option<Outcome>,
    /// The activation PIN's hash it carried, if any.
    pin_hash: Option<serde_json::Value>,
    /// The change as the feed stores it, as JSON: without an activation PIN's hash.
    feed: String,
}

impl Prepared {
    /// Checks `entry` against the rules and writes its feed row's JSON. The entry is kept as
    /// it came, not copied: the server reads thousands a second, and each copy of a change is a
    /// map of strings to allocate and free.
    pub fn new(entry: PushEntry) -> StoreResult<Self> {
        let broken = sentra_core::sync::rules::check(&entry.change)
            .err()
            .map(|err| invalid(&err));
        let pin_hash = entry.change.fields.get(PIN_HASH).cloned();
        let feed = if pin_hash.is_some() {
            let mut stripped = entry.change.clone();
            stripped.fields.remove(PIN_HASH);
            serde_json::to_string(&stripped)?
        } else {
            serde_json::to_string(&entry.change)?
        };
        Ok(Prepared {
            entry,
            broken,
            pin_hash,
            feed,
        })
    }
}

/// The field a facilitator's registration of a producer carries the producer's activation PIN's
/// hash in: it makes the producer's account and never goes into the feed.
const PIN_HASH: &str = "activation_pin_hash";

/// The answer to a change that broke the rules: `validation`, with each field.
fn invalid(err: &sentra_core::Error) -> Outcome {
    let fields: Vec<FieldProblem> = err.fields().iter().map(FieldProblem::from).collect();
    let broken: Vec<String> = fields
        .iter()
        .map(|f| format!("{} {}", f.field, f.rule))
        .collect();
    Outcome::Rejected {
        code: "validation".to_owned(),
        reason: format!(
            "the change breaks the rules a phone keeps: {}",
            broken.join(", ")
        ),
        fields,
    }
}

/// A producer registered by a facilitator with an activation PIN gets an account (login: their
/// phone), so they can sign in on their own phone. The PIN's hash never goes into the feed.
/// [`scope::authorise`] has already checked who may carry one (the facilitator registering the
/// producer now, or an admin) and that the server made it with its own parameters.
fn activate(tx: &mut dyn Primitives, account: &Account, prepared: &Prepared) -> StoreResult<()> {
    let Some(hash) = &prepared.pin_hash else {
        return Ok(());
    };
    let change = &prepared.entry.change;
    let phone = change
        .fields
        .get("phone")
        .and_then(serde_json::Value::as_str);
    if let (Some(hash), Some(phone)) = (hash.as_str(), phone)
        && scope::may_activate(account, change)
    {
        tx.create_producer_account(phone, hash, change.id)?;
    }
    Ok(())
}

fn index(
    tx: &mut dyn Primitives,
    account: &Account,
    change: &Change,
    owner: Option<Id>,
) -> StoreResult<()> {
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
        ("organisation", "create") => tx.add_organisation(change.id, account.user_id)?,
        ("organisation_member", "append") => {
            if let Some(member) = text("producer_id").and_then(|s| s.parse().ok()) {
                tx.add_membership(change.id, member, false)?;
            }
        }
        ("organisation_member", "remove") => {
            if let Some(member) = text("producer_id").and_then(|s| s.parse().ok()) {
                tx.remove_membership(change.id, member)?;
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
    /// The cursor was not one this server gave, or was given under another scope: the page
    /// starts the scope again.
    pub reset: bool,
    /// The page starts the feed over (no cursor, or `reset`): it names the scope.
    pub from_start: bool,
}

/// Where a pull starts: after the cursor, or from the beginning (with `reset`) when the
/// cursor is not one this server gave or was given under another scope than `scope` (the
/// fingerprint of the account's scope now, see [`fingerprint`]). A cursor is
/// `"<seq>.<fingerprint>"`; a plain number, from before cursors carried their scope, starts
/// over once, which back-fills whatever such a phone missed.
pub fn start_of(cursor: Option<&str>, last: i64, scope: &str) -> Window {
    let position = |c: &str| {
        let (seq, served) = c.split_once('.')?;
        let seq = seq.parse::<i64>().ok()?;
        ((0..=last).contains(&seq) && served == scope).then_some(seq)
    };
    let (start, reset) = match cursor.map(position) {
        None => (0, false),
        Some(Some(n)) => (n, false),
        Some(None) => (0, true),
    };
    Window {
        start,
        last,
        reset,
        from_start: cursor.is_none() || reset,
    }
}

/// The cursor's position, if the account's scope differs from the one the cursor was served
/// under only by producers with no feed row at or before it.
fn grown_by_new_producers_only(
    tx: &mut dyn Primitives,
    cursor: Option<&str>,
    visible: &Visible,
    last: i64,
) -> StoreResult<Option<i64>> {
    let (Some((seq, served)), Visible::Producers(set)) =
        (cursor.and_then(|c| c.split_once('.')), visible)
    else {
        return Ok(None);
    };
    let Some(seq) = seq.parse::<i64>().ok().filter(|n| (0..=last).contains(n)) else {
        return Ok(None);
    };
    let owners: Vec<Id> = set.iter().copied().collect();
    let then: std::collections::HashSet<Id> = tx.owners_before(&owners, seq)?.into_iter().collect();
    Ok((fingerprint(&Visible::Producers(then)) == served).then_some(seq))
}

/// A short fingerprint of what an account sees: `all`, or a hash of its sorted producers.
/// When the account's scope grows or shrinks, its cursors stop matching.
pub fn fingerprint(visible: &Visible) -> String {
    match visible {
        Visible::All => "all".to_owned(),
        Visible::Producers(set) => {
            let mut ids: Vec<Id> = set.iter().copied().collect();
            ids.sort();
            let mut hasher = blake3::Hasher::new();
            for id in ids {
                hasher.update(id.to_string().as_bytes());
            }
            hasher.finalize().to_hex()[..16].to_owned()
        }
    }
}

/// What a pull asks for: the page after `cursor`, up to about `max_bytes`; with `until` (a
/// cursor this server gave under the same scope), only the feed up to it; with `ahead` > 0 and
/// no `until`, also up to that many cursors that cut the rest of the feed into ranges of a
/// little under a page each, which the device may then ask for at once (see
/// `sentra_core::sync::pull`).
#[derive(Debug, Clone, Copy)]
pub struct PullAsk<'a> {
    /// Where the last page ended.
    pub cursor: Option<&'a str>,
    /// Where this page must stop at the latest.
    pub until: Option<&'a str>,
    /// How many cursors ahead the device would take.
    pub ahead: usize,
    /// A page stops after about this many bytes of changes.
    pub max_bytes: usize,
}

/// The most cursors ahead one page names.
pub const MAX_AHEAD: usize = 64;

/// A page of the changes in the account's scope after the cursor, up to about `max_bytes`,
/// leaving out what this very device pushed (it holds that already: no echo), within a range
/// and with cursors ahead when asked (see [`PullAsk`]): the page, and the cursors ahead (empty
/// unless asked for and more waits). Runs inside the backend's read transaction. A page that stops at `until` still says `more`
/// when the feed goes on past it, so the device knows a later range is not the last page.
pub fn pull_ranged(
    tx: &mut dyn Primitives,
    account: &Account,
    device: Id,
    asked: &PullAsk<'_>,
    now: i64,
) -> StoreResult<(PullResponse, Vec<String>)> {
    let PullAsk {
        cursor, max_bytes, ..
    } = *asked;
    // The feed's last row before the scope: every row the page may serve committed before the
    // account's rights were read, so a backend whose statements each see the latest commits
    // (PostgreSQL's pulls) never serves a row written after the rights it is served under.
    let last = tx.feed_last()?;
    let visible = scope::visible(tx, account)?;
    let served = fingerprint(&visible);
    let mut window = start_of(cursor, last, &served);
    // A scope that only gained producers who had nothing in the feed when the cursor was given
    // (a facilitator's new registrations) needs no re-pull: their rows all lie ahead.
    let mut rescoped = false;
    if window.reset
        && let Some(seq) = grown_by_new_producers_only(tx, cursor, &visible, last)?
    {
        window = Window {
            start: seq,
            last,
            reset: false,
            from_start: false,
        };
        rescoped = true;
    }
    let Window { start, .. } = window;
    // A range ends at its `until`, when that is a cursor of this scope past the start (a page
    // that starts over ignores it: the device drops such a page and pulls from the start).
    let until = asked
        .until
        .filter(|_| !window.reset)
        .map(|c| start_of(Some(c), last, &served))
        .and_then(|w| (!w.reset).then_some(w.start))
        .filter(|seq| *seq > start);
    let bound = until.map_or(last, |until| until.min(last));
    let owners: Option<Vec<Id>> = match &visible {
        Visible::All => None,
        Visible::Producers(set) => Some(set.iter().copied().collect()),
    };
    // A page that starts the feed over names the producers in scope, so the device can drop
    // those that left it (see `sentra_core::sync::scope`).
    let page = Page {
        window,
        served: &served,
        scope: match (&owners, window.from_start || rescoped) {
            (Some(owners), true) => Some(owners.clone()),
            _ => None,
        },
        now,
    };
    let mut changes = Vec::new();
    let mut bytes = 0;
    let mut next = start;
    let mut read = 0;
    let end = 'page: loop {
        let rows = tx.feed_after(next, bound, owners.as_deref(), FEED_CHUNK)?;
        let exhausted = (rows.len() as i64) < FEED_CHUNK;
        read += rows.len() as i64;
        for (seq, owner, origin, raw) in rows {
            if bytes >= max_bytes {
                break 'page next;
            }
            next = seq;
            if origin != device && visible.allows(owner) {
                bytes += raw.len();
                changes.push(serde_json::from_str(&raw)?);
            }
        }
        if exhausted {
            // Every row in scope up to the bound has been read: the cursor skips the rest.
            break bound;
        }
        if bytes >= max_bytes || read >= FEED_SCAN {
            break next;
        }
    };
    let ahead = if until.is_none() && asked.ahead > 0 && end < last {
        range_starts(end - start, last - end, asked.ahead.min(MAX_AHEAD))
            .map(|len| end.saturating_add(len))
            .map(|seq| format!("{seq}.{served}"))
            .collect()
    } else {
        Vec::new()
    };
    Ok((page.answer(changes, end), ahead))
}

/// Where the ranges after a page of `page` feed rows start, counted from its end, when `rest`
/// rows follow it and at most `most` cursors may be named. A range is a sixteenth shorter than
/// the page, so that it comes back in one page even if its rows weigh a little more than the
/// page's did; when the rest needs no more ranges than that, it is cut evenly into as few as
/// will do, so that no short range trails behind (the last range, from the last cursor on, has
/// no bound). With more rest than `most` cursors cover, the last range goes on to the feed's end
/// and names cursors ahead of its own.
fn range_starts(page: i64, rest: i64, most: usize) -> impl Iterator<Item = i64> {
    // `a ÷ b` rounded up, for a ≥ 0 and b > 0 (`i64::div_ceil` is not stable).
    let up = |a: i64, b: i64| (a + b - 1) / b;
    let page = page.max(1);
    let longest = (page - page / 16).max(1);
    let rest = rest.max(0);
    let ranges = up(rest, longest).max(1);
    let cursors = (ranges - 1).min(most as i64);
    let step = if cursors == ranges - 1 {
        up(rest, ranges)
    } else {
        longest
    };
    (1..=cursors).map(move |i| step.saturating_mul(i))
}

/// What every page of one pull shares.
struct Page<'a> {
    window: Window,
    served: &'a str,
    scope: Option<Vec<Id>>,
    now: i64,
}

impl Page<'_> {
    fn answer(self, changes: Vec<Change>, next: i64) -> PullResponse {
        PullResponse {
            server_time_ms: self.now,
            changes,
            next_cursor: format!("{next}.{}", self.served),
            more: next < self.window.last,
            reset: self.window.reset,
            scope: self.scope,
        }
    }
}

/// Feed rows one query of a pull reads.
const FEED_CHUNK: i64 = 1_000;

/// The most feed rows one pull reads (visible or not) before it answers.
pub const FEED_SCAN: i64 = 20_000;

/// One request's pushed entries, waiting to be written with others ([`super::group`]).
pub struct PushJob {
    /// Who pushed them.
    pub account: Account,
    /// From which device.
    pub device: Id,
    /// The entries, in order, each checked against the rules already.
    pub entries: Vec<Prepared>,
    /// The server's clock when they arrived.
    pub now: i64,
}

impl PushJob {
    /// A job for one push request, its entries prepared ([`Prepared`]) on the caller's thread.
    pub fn new(
        account: &Account,
        device: Id,
        entries: Vec<PushEntry>,
        now: i64,
    ) -> StoreResult<Self> {
        Ok(PushJob {
            account: account.clone(),
            device,
            entries: entries
                .into_iter()
                .map(Prepared::new)
                .collect::<StoreResult<_>>()?,
            now,
        })
    }
}

/// The answer to one push request.
pub type PushAnswer = StoreResult<Vec<EntryResult>>;

/// Writes a group of push requests in one transaction (one answer per job). If that fails, each
/// request is written again alone, so one request's failure (a full disk, a broken row) fails
/// that request only, and a request that lost a race to another server on the same database
/// (two producers' first pushes of the same id, each group seeing no owner yet: the loser's
/// `owners` row breaks the table's key) is answered from what that server committed.
pub fn write_group(store: &dyn Store, jobs: Vec<PushJob>) -> Vec<PushAnswer> {
    match store.write_pushes(&jobs) {
        Ok(answers) => answers.into_iter().map(Ok).collect(),
        Err(_) => jobs
            .iter()
            .map(|job| {
                store
                    .write_pushes(std::slice::from_ref(job))
                    .and_then(|mut one| one.pop().ok_or_else(|| "no answer for a push".into()))
            })
            .collect(),
    }
}

/// Applies a group of push requests inside the backend's transaction: every entry of each
/// through [`push_entry`], one answer per request, in order.
pub fn push_jobs(tx: &mut dyn Primitives, jobs: &[PushJob]) -> StoreResult<Vec<Vec<EntryResult>>> {
    jobs.iter()
        .map(|job| {
            job.entries
                .iter()
                .map(|prepared| {
                    Ok(EntryResult {
                        seq: prepared.entry.seq,
                        outcome: push_entry(tx, &job.account, job.device, prepared, job.now)?,
                    })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::range_starts;

    #[test]
    fn the_rest_of_the_feed_is_cut_evenly_into_ranges_a_sixteenth_shorter_than_the_page() {
        let starts = |page, rest, most| range_starts(page, rest, most).collect::<Vec<i64>>();
        // 2.3 pages after a page of 1,600 rows: ranges of at most 1,500 rows, so three, even.
        assert_eq!(starts(1_600, 3_680, 64), vec![1_227, 2_454]);
        // Less than a range: the rest is one unbounded range.
        assert_eq!(starts(1_600, 1_500, 64), Vec::<i64>::new());
        assert_eq!(starts(1_600, 1_501, 64), vec![751]);
        // More rest than the cursors allowed cover: full-length ranges, the last unbounded.
        assert_eq!(starts(160, 10_000, 3), vec![150, 300, 450]);
        // A page of one row still moves on.
        assert_eq!(starts(0, 3, 64), vec![1, 2]);
        for (page, rest) in [(17, 1_000), (1_000, 17), (333, 334), (5, 6)] {
            let cut = starts(page, rest, 64);
            assert!(cut.windows(2).all(|w| w[0] < w[1]), "{cut:?}");
            assert!(cut.iter().all(|s| 0 < *s && *s < rest), "{cut:?}");
            let longest = (page - page / 16).max(1);
            let mut bounds = vec![0];
            bounds.extend(&cut);
            bounds.push(rest);
            assert!(
                bounds.windows(2).all(|w| w[1] - w[0] <= longest),
                "each range a sixteenth shorter than the page: {bounds:?}"
            );
        }
    }
}
