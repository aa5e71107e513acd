//! The embedded SQLite backend: one file, WAL, one writer behind a mutex (the server is one
//! process; SQLite takes one writer at a time anyway) and a few readers beside it. The tables
//! are in `schema.rs`, the transaction the shared push and pull logic runs on in `tx.rs`.

mod schema;
mod tx;

use super::logic::{self, PushJob};
use super::readers::Readers;
use super::{Credentials, Store, StoreResult, StoredBulk, parse_role, role_code};
use crate::accounts::{Account, oldest_live_token};
use crate::limits::{AttemptKey, Failures, Tally};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use schema::SCHEMA;
use sentra_core::sync::wire::{EntryResult, PullResponse};
use sentra_core::{Id, Role};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use tx::{Tx, ids};

/// A request's account and device, by its token's hash.
const SESSION: &str = "SELECT a.user_id, a.role, a.producer_id, t.device_id FROM tokens t \
     JOIN accounts a ON a.user_id = t.user_id \
     WHERE t.hash = ?1 AND t.revoked = 0 AND t.created_at > ?2";

/// Makes every statement keep the plan it was prepared with, whatever values are bound to it
/// (SQLite's query planner stability guarantee). Without it SQLite marks a statement to be
/// planned again when a bound value might change its plan (a `LIMIT ?`, an equality a candidate
/// plan does not use), and rusqlite's statement cache clears the bindings of each statement it
/// takes back, which expires such a statement: every session look-up and feed page was parsed
/// and planned anew. Every query here is served in its index's order whatever the values (no
/// `LIKE ?`, no statistics, no sort a `LIMIT` could spare). Not for the phone's store: its
/// product list needs its `LIMIT` to choose an index over a sort (`scripts/bench store` on
/// 50,000 products: first page p95 0.49 ms without the guarantee, 115 ms with it).
fn plan_statements_once(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// The SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
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
        plan_statements_once(&conn)?;
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
                plan_statements_once(&reader)?;
                reader.set_prepared_statement_cache_capacity(64);
                Ok(reader)
            })
            .collect::<StoreResult<_>>()?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
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
            .prepare_cached(SESSION)?
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

    fn write_pushes(&self, jobs: &[PushJob]) -> StoreResult<Vec<Vec<EntryResult>>> {
        write_together(&mut self.lock(), jobs)
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

#[cfg(test)]
mod tests {
    use super::{SESSION, SqliteStore, tx};
    use crate::accounts::token_hash;
    use crate::store::{PullAsk, Store};
    use rusqlite::StatementStatus;
    use sentra_core::{Id, Role};

    /// The statements every request and every pull runs are planned once, not on each call
    /// (see `plan_statements_once`): a session look-up and a producer's feed page,
    /// read through the store's API on the read connection a lone caller is given, then counted
    /// from SQLite's own tally.
    #[test]
    fn sessions_and_feed_pages_are_planned_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
        let producer = Id::new();
        let account = store
            .create_account(
                "+6281200000001",
                "not-a-real-hash",
                Role::Producer,
                Some(producer),
            )
            .unwrap()
            .unwrap();
        let device = Id::new();
        let hash = token_hash("token");
        store
            .issue_token(account.user_id, device, &hash, crate::now_ms())
            .unwrap();
        for max_bytes in [1_024, 2_048, 4_096, 1 << 20] {
            assert!(store.session(&hash).unwrap().is_some());
            let asked = PullAsk {
                cursor: None,
                until: None,
                ahead: 0,
                max_bytes,
            };
            let (page, _) = store
                .pull_ranged(&account, device, &asked, crate::now_ms())
                .unwrap();
            assert!(page.changes.is_empty());
        }
        let reader = store.reader();
        for sql in [SESSION, tx::FEED_OWNED] {
            let stmt = reader.prepare_cached(sql).unwrap();
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "{sql}");
            assert!(stmt.get_status(StatementStatus::Run) >= 4, "{sql}");
        }
    }
}
