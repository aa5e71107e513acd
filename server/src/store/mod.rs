//! Storage behind a trait, so the same server runs on embedded SQLite and, later, PostgreSQL.
//! Calls are blocking; handlers run them on tokio's blocking pool, and write pushes in groups
//! ([`Group`]).

mod group;
mod logic;
mod postgres;
mod readers;
mod sqlite;

pub use group::{Group, Unanswered};
pub use logic::{PullAsk, PushAnswer, PushJob, write_group};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use crate::accounts::Account;
use crate::limits::{AttemptKey, Failures, RateLimit};
use sentra_core::sync::wire::{EntryResult, PullResponse, PushEntry};
use sentra_core::{Id, Role};

/// A storage failure (the cause is logged by the caller, never sent to a client).
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;
/// The result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// What the store keeps to check a sign-in: the account and its secret's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account.
    pub account: Account,
    /// Its secret's argon2id PHC string.
    pub secret_hash: String,
}

/// A live token's account and the device it was issued to.
pub type Session = (Account, Id);

/// The server's storage.
pub trait Store: Send + Sync + 'static {
    /// Creates an account with an already-hashed secret; `None` when the login is taken.
    fn create_account(
        &self,
        login: &str,
        secret_hash: &str,
        role: Role,
        producer_id: Option<Id>,
    ) -> StoreResult<Option<Account>>;
    /// The account behind a login and its secret's hash, read without taking the writer (the
    /// caller verifies the secret outside any lock or transaction).
    fn credentials(&self, login: &str) -> StoreResult<Option<Credentials>>;
    /// The recorded sign-in failures that concern an attempt, other than its own row
    /// (`attempt`): by device, address and address-and-login since `since`, by login since
    /// `lock_since`. Rows of attempts still being verified count.
    fn failures(
        &self,
        key: &AttemptKey,
        attempt: Id,
        since: i64,
        lock_since: i64,
    ) -> StoreResult<Failures>;
    /// Records an attempt as failed at `now` (until it proves right), and forgets failures from
    /// before `forget_before`.
    fn record_failure(
        &self,
        key: &AttemptKey,
        attempt: Id,
        now: i64,
        forget_before: i64,
    ) -> StoreResult<()>;
    /// Takes back an attempt's row (it was refused unchecked, so it failed nothing).
    fn withdraw_failure(&self, attempt: Id) -> StoreResult<()>;
    /// After a successful sign-in, forgets the failures for its login from its device and from
    /// its address (the owner's own typos, and the attempt's own row); failures from elsewhere
    /// still count.
    fn forget_failures(&self, key: &AttemptKey) -> StoreResult<()>;
    /// Records a token (by hash) for a user on a device.
    fn issue_token(&self, user: Id, device: Id, token_hash: &[u8], now: i64) -> StoreResult<()>;
    /// Assigns a facilitator to a region (a Kemendagri code prefix: province, regency, …).
    fn assign_region(&self, facilitator: Id, region: &str) -> StoreResult<()>;
    /// The user id behind a login.
    fn user_by_login(&self, login: &str) -> StoreResult<Option<Id>>;
    /// Revokes a token.
    fn revoke_token(&self, token_hash: &[u8]) -> StoreResult<()>;
    /// The account and device a live token belongs to.
    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<(Account, Id)>>;
    /// Writes push requests in one transaction: every entry of each on its own and atomically,
    /// idempotently by (device, seq); one answer per job, in order. The API writes its pushes
    /// in groups ([`group`], [`logic::write_group`]).
    fn write_pushes(&self, jobs: &[PushJob]) -> StoreResult<Vec<Vec<EntryResult>>>;
    /// Applies one request's pushed entries in a transaction of its own (see
    /// [`Store::write_pushes`]).
    fn push(
        &self,
        account: &Account,
        device: Id,
        entries: &[PushEntry],
        now: i64,
    ) -> StoreResult<Vec<EntryResult>> {
        let job = PushJob::new(account, device, entries.to_vec(), now)?;
        self.write_pushes(std::slice::from_ref(&job))?
            .pop()
            .ok_or_else(|| "no answer for a push".into())
    }
    /// Whether the entry (device, seq) has an answer (applied, duplicate or rejected), as
    /// committed by any server on this database.
    fn answered(&self, device: Id, seq: i64) -> StoreResult<bool>;
    /// Keeps a bulk request (a resent one with the same id changes nothing).
    fn save_bulk(&self, bulk: &StoredBulk) -> StoreResult<()>;
    /// The bulk request with this code.
    fn bulk_by_code(&self, code: &str) -> StoreResult<Option<StoredBulk>>;
    /// A cooperative's bulk requests, newest first.
    fn bulks_of(&self, organisation: Id) -> StoreResult<Vec<StoredBulk>>;
    /// Records that an order is one member's allocation of a bulk request.
    fn add_allocation(&self, bulk: Id, order: Id) -> StoreResult<()>;
    /// The orders a bulk request was split into.
    fn allocations(&self, bulk: Id) -> StoreResult<Vec<Id>>;
    /// Whether this backend keeps its own full-text index of listed products (PostgreSQL);
    /// otherwise the storefront searches the replica's FTS5 index.
    fn has_search(&self) -> bool {
        false
    }
    /// Whether this server is the one that writes the shared full-text index. Several
    /// servers may share the database; one of them is elected, and keeps the duty until its
    /// connection ends, when another takes it over on its next look (every few seconds).
    fn writes_search(&self) -> StoreResult<bool> {
        Ok(false)
    }
    /// Brings the full-text index up to date: each listed product's text is (re)indexed, the
    /// others are removed. With `complete`, `docs` are every product there is (a server that
    /// has just taken over the index), and any product not among them is removed as well.
    fn index_products(&self, _docs: &[SearchDoc], _complete: bool) -> StoreResult<()> {
        Ok(())
    }
    /// Listed products matching every word (as a prefix), best first, at most `limit`.
    fn search_products(&self, _words: &[String], _limit: usize) -> StoreResult<Vec<Id>> {
        Ok(Vec::new())
    }
    /// A page of the changes in the account's scope after `cursor`, bounded by bytes.
    fn pull(
        &self,
        account: &Account,
        device: Id,
        cursor: Option<&str>,
        max_bytes: usize,
        now: i64,
    ) -> StoreResult<PullResponse> {
        let asked = PullAsk {
            cursor,
            until: None,
            ahead: 0,
            max_bytes,
        };
        Ok(self.pull_ranged(account, device, &asked, now)?.0)
    }
    /// A page as [`Store::pull`], within a range and with cursors ahead when asked
    /// ([`PullAsk`]).
    fn pull_ranged(
        &self,
        account: &Account,
        device: Id,
        asked: &PullAsk<'_>,
        now: i64,
    ) -> StoreResult<(PullResponse, Vec<String>)>;
    /// The producers whose data the account sees (the same scope as its pulls).
    fn visible(&self, account: &Account) -> StoreResult<crate::scope::Visible>;

    // Orders from anonymous buyers: limits and request keys (kept in the database, so they
    // hold across several servers; see `crate::orders`).

    /// Adds `add` (0 only reads) to the counter `key` in its current window of `window_ms`,
    /// starting a new window when the last one has ended; the count and when it ends.
    fn order_throttle(
        &self,
        key: &str,
        window_ms: i64,
        add: i64,
        now: i64,
    ) -> StoreResult<ThrottleWindow>;
    /// The hash of the order request an order request key was first used for, if any.
    fn order_request_hash(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Binds a request key to the hash of its request unless it is bound already; the hash
    /// it is bound to.
    fn bind_order_request(&self, key: &str, body_hash: &[u8], now: i64) -> StoreResult<Vec<u8>>;

    /// Takes one request from the bucket of the token hashed `token_hash`, kept in the
    /// database so that a token's limit holds across every server sharing it, and looks up the
    /// token's session in the same round trip: whether the request may go on, with the
    /// session (`None`: no live token); `None` when this backend keeps no buckets (embedded
    /// SQLite has one server, whose buckets in memory count, checked before the store is asked
    /// for the session at all).
    fn take_request_and_session(
        &self,
        _token_hash: &[u8],
        _limit: RateLimit,
        _now: i64,
    ) -> StoreResult<Option<(bool, Option<Session>)>> {
        Ok(None)
    }

    /// Where photos are kept when this backend keeps them (PostgreSQL: every server on the
    /// database shares them); `None`: in the server's blob directory.
    fn blobs(&self) -> Option<std::sync::Arc<dyn crate::blobs::Blobs>> {
        None
    }

    /// Runs `work` while no other server on this database runs work under the same `name`
    /// (an order's request key, so two servers given one order at once make it once). With
    /// embedded SQLite there is only this server, whose callers serialise their own work.
    fn one_at_a_time(&self, _name: &str, work: &mut dyn FnMut()) -> StoreResult<()> {
        work();
        Ok(())
    }
}

/// A limit's counter in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleWindow {
    /// Attempts counted in the window so far.
    pub count: i64,
    /// When the window ends and the count starts again (Unix ms).
    pub ends_at: i64,
}

/// A buyer's bulk order or request for quotation to a cooperative, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBulk {
    /// Its id.
    pub id: Id,
    /// The code the buyer keeps (`KOP-…`).
    pub code: String,
    /// The cooperative or cluster asked.
    pub organisation: Id,
    /// The request itself, as JSON (see `crate::bulk::BulkRequest`).
    pub body: String,
    /// When it was made (Unix ms).
    pub created_at: i64,
}

/// A product's searchable text, as merged by the replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// The product.
    pub id: Id,
    /// Whether buyers may find it; an unlisted or deleted product is taken out of the index.
    pub listed: bool,
    /// Name (weighted highest), already folded (lower case, no diacritics).
    pub name: String,
    /// Category and description, folded.
    pub body: String,
}

/// Text as the search indexes compare it: lower case, diacritics removed ("Gulä" → "gula").
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The stored code of a role.
pub(crate) fn role_code(role: Role) -> &'static str {
    match role {
        Role::Producer => "producer",
        Role::Facilitator => "facilitator",
        Role::CooperativeAdmin => "cooperative_admin",
        Role::Official => "official",
        Role::Admin => "admin",
    }
}

/// The role of a stored code; an unknown code gets the least rights.
pub(crate) fn parse_role(code: &str) -> Role {
    match code {
        "producer" => Role::Producer,
        "facilitator" => Role::Facilitator,
        "cooperative_admin" => Role::CooperativeAdmin,
        "admin" => Role::Admin,
        _ => Role::Official,
    }
}
