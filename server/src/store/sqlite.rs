//! The embedded SQLite backend: one file, WAL, one writer behind a mutex (the server is one
//! process; SQLite takes one writer at a time anyway).

use super::group::Group;
use super::logic::{self, FeedRow, Primitives, PushAnswer, PushJob};
use super::readers::Readers;
use super::{Credentials, Store, StoreResult, StoredBulk, parse_role, role_code};
use crate::accounts::{Account, is_server_hash, oldest_live_token};
use crate::limits::{AttemptKey, Failures, Tally};
use crate::scope::Index;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use sentra_core::sync::wire::{EntryResult, PullResponse, PushEntry};
use sentra_core::{Id, Role};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Tables of the server's store.
const SCHEMA: &str = r#"
-- Users: producers sign in with their phone and PIN, staff with a name and password.
CREATE TABLE IF NOT EXISTS accounts (
    user_id       BLOB PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,     -- +62 phone for producers, a user name for staff
    secret_hash   TEXT NOT NULL,            -- argon2id PHC string
    role          TEXT NOT NULL,            -- producer | facilitator | cooperative_admin | official | admin
    producer_id   BLOB,                     -- a producer's own producer id
    failed        INTEGER NOT NULL DEFAULT 0, -- unused: failures are in login_failures
    locked_until  INTEGER NOT NULL DEFAULT 0  -- unused: locks follow from login_failures
) WITHOUT ROWID;

-- Failed sign-ins (wrong secret or unknown login) of the last hour, for throttling guessing by
-- device, by address and by login (see limits.rs). Older rows go as new ones come.
CREATE TABLE IF NOT EXISTS login_failures (
    attempt  BLOB NOT NULL,                 -- the attempt's own id (to take its row back)
    at       INTEGER NOT NULL,              -- Unix ms
    address  TEXT NOT NULL,                 -- client address (IPv6 by /64), or 'unknown'
    device   BLOB,                          -- the device id the app sent; NULL from a browser
    login    TEXT NOT NULL                  -- BLAKE3 of the login tried (real or not), hex
);
CREATE INDEX IF NOT EXISTS login_failures_by_device ON login_failures(device, at);
CREATE INDEX IF NOT EXISTS login_failures_by_address ON login_failures(address, login, at);
CREATE INDEX IF NOT EXISTS login_failures_by_login ON login_failures(login, at);
CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures(at);
CREATE INDEX IF NOT EXISTS login_failures_by_attempt ON login_failures(attempt);

-- Bearer tokens, stored as their BLAKE3 hash, each bound to one device.
CREATE TABLE IF NOT EXISTS tokens (
    hash        BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL,
    device_id   BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Every pushed entry's answer, so a resent entry gets the same answer and changes nothing.
CREATE TABLE IF NOT EXISTS applied (
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    outcome     TEXT NOT NULL,              -- JSON Outcome
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

-- The change feed that devices pull, in order; `owner` is the producer whose data it is
-- (NULL: visible to every signed-in device, such as organisations).
CREATE TABLE IF NOT EXISTS feed (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner       BLOB,
    origin      BLOB NOT NULL,              -- the device that pushed it
    change      TEXT NOT NULL               -- JSON Change
);
-- A pull reads only the owners in its scope.
CREATE INDEX IF NOT EXISTS feed_by_owner ON feed(owner, seq);

-- Which producer each synced thing belongs to, for authorising pushes.
CREATE TABLE IF NOT EXISTS owners (
    entity      TEXT NOT NULL,
    id          BLOB NOT NULL,
    producer    BLOB NOT NULL,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;

-- Who registered each producer (a facilitator's user id, or 'self'), and its region code.
CREATE TABLE IF NOT EXISTS registrations (
    producer       BLOB PRIMARY KEY,
    registered_by  TEXT NOT NULL,
    region         TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Regions (Kemendagri code prefixes) a facilitator is assigned to.
CREATE TABLE IF NOT EXISTS assignments (
    facilitator  BLOB NOT NULL,
    region       TEXT NOT NULL,
    PRIMARY KEY (facilitator, region)
) WITHOUT ROWID;

-- Buyers' bulk orders and requests for quotation to a cooperative (JSON body), and the member
-- orders each was split into.
CREATE TABLE IF NOT EXISTS bulk_requests (
    id            BLOB PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    organisation  BLOB NOT NULL,
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bulk_requests_by_organisation ON bulk_requests(organisation, created_at);
CREATE TABLE IF NOT EXISTS bulk_allocations (
    bulk      BLOB NOT NULL,
    order_id  BLOB NOT NULL,
    PRIMARY KEY (bulk, order_id)
) WITHOUT ROWID;

-- Cooperative and cluster membership and admins, for cooperative admins' scopes.
CREATE TABLE IF NOT EXISTS memberships (
    organisation  BLOB NOT NULL,
    member        BLOB NOT NULL,            -- a producer id, or an admin's user id
    admin         INTEGER NOT NULL,         -- 1 for an admin row
    PRIMARY KEY (organisation, member, admin)
) WITHOUT ROWID;

-- Who created each organisation: only they, its admins and admins may change it.
CREATE TABLE IF NOT EXISTS organisations (
    id          BLOB PRIMARY KEY,
    created_by  BLOB NOT NULL               -- the creator's user id
) WITHOUT ROWID;

-- Counters of the public order endpoints' limits, one per key and window, such as wrong phone
-- digits for one order code or new orders from one address; ended windows are swept.
CREATE TABLE IF NOT EXISTS order_throttles (
    key         TEXT PRIMARY KEY,           -- what is counted, e.g. 'code:SNT-7K3QX9AB'
    window_end  INTEGER NOT NULL,           -- when the count starts again (Unix ms)
    hits        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS order_throttles_by_end ON order_throttles(window_end);

-- Each buyer's order request key with the hash of the request it was first used for, so the
-- same key with another body is refused instead of answering someone else's order.
CREATE TABLE IF NOT EXISTS order_request_keys (
    key         TEXT PRIMARY KEY,
    body_hash   BLOB NOT NULL,              -- BLAKE3 of the canonical order request
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// The SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    writes: Group<PushJob, PushAnswer>,
    /// Connections that only read (sessions and pulls), so reads do not queue behind a write:
    /// in WAL mode readers and the one writer work at the same time, each reader on the last
    /// committed state.
    readers: Readers<Connection>,
}

/// How many read connections the store keeps.
const READERS: usize = 4;

impl SqliteStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                reader.busy_timeout(std::time::Duration::from_secs(10))?;
                Ok(reader)
            })
            .collect::<StoreResult<_>>()?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            writes: Group::default(),
            readers: Readers::new(readers),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.readers.get()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn bulk_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredBulk> {
    Ok(StoredBulk {
        id: r.get(0)?,
        code: r.get(1)?,
        organisation: r.get(2)?,
        body: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// One SQLite transaction, as the shared logic sees it.
struct Tx<'a>(&'a Connection);

fn ids(tx: &Connection, sql: &str, param: &dyn rusqlite::ToSql) -> StoreResult<Vec<Id>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map([param], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Index for Tx<'_> {
    fn owner(&mut self, entity: &str, id: Id) -> StoreResult<Option<Id>> {
        Ok(self
            .0
            .prepare_cached("SELECT producer FROM owners WHERE entity = ?1 AND id = ?2")?
            .query_row(rusqlite::params![entity, id], |r| r.get(0))
            .optional()?)
    }

    fn registered_by(&mut self, producer: Id) -> StoreResult<Option<String>> {
        Ok(self
            .0
            .prepare_cached("SELECT registered_by FROM registrations WHERE producer = ?1")?
            .query_row([producer], |r| r.get(0))
            .optional()?)
    }

    fn admins_member(&mut self, admin: Id, producer: Id) -> StoreResult<bool> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT 1 FROM memberships a JOIN memberships m ON m.organisation = a.organisation \
                 WHERE a.member = ?1 AND a.admin = 1 AND m.member = ?2 AND m.admin = 0",
            )?
            .query_row(rusqlite::params![admin, producer], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn facilitator_producers(&mut self, facilitator: Id) -> StoreResult<Vec<Id>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT producer FROM registrations WHERE registered_by = ?1 \
             UNION SELECT r.producer FROM registrations r JOIN assignments a \
             ON substr(r.region, 1, length(a.region)) = a.region WHERE a.facilitator = ?2",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![facilitator.to_string(), facilitator],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn in_assigned_region(&mut self, facilitator: Id, producer: Id) -> StoreResult<bool> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT 1 FROM registrations r JOIN assignments a \
                 ON substr(r.region, 1, length(a.region)) = a.region \
                 WHERE a.facilitator = ?1 AND r.producer = ?2",
            )?
            .query_row(rusqlite::params![facilitator, producer], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn members_administered(&mut self, admin: Id) -> StoreResult<Vec<Id>> {
        ids(
            self.0,
            "SELECT m.member FROM memberships a JOIN memberships m ON m.organisation = a.organisation \
             WHERE a.member = ?1 AND a.admin = 1 AND m.admin = 0",
            &admin,
        )
    }

    fn organisation_creator(&mut self, organisation: Id) -> StoreResult<Option<Id>> {
        Ok(self
            .0
            .prepare_cached("SELECT created_by FROM organisations WHERE id = ?1")?
            .query_row([organisation], |r| r.get(0))
            .optional()?)
    }

    fn administers(&mut self, user: Id, organisation: Id) -> StoreResult<bool> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT 1 FROM memberships WHERE organisation = ?1 AND member = ?2 AND admin = 1",
            )?
            .query_row(rusqlite::params![organisation, user], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

impl Primitives for Tx<'_> {
    fn create_producer_account(
        &mut self,
        login: &str,
        secret_hash: &str,
        producer: Id,
    ) -> StoreResult<()> {
        // Only a phone (so never a staff name) with a hash of the server's own parameters.
        let (Some(login), true) = (
            sentra_core::normalise_phone(login),
            is_server_hash(secret_hash),
        ) else {
            return Ok(());
        };
        self.0.execute(
            "INSERT OR IGNORE INTO accounts(user_id, login, secret_hash, role, producer_id) \
             VALUES (?1, ?2, ?3, 'producer', ?4)",
            rusqlite::params![Id::new(), login, secret_hash, producer],
        )?;
        Ok(())
    }

    fn applied(&mut self, device: Id, seq: i64) -> StoreResult<Option<String>> {
        Ok(self
            .0
            .prepare_cached("SELECT outcome FROM applied WHERE device_id = ?1 AND seq = ?2")?
            .query_row(rusqlite::params![device, seq], |r| r.get(0))
            .optional()?)
    }

    fn record_applied(&mut self, device: Id, seq: i64, outcome: &str) -> StoreResult<()> {
        self.0
            .prepare_cached("INSERT INTO applied(device_id, seq, outcome) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![device, seq, outcome])?;
        Ok(())
    }

    fn append_feed(&mut self, owner: Option<Id>, origin: Id, change: &str) -> StoreResult<()> {
        self.0
            .prepare_cached("INSERT INTO feed(owner, origin, change) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![owner, origin, change])?;
        Ok(())
    }

    fn set_owner(&mut self, entity: &str, id: Id, producer: Id) -> StoreResult<()> {
        self.0
            .prepare_cached(
                "INSERT OR IGNORE INTO owners(entity, id, producer) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![entity, id, producer])?;
        Ok(())
    }

    fn set_registration(
        &mut self,
        producer: Id,
        registered_by: &str,
        region: &str,
    ) -> StoreResult<()> {
        self.0
            .prepare_cached("INSERT OR IGNORE INTO registrations(producer, registered_by, region) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![producer, registered_by, region])?;
        Ok(())
    }

    fn set_region(&mut self, producer: Id, region: &str) -> StoreResult<()> {
        self.0
            .prepare_cached("UPDATE registrations SET region = ?1 WHERE producer = ?2")?
            .execute(rusqlite::params![region, producer])?;
        Ok(())
    }

    fn add_membership(&mut self, organisation: Id, member: Id, admin: bool) -> StoreResult<()> {
        self.0
            .prepare_cached("INSERT OR IGNORE INTO memberships(organisation, member, admin) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![organisation, member, admin])?;
        Ok(())
    }

    fn remove_membership(&mut self, organisation: Id, member: Id) -> StoreResult<()> {
        self.0
            .prepare_cached(
                "DELETE FROM memberships WHERE organisation = ?1 AND member = ?2 AND admin = 0",
            )?
            .execute(rusqlite::params![organisation, member])?;
        Ok(())
    }

    fn add_organisation(&mut self, organisation: Id, creator: Id) -> StoreResult<()> {
        self.0
            .prepare_cached("INSERT OR IGNORE INTO organisations(id, created_by) VALUES (?1, ?2)")?
            .execute(rusqlite::params![organisation, creator])?;
        Ok(())
    }

    fn feed_last(&mut self) -> StoreResult<i64> {
        Ok(self
            .0
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM feed")?
            .query_row([], |r| r.get(0))?)
    }

    fn owners_before(&mut self, owners: &[Id], seq: i64) -> StoreResult<Vec<Id>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT 1 FROM feed WHERE owner = ?1 AND seq <= ?2 LIMIT 1")?;
        let mut found = Vec::new();
        for owner in owners {
            if stmt.exists(rusqlite::params![owner, seq])? {
                found.push(*owner);
            }
        }
        Ok(found)
    }

    fn feed_after(
        &mut self,
        after: i64,
        last: i64,
        owners: Option<&[Id]>,
        limit: i64,
    ) -> StoreResult<Vec<FeedRow>> {
        let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
        let Some(owners) = owners else {
            let mut stmt = self.0.prepare_cached(
                "SELECT seq, owner, origin, change FROM feed \
                 WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(rusqlite::params![after, last, limit], row)?;
            return Ok(rows.collect::<rusqlite::Result<_>>()?);
        };
        // One index range per owner (and one for rows owned by no one), merged in order.
        let mut rows: Vec<FeedRow> = Vec::new();
        let mut stmt = self.0.prepare_cached(
            "SELECT seq, owner, origin, change FROM feed \
             WHERE owner IS ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4",
        )?;
        for owner in owners.iter().copied().map(Some).chain([None]) {
            let found = stmt.query_map(rusqlite::params![owner, after, last, limit], row)?;
            for found in found {
                rows.push(found?);
            }
        }
        rows.sort_unstable_by_key(|r| r.0);
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(rows)
    }
}

/// Writes push requests in one transaction, so they are durable (one fsync) before any is
/// answered. An entry either applies whole or fails the transaction (and `write_group` then
/// writes each request alone), so no entry is ever half-applied.
fn write_together(
    conn: &mut MutexGuard<'_, Connection>,
    jobs: &[PushJob],
) -> StoreResult<Vec<Vec<EntryResult>>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let answers = logic::push_jobs(&mut Tx(&tx), jobs)?;
    tx.commit()?;
    Ok(answers)
}

impl Store for SqliteStore {
    fn assign_region(&self, facilitator: Id, region: &str) -> StoreResult<()> {
        self.lock().execute(
            "INSERT OR IGNORE INTO assignments(facilitator, region) VALUES (?1, ?2)",
            rusqlite::params![facilitator, region],
        )?;
        Ok(())
    }

    fn save_bulk(&self, bulk: &StoredBulk) -> StoreResult<()> {
        self.lock().execute(
            "INSERT OR IGNORE INTO bulk_requests(id, code, organisation, body, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                bulk.id,
                bulk.code,
                bulk.organisation,
                bulk.body,
                bulk.created_at
            ],
        )?;
        Ok(())
    }

    fn bulk_by_code(&self, code: &str) -> StoreResult<Option<StoredBulk>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, code, organisation, body, created_at FROM bulk_requests WHERE code = ?1",
                [code],
                bulk_row,
            )
            .optional()?)
    }

    fn bulks_of(&self, organisation: Id) -> StoreResult<Vec<StoredBulk>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, code, organisation, body, created_at FROM bulk_requests \
             WHERE organisation = ?1 ORDER BY created_at DESC LIMIT 200",
        )?;
        let rows = stmt.query_map([organisation], bulk_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_allocation(&self, bulk: Id, order: Id) -> StoreResult<()> {
        self.lock().execute(
            "INSERT OR IGNORE INTO bulk_allocations(bulk, order_id) VALUES (?1, ?2)",
            rusqlite::params![bulk, order],
        )?;
        Ok(())
    }

    fn allocations(&self, bulk: Id) -> StoreResult<Vec<Id>> {
        let conn = self.lock();
        ids(
            &conn,
            "SELECT order_id FROM bulk_allocations WHERE bulk = ?1 ORDER BY order_id",
            &bulk,
        )
    }

    fn user_by_login(&self, login: &str) -> StoreResult<Option<Id>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT user_id FROM accounts WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn create_account(
        &self,
        login: &str,
        secret_hash: &str,
        role: Role,
        producer_id: Option<Id>,
    ) -> StoreResult<Option<Account>> {
        let user_id = Id::new();
        let created = self.lock().execute(
            "INSERT INTO accounts(user_id, login, secret_hash, role, producer_id) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(login) DO NOTHING",
            rusqlite::params![user_id, login, secret_hash, role_code(role), producer_id],
        )?;
        Ok((created == 1).then_some(Account {
            user_id,
            role,
            producer_id,
        }))
    }

    fn credentials(&self, login: &str) -> StoreResult<Option<Credentials>> {
        let conn = self.reader();
        let found = conn
            .prepare_cached(
                "SELECT user_id, secret_hash, role, producer_id FROM accounts WHERE login = ?1",
            )?
            .query_row([login], |r| {
                let role: String = r.get(2)?;
                Ok(Credentials {
                    account: Account {
                        user_id: r.get(0)?,
                        role: parse_role(&role),
                        producer_id: r.get(3)?,
                    },
                    secret_hash: r.get(1)?,
                })
            })
            .optional()?;
        Ok(found)
    }

    fn failures(
        &self,
        key: &AttemptKey,
        attempt: Id,
        since: i64,
        lock_since: i64,
    ) -> StoreResult<Failures> {
        let conn = self.reader();
        let tally = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> StoreResult<Tally> {
            Ok(conn.prepare_cached(sql)?.query_row(params, |r| {
                Ok(Tally {
                    count: r.get(0)?,
                    oldest: r.get(1)?,
                })
            })?)
        };
        let device = match key.device {
            Some(device) => tally(
                "SELECT count(*), coalesce(min(at), 0) FROM login_failures \
                 WHERE device = ?1 AND at > ?2 AND attempt <> ?3",
                &[&device, &since, &attempt],
            )?,
            None => Tally::default(),
        };
        let address_and_login = tally(
            "SELECT count(*), coalesce(min(at), 0) FROM login_failures \
             WHERE address = ?1 AND login = ?2 AND at > ?3 AND attempt <> ?4",
            &[&key.address, &key.login, &since, &attempt],
        )?;
        let address = tally(
            "SELECT count(*), coalesce(min(at), 0) FROM login_failures \
             WHERE address = ?1 AND at > ?2 AND attempt <> ?3",
            &[&key.address, &since, &attempt],
        )?;
        let (login, login_addresses) = conn
            .prepare_cached(
                "SELECT count(*), coalesce(min(at), 0), count(DISTINCT address) \
                 FROM login_failures WHERE login = ?1 AND at > ?2 AND attempt <> ?3",
            )?
            .query_row(rusqlite::params![key.login, lock_since, attempt], |r| {
                Ok((
                    Tally {
                        count: r.get(0)?,
                        oldest: r.get(1)?,
                    },
                    r.get(2)?,
                ))
            })?;
        Ok(Failures {
            device,
            address_and_login,
            address,
            login,
            login_addresses,
        })
    }

    fn record_failure(
        &self,
        key: &AttemptKey,
        attempt: Id,
        now: i64,
        forget_before: i64,
    ) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.prepare_cached("DELETE FROM login_failures WHERE at < ?1")?
            .execute([forget_before])?;
        tx.prepare_cached(
            "INSERT INTO login_failures(attempt, at, address, device, login) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(rusqlite::params![
            attempt,
            now,
            key.address,
            key.device,
            key.login
        ])?;
        tx.commit()?;
        Ok(())
    }

    fn withdraw_failure(&self, attempt: Id) -> StoreResult<()> {
        self.lock()
            .prepare_cached("DELETE FROM login_failures WHERE attempt = ?1")?
            .execute([attempt])?;
        Ok(())
    }

    fn forget_failures(&self, key: &AttemptKey) -> StoreResult<()> {
        self.lock()
            .prepare_cached(
                "DELETE FROM login_failures WHERE login = ?1 \
                 AND (address = ?2 OR (?3 IS NOT NULL AND device = ?3))",
            )?
            .execute(rusqlite::params![key.login, key.address, key.device])?;
        Ok(())
    }

    fn issue_token(&self, user: Id, device: Id, token_hash: &[u8], now: i64) -> StoreResult<()> {
        self.lock().execute(
            "INSERT INTO tokens(hash, user_id, device_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![token_hash, user, device, now],
        )?;
        Ok(())
    }

    fn revoke_token(&self, token_hash: &[u8]) -> StoreResult<()> {
        self.lock().execute(
            "UPDATE tokens SET revoked = 1 WHERE hash = ?1",
            [token_hash],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<(Account, Id)>> {
        let conn = self.reader();
        let row = conn
            .prepare_cached(
                "SELECT a.user_id, a.role, a.producer_id, t.device_id FROM tokens t \
                 JOIN accounts a ON a.user_id = t.user_id \
                 WHERE t.hash = ?1 AND t.revoked = 0 AND t.created_at > ?2",
            )?
            .query_row(rusqlite::params![token_hash, oldest_live_token()], |r| {
                let role: String = r.get(1)?;
                Ok((
                    Account {
                        user_id: r.get(0)?,
                        role: parse_role(&role),
                        producer_id: r.get(2)?,
                    },
                    r.get(3)?,
                ))
            })
            .optional()?;
        Ok(row)
    }

    fn push(
        &self,
        account: &Account,
        device: Id,
        entries: &[PushEntry],
        now: i64,
    ) -> StoreResult<Vec<EntryResult>> {
        let job = PushJob::new(account, device, entries, now);
        logic::push_grouped(&self.writes, job, || self.lock(), write_together)
    }

    fn answered(&self, device: Id, seq: i64) -> StoreResult<bool> {
        Ok(self
            .reader()
            .prepare_cached("SELECT 1 FROM applied WHERE device_id = ?1 AND seq = ?2")?
            .query_row(rusqlite::params![device, seq], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn pull_ranged(
        &self,
        account: &Account,
        device: Id,
        asked: &logic::PullAsk<'_>,
        now: i64,
    ) -> StoreResult<(PullResponse, Vec<String>)> {
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        logic::pull_ranged(&mut Tx(&tx), account, device, asked, now)
    }

    fn visible(&self, account: &Account) -> StoreResult<crate::scope::Visible> {
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        crate::scope::visible(&mut Tx(&tx), account)
    }

    fn order_throttle(
        &self,
        key: &str,
        window_ms: i64,
        add: i64,
        now: i64,
    ) -> StoreResult<super::ThrottleWindow> {
        let conn = self.lock();
        // Now and then, windows that have ended are swept.
        if now % 64 == 0 {
            conn.prepare_cached("DELETE FROM order_throttles WHERE window_end <= ?1")?
                .execute([now])?;
        }
        let (count, ends_at) = conn
            .prepare_cached(
                "INSERT INTO order_throttles(key, window_end, hits) VALUES (?1, ?2 + ?3, ?4) \
                 ON CONFLICT(key) DO UPDATE SET \
                 hits = CASE WHEN window_end <= ?2 THEN excluded.hits ELSE hits + excluded.hits END, \
                 window_end = CASE WHEN window_end <= ?2 THEN excluded.window_end ELSE window_end END \
                 RETURNING hits, window_end",
            )?
            .query_row(rusqlite::params![key, now, window_ms, add], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok(super::ThrottleWindow { count, ends_at })
    }

    fn order_request_hash(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(self
            .reader()
            .prepare_cached("SELECT body_hash FROM order_request_keys WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn bind_order_request(&self, key: &str, body_hash: &[u8], now: i64) -> StoreResult<Vec<u8>> {
        let conn = self.lock();
        conn.prepare_cached(
            "INSERT OR IGNORE INTO order_request_keys(key, body_hash, created_at) \
             VALUES (?1, ?2, ?3)",
        )?
        .execute(rusqlite::params![key, body_hash, now])?;
        Ok(conn
            .prepare_cached("SELECT body_hash FROM order_request_keys WHERE key = ?1")?
            .query_row([key], |r| r.get(0))?)
    }
}
