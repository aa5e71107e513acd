//! The PostgreSQL backend, for when one machine is outgrown. The same primitives as SQLite
//! under the same shared logic; one connection behind a mutex for now, so the feed's sequence
//! numbers commit in order (a pool needs a commit-ordered feed first; see docs/ARCHITECTURE.md).

use super::logic::{self, Primitives};
use super::{SearchDoc, Store, StoreResult, StoredBulk, parse_role, role_code};
use crate::accounts::{Account, LOCKOUT_MS, MAX_FAILED_LOGINS, oldest_live_token};
use crate::scope::{self, Index};
use postgres::{Client, NoTls, Transaction};
use sentra_core::sync::wire::{EntryResult, PullResponse, PushEntry};
use sentra_core::{Id, Role};
use std::sync::Mutex;

/// The server's tables (see the SQLite backend for what each holds).
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS accounts (
    user_id BYTEA PRIMARY KEY, login TEXT NOT NULL UNIQUE, secret_hash TEXT NOT NULL,
    role TEXT NOT NULL, producer_id BYTEA,
    failed BIGINT NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    hash BYTEA PRIMARY KEY, user_id BYTEA NOT NULL, device_id BYTEA NOT NULL,
    created_at BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS applied (
    device_id BYTEA NOT NULL, seq BIGINT NOT NULL, outcome TEXT NOT NULL,
    PRIMARY KEY (device_id, seq));
CREATE TABLE IF NOT EXISTS feed (
    seq BIGSERIAL PRIMARY KEY, owner BYTEA, origin BYTEA NOT NULL, change TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS owners (
    entity TEXT NOT NULL, id BYTEA NOT NULL, producer BYTEA NOT NULL, PRIMARY KEY (entity, id));
CREATE TABLE IF NOT EXISTS registrations (
    producer BYTEA PRIMARY KEY, registered_by TEXT NOT NULL, region TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS assignments (
    facilitator BYTEA NOT NULL, region TEXT NOT NULL, PRIMARY KEY (facilitator, region));
CREATE TABLE IF NOT EXISTS bulk_requests (
    id BYTEA PRIMARY KEY, code TEXT NOT NULL UNIQUE, organisation BYTEA NOT NULL,
    body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS bulk_requests_by_organisation ON bulk_requests(organisation, created_at);
CREATE TABLE IF NOT EXISTS bulk_allocations (
    bulk BYTEA NOT NULL, order_id BYTEA NOT NULL, PRIMARY KEY (bulk, order_id));
CREATE TABLE IF NOT EXISTS product_search (
    id BYTEA PRIMARY KEY, doc TSVECTOR NOT NULL);
CREATE INDEX IF NOT EXISTS product_search_doc ON product_search USING GIN (doc);
CREATE TABLE IF NOT EXISTS memberships (
    organisation BYTEA NOT NULL, member BYTEA NOT NULL, admin BOOLEAN NOT NULL,
    PRIMARY KEY (organisation, member, admin));
"#;

/// The PostgreSQL store.
pub struct PostgresStore {
    client: Mutex<Option<Client>>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // The client closes its connection on a runtime of its own, which must not happen on a
        // thread that is driving async tasks: close it on a plain thread.
        let client = self
            .client
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(client) = client {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
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
        client.batch_execute(SCHEMA)?;
        Ok(PostgresStore {
            client: Mutex::new(Some(client)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Client>> {
        self.client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One PostgreSQL transaction, as the shared logic sees it.
struct Tx<'a, 'b>(&'a mut Transaction<'b>);

impl Tx<'_, '_> {
    fn ids(
        &mut self,
        sql: &str,
        param: &(dyn postgres::types::ToSql + Sync),
    ) -> StoreResult<Vec<Id>> {
        self.0
            .query(sql, &[param])?
            .into_iter()
            .map(|row| id(row.get(0)))
            .collect()
    }
}

impl Index for Tx<'_, '_> {
    fn owner(&mut self, entity: &str, thing: Id) -> StoreResult<Option<Id>> {
        let row = self.0.query_opt(
            "SELECT producer FROM owners WHERE entity = $1 AND id = $2",
            &[&entity, &b(thing)],
        )?;
        opt_id(row.map(|r| r.get(0)))
    }

    fn registered_by(&mut self, producer: Id) -> StoreResult<Option<String>> {
        let row = self.0.query_opt(
            "SELECT registered_by FROM registrations WHERE producer = $1",
            &[&b(producer)],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn admins_member(&mut self, admin: Id, producer: Id) -> StoreResult<bool> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM memberships a JOIN memberships m ON m.organisation = a.organisation \
                 WHERE a.member = $1 AND a.admin AND m.member = $2 AND NOT m.admin",
                &[&b(admin), &b(producer)],
            )?
            .is_some())
    }

    fn facilitator_producers(&mut self, facilitator: Id) -> StoreResult<Vec<Id>> {
        let rows = self.0.query(
            "SELECT producer FROM registrations WHERE registered_by = $1 \
             UNION SELECT r.producer FROM registrations r JOIN assignments a \
             ON left(r.region, length(a.region)) = a.region WHERE a.facilitator = $2",
            &[&facilitator.to_string(), &b(facilitator)],
        )?;
        rows.into_iter().map(|row| id(row.get(0))).collect()
    }

    fn in_assigned_region(&mut self, facilitator: Id, producer: Id) -> StoreResult<bool> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM registrations r JOIN assignments a \
                 ON left(r.region, length(a.region)) = a.region \
                 WHERE a.facilitator = $1 AND r.producer = $2",
                &[&b(facilitator), &b(producer)],
            )?
            .is_some())
    }

    fn members_administered(&mut self, admin: Id) -> StoreResult<Vec<Id>> {
        self.ids(
            "SELECT m.member FROM memberships a JOIN memberships m ON m.organisation = a.organisation \
             WHERE a.member = $1 AND a.admin AND NOT m.admin",
            &b(admin),
        )
    }
}

impl Primitives for Tx<'_, '_> {
    fn create_producer_account(
        &mut self,
        login: &str,
        secret_hash: &str,
        producer: Id,
    ) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO accounts(user_id, login, secret_hash, role, producer_id) \
             VALUES ($1, $2, $3, 'producer', $4) ON CONFLICT DO NOTHING",
            &[&b(Id::new()), &login, &secret_hash, &b(producer)],
        )?;
        Ok(())
    }

    fn applied(&mut self, device: Id, seq: i64) -> StoreResult<Option<String>> {
        let row = self.0.query_opt(
            "SELECT outcome FROM applied WHERE device_id = $1 AND seq = $2",
            &[&b(device), &seq],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn record_applied(&mut self, device: Id, seq: i64, outcome: &str) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO applied(device_id, seq, outcome) VALUES ($1, $2, $3)",
            &[&b(device), &seq, &outcome],
        )?;
        Ok(())
    }

    fn append_feed(&mut self, owner: Option<Id>, origin: Id, change: &str) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO feed(owner, origin, change) VALUES ($1, $2, $3)",
            &[&owner.map(b), &b(origin), &change],
        )?;
        Ok(())
    }

    fn set_owner(&mut self, entity: &str, thing: Id, producer: Id) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO owners(entity, id, producer) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&entity, &b(thing), &b(producer)],
        )?;
        Ok(())
    }

    fn set_registration(
        &mut self,
        producer: Id,
        registered_by: &str,
        region: &str,
    ) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO registrations(producer, registered_by, region) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&b(producer), &registered_by, &region],
        )?;
        Ok(())
    }

    fn set_region(&mut self, producer: Id, region: &str) -> StoreResult<()> {
        self.0.execute(
            "UPDATE registrations SET region = $1 WHERE producer = $2",
            &[&region, &b(producer)],
        )?;
        Ok(())
    }

    fn add_membership(&mut self, organisation: Id, member: Id, admin: bool) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO memberships(organisation, member, admin) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&b(organisation), &b(member), &admin],
        )?;
        Ok(())
    }
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

    fn index_products(&self, docs: &[SearchDoc]) -> StoreResult<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let mut guard = self.lock();
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
        let rows = self.lock().as_mut().ok_or(CLOSED)?.query(
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
    ) -> StoreResult<Account> {
        let user_id = Id::new();
        self.lock().as_mut().ok_or(CLOSED)?.execute(
            "INSERT INTO accounts(user_id, login, secret_hash, role, producer_id) VALUES ($1, $2, $3, $4, $5)",
            &[&b(user_id), &login, &secret_hash, &role_code(role), &producer_id.map(b)],
        )?;
        Ok(Account {
            user_id,
            role,
            producer_id,
        })
    }

    fn login(
        &self,
        login: &str,
        now: i64,
        verify: &dyn Fn(&str) -> bool,
    ) -> StoreResult<super::LoginOutcome> {
        let mut guard = self.lock();
        let client = guard.as_mut().ok_or(CLOSED)?;
        let Some(row) = client.query_opt(
            "SELECT user_id, secret_hash, role, producer_id, failed, locked_until FROM accounts WHERE login = $1",
            &[&login],
        )?
        else {
            return Ok(super::LoginOutcome::Wrong);
        };
        let user_id = id(row.get(0))?;
        let (hash, role): (String, String) = (row.get(1), row.get(2));
        let producer_id = opt_id(row.get(3))?;
        let (failed, locked_until): (i64, i64) = (row.get(4), row.get(5));
        if locked_until > now {
            return Ok(super::LoginOutcome::Locked);
        }
        if !verify(&hash) {
            let failed = failed + 1;
            let locked = failed >= MAX_FAILED_LOGINS;
            client.execute(
                "UPDATE accounts SET failed = $1, locked_until = $2 WHERE user_id = $3",
                &[
                    &if locked { 0 } else { failed },
                    &if locked { now + LOCKOUT_MS } else { 0 },
                    &b(user_id),
                ],
            )?;
            return Ok(if locked {
                super::LoginOutcome::Locked
            } else {
                super::LoginOutcome::Wrong
            });
        }
        client.execute(
            "UPDATE accounts SET failed = 0, locked_until = 0 WHERE user_id = $1",
            &[&b(user_id)],
        )?;
        Ok(super::LoginOutcome::Ok(Account {
            user_id,
            role: parse_role(&role),
            producer_id,
        }))
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
        let row = self.lock().as_mut().ok_or(CLOSED)?.query_opt(
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

    fn push(
        &self,
        account: &Account,
        device: Id,
        entries: &[PushEntry],
        now: i64,
    ) -> StoreResult<Vec<EntryResult>> {
        let mut guard = self.lock();
        let client = guard.as_mut().ok_or(CLOSED)?;
        // One transaction per batch, one savepoint per entry (see the SQLite backend).
        let mut tx = client.transaction()?;
        let results = logic::push_all(entries, |entry| {
            let mut savepoint = tx.transaction()?;
            let outcome = logic::push_entry(&mut Tx(&mut savepoint), account, device, entry, now)?;
            savepoint.commit()?;
            Ok(outcome)
        })?;
        tx.commit()?;
        Ok(results)
    }

    fn pull(
        &self,
        account: &Account,
        device: Id,
        cursor: Option<&str>,
        max_bytes: usize,
        now: i64,
    ) -> StoreResult<PullResponse> {
        let mut guard = self.lock();
        let client = guard.as_mut().ok_or(CLOSED)?;
        let mut tx = client.transaction()?;
        let last: i64 = tx
            .query_one("SELECT coalesce(max(seq), 0) FROM feed", &[])?
            .get(0);
        let window = logic::start_of(cursor, last);
        let visible = scope::visible(&mut Tx(&mut tx), account)?;
        let rows = tx.query(
            "SELECT seq, owner, origin, change FROM feed WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&window.start, &logic::FEED_SCAN],
        )?;
        let rows: Vec<(i64, Option<Id>, Id, String)> = rows
            .into_iter()
            .map(|r| Ok((r.get(0), opt_id(r.get(1))?, id(r.get(2))?, r.get(3))))
            .collect::<StoreResult<_>>()?;
        let page = logic::page(rows, device, &visible, window, max_bytes, now)?;
        tx.commit()?;
        Ok(page)
    }
}
