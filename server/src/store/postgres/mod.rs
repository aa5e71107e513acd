//! The PostgreSQL backend, for when one machine is outgrown. The same primitives as SQLite
//! under the same shared logic; one writer connection behind a mutex, four connections that only
//! read, one for locks named by the caller, one that writes the full-text index and one for
//! photos (`blobs.rs`). Several servers may share the database: the
//! feed's positions are taken in commit order across them (see `tx.rs` and
//! docs/ARCHITECTURE.md), and a device's pushes are written one at a time.

mod blobs;
mod buckets;
mod conn;
#[cfg(test)]
mod plans;
mod schema;
#[cfg(test)]
mod test_database;
mod tx;

use super::logic::{self, PushJob};
use super::readers::Readers;
use super::{Credentials, SearchDoc, Store, StoreResult, StoredBulk, parse_role, role_code};
use crate::accounts::{Account, oldest_live_token};
use crate::limits::{AttemptKey, Failures, RateLimit, Tally};
use conn::{Conn, Plans};
use postgres::{Client, NoTls};
use sentra_core::sync::wire::{EntryResult, PullResponse};
use sentra_core::{Id, Role};
use std::sync::{Mutex, MutexGuard};
use tx::Tx;

/// The PostgreSQL store.
pub struct PostgresStore {
    client: Mutex<Option<Conn>>,
    /// Connections that only read (sessions and pulls), so reads do not queue behind writes.
    readers: Readers<Option<Conn>>,
    /// A connection that holds the locks of [`Store::one_at_a_time`], outside any write.
    named: Mutex<Option<Client>>,
    /// The connection that writes `product_search` (when this server holds the duty, whose
    /// lock lives on it), apart from pushes so a page never waits for one.
    search: Mutex<Option<Client>>,
    /// Whether this server writes `product_search`, and when it last asked.
    search_duty: Mutex<(bool, Option<std::time::Instant>)>,
    /// Photos, on a connection of their own.
    blobs: std::sync::Arc<blobs::PgBlobs>,
}

/// How many read connections the store keeps. Every request's session and rate-limit bucket and
/// every pull go through them, each statement a round trip: with two, 1,000 devices queued on
/// them (`scripts/bench load`: 9,189 entries/s, cycle p99 5.3 s; with four 10,898 and 2.7 s).
const READERS: usize = 4;

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // The client closes its connection on a runtime of its own, which must not happen on a
        // thread that is driving async tasks: close it on a plain thread.
        let mut clients: Vec<Client> = self
            .readers
            .all_mut()
            .filter_map(Option::take)
            .map(Conn::into_client)
            .collect();
        clients.extend(
            self.client
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .map(Conn::into_client),
        );
        for other in [&mut self.named, &mut self.search] {
            clients.extend(
                other
                    .get_mut()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take(),
            );
        }
        let _ = std::thread::spawn(move || drop(clients)).join();
    }
}

const CLOSED: &str = "the database connection is closed";

fn b(id: Id) -> Vec<u8> {
    id.as_bytes().to_vec()
}

fn id(bytes: Vec<u8>) -> StoreResult<Id> {
    let bytes: [u8; 16] = bytes
        .try_into()
        .map_err(|_| "an id column does not hold 16 bytes")?;
    Ok(Id::from_bytes(bytes))
}

fn opt_id(bytes: Option<Vec<u8>>) -> StoreResult<Option<Id>> {
    bytes.map(id).transpose()
}

fn bulk_row(r: &postgres::Row) -> StoreResult<StoredBulk> {
    Ok(StoredBulk {
        id: id(r.get(0))?,
        code: r.get(1),
        organisation: id(r.get(2))?,
        body: r.get(3),
        created_at: r.get(4),
    })
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and creates the tables if needed.
    pub fn connect(url: &str) -> StoreResult<Self> {
        let mut client = Client::connect(url, NoTls)?;
        for statement in schema::statements() {
            client.batch_execute(statement)?;
        }
        let readers = (0..READERS)
            .map(|_| {
                let mut reader = Client::connect(url, NoTls)?;
                // The only writes on these connections are the request buckets, which may lose
                // their last takes in a crash: their commits need not wait for the disk.
                reader.batch_execute("SET synchronous_commit = off")?;
                Ok(Some(Conn::new(reader, Plans::Once)?))
            })
            .collect::<StoreResult<_>>()?;
        Ok(PostgresStore {
            client: Mutex::new(Some(Conn::new(client, Plans::ForValues)?)),
            readers: Readers::new(readers),
            named: Mutex::new(Some(Client::connect(url, NoTls)?)),
            search: Mutex::new(Some(Client::connect(url, NoTls)?)),
            search_duty: Mutex::new((false, None)),
            blobs: std::sync::Arc::new(blobs::PgBlobs::connect(url)?),
        })
    }

    fn search_connection(&self) -> std::sync::MutexGuard<'_, Option<Client>> {
        self.search
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Conn>> {
        self.client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The spaces of the advisory locks the servers sharing a database take (the first of
/// PostgreSQL's two advisory lock keys; the second names the thing locked).
mod locks {
    /// The feed's tail: held from taking feed positions until commit (see [`super::tx`]).
    pub const FEED: i32 = 1;
    /// A device's pushes: a push answers after any other push of the same device has committed.
    pub const DEVICE: i32 = 2;
    /// Work named by the caller ([`crate::store::Store::one_at_a_time`]).
    pub const NAMED: i32 = 3;
    /// The duty of writing `product_search`: held by one server's writer connection for as
    /// long as it lives ([`crate::store::Store::writes_search`]).
    pub const SEARCH: i32 = 4;
    /// An upload of a photo, by its hash's key: one chunk at a time ([`super::blobs`]).
    pub const PHOTO: i32 = 5;
}

/// How often a server that does not write the full-text index asks whether it may.
const SEARCH_DUTY_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// The second key of an advisory lock on `name` (a hash: two names that collide only wait for
/// each other).
fn lock_key(name: &[u8]) -> i32 {
    let hash = blake3::hash(name);
    let [a, b, c, d, ..] = *hash.as_bytes();
    i32::from_le_bytes([a, b, c, d])
}

/// Writes push requests in one transaction (see the SQLite backend's `write_together`).
///
/// Several servers may write at once. Each device's pushes are taken one at a time across them
/// (an advisory lock per device, taken in key order so two groups never wait on each other in a
/// cycle), so the same push sent to two servers reads, after the other has committed, the
/// answers it wrote, and answers duplicates as a resend would.
fn write_together(
    guard: &mut MutexGuard<'_, Option<Conn>>,
    jobs: &[PushJob],
) -> StoreResult<Vec<Vec<EntryResult>>> {
    let conn = guard.as_mut().ok_or(CLOSED)?;
    let (mut tx, statements) = conn.prepared_transaction()?;
    let mut devices: Vec<i32> = jobs.iter().map(|j| lock_key(j.device.as_bytes())).collect();
    devices.sort_unstable();
    devices.dedup();
    // unnest keeps the array's order, so the locks are taken in key order.
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, k) FROM unnest($2::int4[]) AS k",
        &[&locks::DEVICE, &devices],
    )?;
    let mut writes = Tx::new(&mut tx, statements);
    writes.prefetch(jobs)?;
    let answers = logic::push_jobs(&mut writes, jobs)?;
    writes.flush()?;
    drop(writes);
    tx.commit()?;
    Ok(answers)
}

impl Store for PostgresStore {
    fn assign_region(&self, facilitator: Id, region: &str) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "INSERT INTO assignments(facilitator, region) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&b(facilitator), &region],
        )?;
        Ok(())
    }

    fn save_bulk(&self, bulk: &StoredBulk) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "INSERT INTO bulk_requests(id, code, organisation, body, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                &b(bulk.id),
                &bulk.code,
                &b(bulk.organisation),
                &bulk.body,
                &bulk.created_at,
            ],
        )?;
        Ok(())
    }

    fn bulk_by_code(&self, code: &str) -> StoreResult<Option<StoredBulk>> {
        let row = self.lock().as_mut().ok_or(CLOSED)?.query_opt(
            "SELECT id, code, organisation, body, created_at FROM bulk_requests WHERE code = $1",
            &[&code],
        )?;
        row.map(|r| bulk_row(&r)).transpose()
    }

    fn bulks_of(&self, organisation: Id) -> StoreResult<Vec<StoredBulk>> {
        let rows = self.lock().as_mut().ok_or(CLOSED)?.query(
            "SELECT id, code, organisation, body, created_at FROM bulk_requests \
             WHERE organisation = $1 ORDER BY created_at DESC LIMIT 200",
            &[&b(organisation)],
        )?;
        rows.iter().map(bulk_row).collect()
    }

    fn add_allocation(&self, bulk: Id, order: Id) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "INSERT INTO bulk_allocations(bulk, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&b(bulk), &b(order)],
        )?;
        Ok(())
    }

    fn allocations(&self, bulk: Id) -> StoreResult<Vec<Id>> {
        let rows = self.lock().as_mut().ok_or(CLOSED)?.query(
            "SELECT order_id FROM bulk_allocations WHERE bulk = $1 ORDER BY order_id",
            &[&b(bulk)],
        )?;
        rows.iter().map(|r| id(r.get(0))).collect()
    }

    fn has_search(&self) -> bool {
        true
    }

    fn writes_search(&self) -> StoreResult<bool> {
        let mut duty = self
            .search_duty
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (writes, asked) = &mut *duty;
        if *writes || asked.is_some_and(|at| at.elapsed() < SEARCH_DUTY_RETRY) {
            return Ok(*writes);
        }
        *asked = Some(std::time::Instant::now());
        // A session's lock: held until this server's search connection ends.
        *writes = self
            .search_connection()
            .as_mut()
            .ok_or(CLOSED)?
            .query_one("SELECT pg_try_advisory_lock($1, 0)", &[&locks::SEARCH])?
            .get(0);
        Ok(*writes)
    }

    fn index_products(&self, docs: &[SearchDoc], complete: bool) -> StoreResult<()> {
        if docs.is_empty() && !complete {
            return Ok(());
        }
        let mut guard = self.search_connection();
        let client = guard.as_mut().ok_or(CLOSED)?;
        let mut tx = client.transaction()?;
        let upsert = tx.prepare(
            "INSERT INTO product_search(id, doc) VALUES ($1, \
             setweight(to_tsvector('simple', $2), 'A') || to_tsvector('simple', $3)) \
             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
        )?;
        let remove = tx.prepare("DELETE FROM product_search WHERE id = $1")?;
        for doc in docs {
            if doc.listed {
                tx.execute(&upsert, &[&b(doc.id), &doc.name, &doc.body])?;
            } else {
                tx.execute(&remove, &[&b(doc.id)])?;
            }
        }
        if complete {
            let listed: Vec<Vec<u8>> = docs.iter().filter(|d| d.listed).map(|d| b(d.id)).collect();
            tx.execute(
                "DELETE FROM product_search WHERE NOT (id = ANY($1))",
                &[&listed],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn search_products(&self, words: &[String], limit: usize) -> StoreResult<Vec<Id>> {
        // Each word becomes a quoted prefix term; quotes inside a word are doubled so no
        // word can change the query's syntax.
        let terms: Vec<String> = words
            .iter()
            .filter(|w| !w.is_empty())
            .map(|w| format!("'{}':*", w.replace('\'', "''")))
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let query = terms.join(" & ");
        let limit = i64::try_from(limit).unwrap_or(1_000);
        let rows = self.readers.get().as_mut().ok_or(CLOSED)?.query(
            "SELECT id FROM product_search WHERE doc @@ to_tsquery('simple', $1) \
             ORDER BY ts_rank(doc, to_tsquery('simple', $1)) DESC, id DESC LIMIT $2",
            &[&query, &limit],
        )?;
        rows.iter().map(|r| id(r.get(0))).collect()
    }

    fn user_by_login(&self, login: &str) -> StoreResult<Option<Id>> {
        let row = self
            .lock()
            .as_mut()
            .ok_or(CLOSED)?
            .query_opt("SELECT user_id FROM accounts WHERE login = $1", &[&login])?;
        opt_id(row.map(|r| r.get(0)))
    }

    fn create_account(
        &self,
        login: &str,
        secret_hash: &str,
        role: Role,
        producer_id: Option<Id>,
    ) -> StoreResult<Option<Account>> {
        let user_id = Id::new();
        let created = self.lock().as_mut().ok_or(CLOSED)?.execute(
            "INSERT INTO accounts(user_id, login, secret_hash, role, producer_id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (login) DO NOTHING",
            &[
                &b(user_id),
                &login,
                &secret_hash,
                &role_code(role),
                &producer_id.map(b),
            ],
        )?;
        Ok((created == 1).then_some(Account {
            user_id,
            role,
            producer_id,
        }))
    }

    fn credentials(&self, login: &str) -> StoreResult<Option<Credentials>> {
        let row = self.readers.get().as_mut().ok_or(CLOSED)?.query_opt(
            "SELECT user_id, secret_hash, role, producer_id FROM accounts WHERE login = $1",
            &[&login],
        )?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.get(2);
        Ok(Some(Credentials {
            account: Account {
                user_id: id(row.get(0))?,
                role: parse_role(&role),
                producer_id: opt_id(row.get(3))?,
            },
            secret_hash: row.get(1),
        }))
    }

    fn failures(
        &self,
        key: &AttemptKey,
        attempt: Id,
        since: i64,
        lock_since: i64,
    ) -> StoreResult<Failures> {
        // One round trip: every count over the rows of the lock window.
        let device = key.device.map(b);
        let row = self.readers.get().as_mut().ok_or(CLOSED)?.query_one(
            "SELECT \
               count(*) FILTER (WHERE device = $1 AND at > $4), \
               coalesce(min(at) FILTER (WHERE device = $1 AND at > $4), 0), \
               count(*) FILTER (WHERE address = $2 AND login = $3 AND at > $4), \
               coalesce(min(at) FILTER (WHERE address = $2 AND login = $3 AND at > $4), 0), \
               count(*) FILTER (WHERE address = $2 AND at > $4), \
               coalesce(min(at) FILTER (WHERE address = $2 AND at > $4), 0), \
               count(*) FILTER (WHERE login = $3 AND at > $5), \
               coalesce(min(at) FILTER (WHERE login = $3 AND at > $5), 0), \
               count(DISTINCT address) FILTER (WHERE login = $3 AND at > $5) \
             FROM login_failures \
             WHERE at > least($4, $5) AND (device = $1 OR address = $2 OR login = $3) \
               AND attempt <> $6",
            &[
                &device,
                &key.address,
                &key.login,
                &since,
                &lock_since,
                &b(attempt),
            ],
        )?;
        let tally = |n: usize| Tally {
            count: row.get(n),
            oldest: row.get(n + 1),
        };
        Ok(Failures {
            device: tally(0),
            address_and_login: tally(2),
            address: tally(4),
            login: tally(6),
            login_addresses: row.get(8),
        })
    }

    fn record_failure(
        &self,
        key: &AttemptKey,
        attempt: Id,
        now: i64,
        forget_before: i64,
    ) -> StoreResult<()> {
        let mut guard = self.lock();
        let client = guard.as_mut().ok_or(CLOSED)?;
        let mut tx = client.transaction()?;
        tx.execute(
            "DELETE FROM login_failures WHERE at < $1",
            &[&forget_before],
        )?;
        tx.execute(
            "INSERT INTO login_failures(attempt, at, address, device, login) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &b(attempt),
                &now,
                &key.address,
                &key.device.map(b),
                &key.login,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn withdraw_failure(&self, attempt: Id) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "DELETE FROM login_failures WHERE attempt = $1",
            &[&b(attempt)],
        )?;
        Ok(())
    }

    fn forget_failures(&self, key: &AttemptKey) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "DELETE FROM login_failures WHERE login = $1 \
             AND (address = $2 OR ($3::BYTEA IS NOT NULL AND device = $3))",
            &[&key.login, &key.address, &key.device.map(b)],
        )?;
        Ok(())
    }

    fn issue_token(&self, user: Id, device: Id, token_hash: &[u8], now: i64) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "INSERT INTO tokens(hash, user_id, device_id, created_at) VALUES ($1, $2, $3, $4)",
            &[&token_hash, &b(user), &b(device), &now],
        )?;
        Ok(())
    }

    fn revoke_token(&self, token_hash: &[u8]) -> StoreResult<()> {
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "UPDATE tokens SET revoked = TRUE WHERE hash = $1",
            &[&token_hash],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<(Account, Id)>> {
        let row = self.readers.get().as_mut().ok_or(CLOSED)?.query_opt(
            "SELECT a.user_id, a.role, a.producer_id, t.device_id FROM tokens t \
             JOIN accounts a ON a.user_id = t.user_id \
             WHERE t.hash = $1 AND NOT t.revoked AND t.created_at > $2",
            &[&token_hash, &oldest_live_token()],
        )?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.get(1);
        let account = Account {
            user_id: id(row.get(0))?,
            role: parse_role(&role),
            producer_id: opt_id(row.get(2))?,
        };
        Ok(Some((account, id(row.get(3))?)))
    }

    fn write_pushes(&self, jobs: &[PushJob]) -> StoreResult<Vec<Vec<EntryResult>>> {
        write_together(&mut self.lock(), jobs)
    }

    fn answered(&self, device: Id, seq: i64) -> StoreResult<bool> {
        let row = self.readers.get().as_mut().ok_or(CLOSED)?.query_opt(
            "SELECT 1 FROM applied WHERE device_id = $1 AND seq = $2",
            &[&b(device), &seq],
        )?;
        Ok(row.is_some())
    }

    fn pull_ranged(
        &self,
        account: &Account,
        device: Id,
        asked: &logic::PullAsk<'_>,
        now: i64,
    ) -> StoreResult<(PullResponse, Vec<String>)> {
        let mut guard = self.readers.get();
        let conn = guard.as_mut().ok_or(CLOSED)?;
        // No transaction: each statement commits on its own, and the page is still the one
        // snapshot would give. The feed is only ever appended to, and its positions are taken
        // in commit order (`Tx::flush` holds the feed's lock from its insert to the commit), so
        // once a statement has seen the feed's last row, every row up to it has committed, and
        // every later statement reads the same rows up to it. The account's scope is read after
        // that row, so every row served was committed before the rights it is served under were
        // read (`logic::pull_ranged`). A snapshot's `START TRANSACTION` and `COMMIT` were two of
        // a pull's four round trips.
        let (client, statements) = conn.prepared_statements();
        logic::pull_ranged(
            &mut Tx::new(client, statements),
            account,
            device,
            asked,
            now,
        )
    }

    fn visible(&self, account: &Account) -> StoreResult<crate::scope::Visible> {
        let mut guard = self.readers.get();
        let conn = guard.as_mut().ok_or(CLOSED)?;
        let (mut tx, statements) = conn.prepared_transaction()?;
        let visible = crate::scope::visible(&mut Tx::new(&mut tx, statements), account)?;
        tx.commit()?;
        Ok(visible)
    }

    fn order_throttle(
        &self,
        key: &str,
        window_ms: i64,
        add: i64,
        now: i64,
    ) -> StoreResult<super::ThrottleWindow> {
        let mut guard = self.lock();
        let client = guard.as_mut().ok_or(CLOSED)?;
        // Now and then, windows that have ended are swept.
        if now % 64 == 0 {
            client.execute(
                "DELETE FROM order_throttles WHERE window_end <= $1",
                &[&now],
            )?;
        }
        // One statement, so servers counting the same key at once never lose a count.
        let row = client.query_one(
            "INSERT INTO order_throttles AS t(key, window_end, hits) VALUES ($1, $2::BIGINT + $3::BIGINT, $4::BIGINT) \
             ON CONFLICT (key) DO UPDATE SET \
             hits = CASE WHEN t.window_end <= $2::BIGINT THEN EXCLUDED.hits ELSE t.hits + EXCLUDED.hits END, \
             window_end = CASE WHEN t.window_end <= $2::BIGINT THEN EXCLUDED.window_end ELSE t.window_end END \
             RETURNING hits, window_end",
            &[&key, &now, &window_ms, &add],
        )?;
        Ok(super::ThrottleWindow {
            count: row.get(0),
            ends_at: row.get(1),
        })
    }

    fn order_request_hash(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let row = self.readers.get().as_mut().ok_or(CLOSED)?.query_opt(
            "SELECT body_hash FROM order_request_keys WHERE key = $1",
            &[&key],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn bind_order_request(&self, key: &str, body_hash: &[u8], now: i64) -> StoreResult<Vec<u8>> {
        let mut guard = self.lock();
        let client = guard.as_mut().ok_or(CLOSED)?;
        client.execute(
            "INSERT INTO order_request_keys(key, body_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[&key, &body_hash, &now],
        )?;
        let row = client.query_one(
            "SELECT body_hash FROM order_request_keys WHERE key = $1",
            &[&key],
        )?;
        Ok(row.get(0))
    }

    fn blobs(&self) -> Option<std::sync::Arc<dyn crate::blobs::Blobs>> {
        Some(self.blobs.clone())
    }

    fn take_request_and_session(
        &self,
        token_hash: &[u8],
        limit: RateLimit,
        now: i64,
    ) -> StoreResult<Option<(bool, Option<super::Session>)>> {
        let mut guard = self.readers.get();
        let conn = guard.as_mut().ok_or(CLOSED)?;
        buckets::take_request_and_session(conn, token_hash, limit, now).map(Some)
    }

    fn one_at_a_time(&self, name: &str, work: &mut dyn FnMut()) -> StoreResult<()> {
        let mut guard = self
            .named
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let client = guard.as_mut().ok_or(CLOSED)?;
        // A transaction's lock: let go at its end, or when this server's connection drops.
        let mut tx = client.transaction()?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&locks::NAMED, &lock_key(name.as_bytes())],
        )?;
        work();
        tx.commit()?;
        Ok(())
    }
}
