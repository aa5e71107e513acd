//! One PostgreSQL transaction as the shared push and pull logic sees it: the index lookups and
//! the primitives, with a group's reads fetched up front and its writes sent at the end.

use super::conn::{Prepared, Statements};
use super::{b, id, opt_id};
use crate::scope::Index;
use crate::store::StoreResult;
use crate::store::logic::{FeedRow, Primitives, PushJob};
use postgres::GenericClient;
use sentra_core::Id;
use std::collections::{HashMap, HashSet};

/// One PostgreSQL transaction, as the shared logic sees it. Every statement is a round trip,
/// so a group of pushes reads what it needs up front ([`Tx::prefetch`]) and writes its feed
/// rows, answers and owners in one statement per table at the end ([`Tx::flush`]); until then
/// the shared logic reads them from `pending`.
pub(super) struct Tx<'a, C> {
    sql: Prepared<'a, C>,
    pending: Pending,
}

/// The answers already given, asked for in runs of consecutive seqs, one run per row: a device
/// numbers its entries one after another, so a push is one run and one descent of the primary
/// key. Each run is looked up on its own (`LATERAL`, kept a subquery by `OFFSET 0`): asked for
/// (device, seq) by (device, seq) in a join, a group of 7,000 entries was planned as a hash of
/// the whole table, 44 ms on 160,000 answers against 0.5 ms by runs.
const ANSWERS_OF: &str = "SELECT a.device_id, a.seq, a.outcome \
     FROM unnest($1::bytea[], $2::bigint[], $3::bigint[]) AS k(device_id, low, high) \
     CROSS JOIN LATERAL (SELECT * FROM applied a WHERE a.device_id = k.device_id \
     AND a.seq BETWEEN k.low AND k.high OFFSET 0) a";

/// The owners of every id a group mentions, by id alone (an id in a field does not say what
/// it names): `owners_by_id`, not the primary key, which starts with the entity. Each id is
/// looked up on its own, as above: given 7,000 ids, `id = ANY($1)` was planned as a scan of
/// the whole table and a join as a hash of it (22 and 41 ms on 160,000 owners, against 10 ms
/// for 7,000 look-ups), and both grow with every product ever pushed.
const OWNERS_OF: &str = "SELECT o.entity, o.id, o.producer FROM unnest($1::bytea[]) AS k(id) \
     CROSS JOIN LATERAL (SELECT * FROM owners o WHERE o.id = k.id OFFSET 0) o";

/// What a group of pushes has read or written but not yet sent.
#[derive(Default)]
struct Pending {
    /// Known owners by (entity, id); `None`: known to have none.
    owners: HashMap<(String, Id), Option<Id>>,
    /// Ids whose owners rows were all read: an id here with no entry in `owners` has none.
    owners_read: HashSet<Id>,
    /// Answers by (device, seq); `None`: known not applied yet.
    applied: HashMap<(Id, i64), Option<String>>,
    new_owners: Vec<(String, Id, Id)>,
    new_applied: Vec<(Id, i64, String)>,
    new_feed: Vec<(Option<Id>, Id, String)>,
}

impl<'a, C: GenericClient> Tx<'a, C> {
    /// The store's statements on `tx`: a transaction, or a connection whose every statement
    /// commits on its own (a pull: see `PostgresStore::pull_ranged`).
    pub(super) fn new(tx: &'a mut C, statements: &'a mut Statements) -> Self {
        Tx {
            sql: Prepared::new(tx, statements),
            pending: Pending::default(),
        }
    }

    /// Reads in two statements what pushing `jobs` will look up: the answers already given to
    /// their (device, seq) pairs, and the owners of every id they change or refer to.
    pub(super) fn prefetch(&mut self, jobs: &[PushJob]) -> StoreResult<()> {
        let mut asked: Vec<(Id, i64)> = Vec::new();
        let mut ids = HashSet::new();
        for job in jobs {
            for entry in job.entries.iter().map(|prepared| &prepared.entry) {
                asked.push((job.device, entry.seq));
                self.pending.applied.insert((job.device, entry.seq), None);
                ids.insert(entry.change.id);
                // A change names what it belongs to in fields called `…_id` (`product_id`,
                // `variant_id`, ...); parsing every name and description as an id cost the
                // server 4% of its CPU under load. An id looked up that is not here is read
                // on its own when the logic asks.
                ids.extend(
                    entry
                        .change
                        .fields
                        .iter()
                        .filter(|(key, _)| key.ends_with("_id"))
                        .filter_map(|(_, v)| v.as_str()?.parse::<Id>().ok()),
                );
            }
        }
        let (devices, lows, highs) = runs(asked);
        for row in self.sql.query(ANSWERS_OF, &[&devices, &lows, &highs])? {
            // A run covers only seqs asked for, but a device may send one seq twice.
            if let Some(answer) = self.pending.applied.get_mut(&(id(row.get(0))?, row.get(1))) {
                *answer = Some(row.get(2));
            }
        }
        let ids: Vec<Id> = ids.into_iter().collect();
        let keys: Vec<Vec<u8>> = ids.iter().map(|i| b(*i)).collect();
        for row in self.sql.query(OWNERS_OF, &[&keys])? {
            self.pending
                .owners
                .insert((row.get(0), id(row.get(1))?), Some(id(row.get(2))?));
        }
        self.pending.owners_read.extend(ids);
        Ok(())
    }

    /// Writes what the group added, one statement per table, the feed last; the feed keeps the
    /// order the entries were applied in.
    pub(super) fn flush(&mut self) -> StoreResult<()> {
        let pending = std::mem::take(&mut self.pending);
        if !pending.new_owners.is_empty() {
            let (entities, ids, producers): (Vec<String>, Vec<Vec<u8>>, Vec<Vec<u8>>) = pending
                .new_owners
                .into_iter()
                .map(|(e, i, p)| (e, b(i), b(p)))
                .collect();
            self.sql.execute(
                "INSERT INTO owners(entity, id, producer) \
                 SELECT unnest($1::text[]), unnest($2::bytea[]), unnest($3::bytea[])",
                &[&entities, &ids, &producers],
            )?;
        }
        if !pending.new_applied.is_empty() {
            let (devices, seqs, outcomes): (Vec<Vec<u8>>, Vec<i64>, Vec<String>) = pending
                .new_applied
                .into_iter()
                .map(|(d, q, o)| (b(d), q, o))
                .collect();
            self.sql.execute(
                "INSERT INTO applied(device_id, seq, outcome) \
                 SELECT unnest($1::bytea[]), unnest($2::bigint[]), unnest($3::text[])",
                &[&devices, &seqs, &outcomes],
            )?;
        }
        if !pending.new_feed.is_empty() {
            let mut owners: Vec<Option<Vec<u8>>> = Vec::new();
            let (mut origins, mut changes) = (Vec::new(), Vec::new());
            for (owner, origin, change) in pending.new_feed {
                owners.push(owner.map(b));
                origins.push(b(origin));
                changes.push(change);
            }
            // Feed positions are taken in commit order across every server on this database:
            // from here to the commit no other transaction takes one (the feed is the group's
            // last write, so the lock is held for its insert and the commit alone). So when a
            // pull's snapshot sees a row, it sees every row below it that will ever commit, and
            // a cursor never passes a row still to come.
            self.sql.execute(
                "SELECT pg_advisory_xact_lock($1, 0)",
                &[&super::locks::FEED],
            )?;
            // Rows come out of unnest in array order, and take their sequence numbers so.
            // Unnested in the select list, three arrays side by side, the rows stream into the
            // insert; from `FROM unnest(...)` they were first copied into a store that spilt to
            // a temporary file past `work_mem` (4 MB of changes, a few thousand entries).
            self.sql.execute(
                "INSERT INTO feed(owner, origin, change) \
                 SELECT unnest($1::bytea[]), unnest($2::bytea[]), unnest($3::text[])",
                &[&owners, &origins, &changes],
            )?;
        }
        Ok(())
    }

    fn ids(
        &mut self,
        sql: &'static str,
        param: &(dyn postgres::types::ToSql + Sync),
    ) -> StoreResult<Vec<Id>> {
        self.sql
            .query(sql, &[param])?
            .into_iter()
            .map(|row| id(row.get(0)))
            .collect()
    }
}

/// The (device, seq) pairs as runs of consecutive seqs per device: three arrays (device,
/// first seq, last seq). A device that sends scattered seqs gets a run per seq, so no run
/// covers a seq it did not ask about.
fn runs(mut asked: Vec<(Id, i64)>) -> (Vec<Vec<u8>>, Vec<i64>, Vec<i64>) {
    asked.sort_unstable();
    asked.dedup();
    let (mut devices, mut lows, mut highs) = (Vec::new(), Vec::new(), Vec::<i64>::new());
    let mut last: Option<(Id, i64)> = None;
    for (device, seq) in asked {
        match (last, highs.last_mut()) {
            (Some((d, s)), Some(high)) if d == device && s.checked_add(1) == Some(seq) => {
                *high = seq;
            }
            _ => {
                devices.push(b(device));
                lows.push(seq);
                highs.push(seq);
            }
        }
        last = Some((device, seq));
    }
    (devices, lows, highs)
}

impl<C: GenericClient> Index for Tx<'_, C> {
    fn owner(&mut self, entity: &str, thing: Id) -> StoreResult<Option<Id>> {
        let key = (entity.to_owned(), thing);
        if let Some(known) = self.pending.owners.get(&key) {
            return Ok(*known);
        }
        if self.pending.owners_read.contains(&thing) {
            return Ok(None);
        }
        let row = self.sql.query_opt(
            "SELECT producer FROM owners WHERE entity = $1 AND id = $2",
            &[&entity, &b(thing)],
        )?;
        let owner = opt_id(row.map(|r| r.get(0)))?;
        self.pending.owners.insert(key, owner);
        Ok(owner)
    }

    fn registered_by(&mut self, producer: Id) -> StoreResult<Option<String>> {
        let row = self.sql.query_opt(
            "SELECT registered_by FROM registrations WHERE producer = $1",
            &[&b(producer)],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn admins_member(&mut self, admin: Id, producer: Id) -> StoreResult<bool> {
        Ok(self
            .sql
            .query_opt(
                "SELECT 1 FROM memberships a JOIN memberships m ON m.organisation = a.organisation \
                 WHERE a.member = $1 AND a.admin AND m.member = $2 AND NOT m.admin",
                &[&b(admin), &b(producer)],
            )?
            .is_some())
    }

    fn facilitator_producers(&mut self, facilitator: Id) -> StoreResult<Vec<Id>> {
        // A region's producers are one range of `registrations_by_region`: the codes from the
        // prefix up to the prefix followed by the last character there is, compared byte by
        // byte (codes are digits and dots).
        let rows = self.sql.query(
            "SELECT producer FROM registrations WHERE registered_by = $1 \
             UNION SELECT r.producer FROM assignments a JOIN registrations r \
             ON r.region COLLATE \"C\" >= a.region \
             AND r.region COLLATE \"C\" < a.region || chr(1114111) \
             WHERE a.facilitator = $2",
            &[&facilitator.to_string(), &b(facilitator)],
        )?;
        rows.into_iter().map(|row| id(row.get(0))).collect()
    }

    fn in_assigned_region(&mut self, facilitator: Id, producer: Id) -> StoreResult<bool> {
        Ok(self
            .sql
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

    fn organisation_creator(&mut self, organisation: Id) -> StoreResult<Option<Id>> {
        let row = self.sql.query_opt(
            "SELECT created_by FROM organisations WHERE id = $1",
            &[&b(organisation)],
        )?;
        opt_id(row.map(|r| r.get(0)))
    }

    fn administers(&mut self, user: Id, organisation: Id) -> StoreResult<bool> {
        Ok(self
            .sql
            .query_opt(
                "SELECT 1 FROM memberships WHERE organisation = $1 AND member = $2 AND admin",
                &[&b(organisation), &b(user)],
            )?
            .is_some())
    }
}

impl<C: GenericClient> Primitives for Tx<'_, C> {
    fn create_producer_account(
        &mut self,
        login: &str,
        secret_hash: &str,
        producer: Id,
    ) -> StoreResult<()> {
        // Only a phone (so never a staff name) with a hash of the server's own parameters.
        let (Some(login), true) = (
            sentra_core::normalise_phone(login),
            crate::accounts::is_server_hash(secret_hash),
        ) else {
            return Ok(());
        };
        self.sql.execute(
            "INSERT INTO accounts(user_id, login, secret_hash, role, producer_id) \
             VALUES ($1, $2, $3, 'producer', $4) ON CONFLICT DO NOTHING",
            &[&b(Id::new()), &login, &secret_hash, &b(producer)],
        )?;
        Ok(())
    }

    fn applied(&mut self, device: Id, seq: i64) -> StoreResult<Option<String>> {
        if let Some(known) = self.pending.applied.get(&(device, seq)) {
            return Ok(known.clone());
        }
        let row = self.sql.query_opt(
            "SELECT outcome FROM applied WHERE device_id = $1 AND seq = $2",
            &[&b(device), &seq],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn record_applied(&mut self, device: Id, seq: i64, outcome: &str) -> StoreResult<()> {
        self.pending
            .applied
            .insert((device, seq), Some(outcome.to_owned()));
        self.pending
            .new_applied
            .push((device, seq, outcome.to_owned()));
        Ok(())
    }

    fn append_feed(&mut self, owner: Option<Id>, origin: Id, change: &str) -> StoreResult<()> {
        self.pending
            .new_feed
            .push((owner, origin, change.to_owned()));
        Ok(())
    }

    fn set_owner(&mut self, entity: &str, thing: Id, producer: Id) -> StoreResult<()> {
        // First write wins. The row is inserted without ON CONFLICT: a group on another server
        // that wrote the same id first, after this group read it had no owner, makes this
        // group fail on the table's key rather than both claims be applied, and the request is
        // then written again alone, reading that owner (`logic::write_group`).
        if self.owner(entity, thing)?.is_none() {
            self.pending
                .owners
                .insert((entity.to_owned(), thing), Some(producer));
            self.pending
                .new_owners
                .push((entity.to_owned(), thing, producer));
        }
        Ok(())
    }

    fn set_registration(
        &mut self,
        producer: Id,
        registered_by: &str,
        region: &str,
    ) -> StoreResult<()> {
        self.sql.execute(
            "INSERT INTO registrations(producer, registered_by, region) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&b(producer), &registered_by, &region],
        )?;
        Ok(())
    }

    fn set_region(&mut self, producer: Id, region: &str) -> StoreResult<()> {
        self.sql.execute(
            "UPDATE registrations SET region = $1 WHERE producer = $2",
            &[&region, &b(producer)],
        )?;
        Ok(())
    }

    fn add_membership(&mut self, organisation: Id, member: Id, admin: bool) -> StoreResult<()> {
        self.sql.execute(
            "INSERT INTO memberships(organisation, member, admin) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&b(organisation), &b(member), &admin],
        )?;
        Ok(())
    }

    fn remove_membership(&mut self, organisation: Id, member: Id) -> StoreResult<()> {
        self.sql.execute(
            "DELETE FROM memberships WHERE organisation = $1 AND member = $2 AND NOT admin",
            &[&b(organisation), &b(member)],
        )?;
        Ok(())
    }

    fn add_organisation(&mut self, organisation: Id, creator: Id) -> StoreResult<()> {
        self.sql.execute(
            "INSERT INTO organisations(id, created_by) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&b(organisation), &b(creator)],
        )?;
        Ok(())
    }

    fn feed_last(&mut self) -> StoreResult<i64> {
        Ok(self
            .sql
            .query_one("SELECT coalesce(max(seq), 0) FROM feed", &[])?
            .get(0))
    }

    fn owners_before(&mut self, owners: &[Id], seq: i64) -> StoreResult<Vec<Id>> {
        let wanted: Vec<Vec<u8>> = owners.iter().map(|o| b(*o)).collect();
        let rows = self.sql.query(
            // One look-up in `feed_by_owner` per owner, whatever the plan: as a semi-join,
            // a plan made while the feed was small read the whole feed.
            "SELECT o.owner FROM unnest($1::bytea[]) AS o(owner) CROSS JOIN LATERAL ( \
               SELECT seq FROM feed WHERE feed.owner = o.owner AND seq <= $2 \
               ORDER BY seq LIMIT 1) first",
            &[&wanted, &seq],
        )?;
        rows.iter()
            .map(|r| {
                let bytes: Vec<u8> = r.get(0);
                let bytes: [u8; 16] = bytes
                    .try_into()
                    .map_err(|_| "an owner in the feed is not an id")?;
                Ok(Id::from_bytes(bytes))
            })
            .collect()
    }

    fn feed_after(
        &mut self,
        after: i64,
        last: i64,
        owners: Option<&[Id]>,
        limit: i64,
    ) -> StoreResult<Vec<FeedRow>> {
        let rows = match owners {
            None => self.sql.query(
                "SELECT seq, owner, origin, change FROM feed \
                 WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                &[&after, &last, &limit],
            )?,
            // One index range per owner (and one for rows owned by no one), merged in order,
            // in one round trip.
            Some(owners) => {
                let owners: Vec<Vec<u8>> = owners.iter().map(|o| b(*o)).collect();
                self.sql.query(
                    "SELECT seq, owner, origin, change FROM ( \
                       SELECT f.* FROM unnest($1::bytea[]) AS o(owner) CROSS JOIN LATERAL ( \
                         SELECT seq, owner, origin, change FROM feed \
                         WHERE feed.owner = o.owner AND seq > $2 AND seq <= $3 \
                         ORDER BY seq LIMIT $4) f \
                       UNION ALL \
                       (SELECT seq, owner, origin, change FROM feed \
                        WHERE owner IS NULL AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4) \
                     ) rows ORDER BY seq LIMIT $4",
                    &[&owners, &after, &last, &limit],
                )?
            }
        };
        rows.into_iter()
            .map(|r| Ok((r.get(0), opt_id(r.get(1))?, id(r.get(2))?, r.get(3))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::conn::{Conn, Plans};
    use super::{ANSWERS_OF, OWNERS_OF};
    use postgres::{Client, NoTls};

    /// The plan PostgreSQL runs for `sql` with `params` on `client`, with the pages it touched
    /// (the first `Buffers:` line, which counts the whole tree).
    fn explain(
        client: &mut Client,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> (String, i64) {
        let plan: Vec<String> = client
            .query(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"), params)
            .unwrap()
            .iter()
            .map(|row| row.get::<_, String>(0).chars().take(160).collect())
            .collect();
        let buffers = plan
            .iter()
            .find_map(|line| line.trim().strip_prefix("Buffers: shared "))
            .unwrap_or_else(|| panic!("no buffers in the plan: {plan:#?}"));
        let pages = buffers
            .split_whitespace()
            .filter_map(|part| part.split_once('='))
            .filter(|(kind, _)| matches!(*kind, "hit" | "read"))
            .map(|(_, n)| n.parse::<i64>().unwrap())
            .sum();
        (plan.join("\n"), pages)
    }

    /// A group's two look-ups go by index, an entry's worth at a time, however big the tables
    /// have grown and however many entries the group holds: a group of 350 devices' pushes of
    /// 20 entries each had both tables scanned whole (`scripts/bench load`, `auto_explain`),
    /// which slowed every push as the database grew.
    #[test]
    fn a_groups_look_ups_go_by_index_however_big_the_tables_and_the_group() {
        let Some(conninfo) = super::super::test_database::fresh_test_database() else {
            return;
        };
        // Set up as the writer's connection is.
        let mut client =
            Conn::new(Client::connect(&conninfo, NoTls).unwrap(), Plans::ForValues).unwrap();
        // 100,000 owners and answers, as after some weeks of a region's pushes; analysed, so
        // the planner knows how big they are.
        client
            .batch_execute(
                "INSERT INTO owners(entity, id, producer) \
                 SELECT (ARRAY['product', 'variant', 'order'])[g % 3 + 1], \
                        decode(md5(g::text), 'hex'), decode(md5((g % 500)::text), 'hex') \
                 FROM generate_series(1, 100000) AS g; \
                 INSERT INTO applied(device_id, seq, outcome) \
                 SELECT decode(md5((g % 700)::text), 'hex'), g, 'applied' \
                 FROM generate_series(1, 100000) AS g; \
                 ANALYZE owners; ANALYZE applied;",
            )
            .unwrap();

        // A few entries: three ids that have owners and one that has none.
        let ids = md5s(&mut client, &[7, 30_001, 59_999, 123_456]);
        let (plan, pages) = explain(&mut client, OWNERS_OF, &[&ids]);
        assert!(pages < 40, "owners of 4 ids: {pages} pages\n{plan}");
        let found = client.query(OWNERS_OF, &[&ids]).unwrap();
        assert_eq!(found.len(), 3, "three of the four ids have owners");

        // A group: 14,000 new ids, and 350 devices' next 20 entries, one run each. Nothing
        // is compiled: the owners' look-up is costly enough on paper for PostgreSQL to compile
        // it, which took five times as long as running it.
        let many: Vec<i32> = (200_001..214_001).collect();
        let ids = md5s(&mut client, &many);
        let (plan, _) = explain(&mut client, OWNERS_OF, &[&ids]);
        assert!(
            !plan.contains("Seq Scan on owners") && !plan.contains("Hash"),
            "owners of 14,000 ids:\n{plan}"
        );
        assert!(!plan.contains("JIT"), "owners of 14,000 ids:\n{plan}");
        let devices = md5s(&mut client, &(1_000..1_350).collect::<Vec<i32>>());
        let lows = vec![200_001_i64; devices.len()];
        let highs = vec![200_020_i64; devices.len()];
        let (plan, pages) = explain(&mut client, ANSWERS_OF, &[&devices, &lows, &highs]);
        assert!(
            !plan.contains("Seq Scan on applied") && !plan.contains("Hash"),
            "answers to 7,000 entries:\n{plan}"
        );
        assert!(!plan.contains("JIT"), "answers to 7,000 entries:\n{plan}");
        assert!(
            pages < 350 * 5,
            "answers to 350 runs: {pages} pages\n{plan}"
        );

        // Runs find the answers inside them, and only those: device 7 answered seqs 7, 707,
        // 1407 and so on, device 8 seqs 8, 708 and so on.
        let devices = md5s(&mut client, &[7, 8]);
        let rows = client
            .query(
                ANSWERS_OF,
                &[&devices, &vec![1_i64, 9], &vec![700_i64, 707]],
            )
            .unwrap();
        let seqs: Vec<i64> = rows.iter().map(|row| row.get(1)).collect();
        assert_eq!(
            seqs,
            vec![7],
            "device 7's seq 7; nothing of device 8 in 9..=707"
        );
    }

    /// `decode(md5(n::text), 'hex')` for each of `numbers`: the ids the tables were filled with.
    fn md5s(client: &mut Client, numbers: &[i32]) -> Vec<Vec<u8>> {
        client
            .query(
                "SELECT decode(md5(n::text), 'hex') FROM unnest($1::int4[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
                &[&numbers],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    }
}
