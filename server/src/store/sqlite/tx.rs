//! One SQLite transaction as the shared push and pull logic sees it: the index lookups that
//! authorise a push, and the primitives that write it and read the feed.

use crate::accounts::is_server_hash;
use crate::scope::Index;
use crate::store::StoreResult;
use crate::store::logic::{FeedRow, Primitives};
use rusqlite::{Connection, OptionalExtension};
use sentra_core::Id;

/// One SQLite transaction, as the shared logic sees it.
pub(super) struct Tx<'a>(pub(super) &'a Connection);

/// One owner's feed rows in a stretch of the feed, in order (`NULL`: rows owned by no one).
pub(super) const FEED_OWNED: &str = "SELECT seq, owner, origin, change FROM feed \
     WHERE owner IS ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4";

/// The ids one query with one parameter returns.
pub(super) fn ids(tx: &Connection, sql: &str, param: &dyn rusqlite::ToSql) -> StoreResult<Vec<Id>> {
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
        // A region's producers are one range of `registrations_by_region`: the codes from the
        // prefix up to the prefix followed by the last character there is (text compares byte
        // by byte; codes are digits and dots).
        let mut stmt = self.0.prepare_cached(
            "SELECT producer FROM registrations WHERE registered_by = ?1 \
             UNION SELECT r.producer FROM assignments a JOIN registrations r \
             ON r.region >= a.region AND r.region < a.region || char(1114111) \
             WHERE a.facilitator = ?2",
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
        let mut stmt = self.0.prepare_cached(FEED_OWNED)?;
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
