//! Each bearer token's request bucket (see `limits.rs`) on PostgreSQL, shared by every server
//! on the database: a request's take, with its session in the same round trip, and the sweep
//! that forgets idle buckets.

use super::conn::Conn;
use super::{id, opt_id};
use crate::accounts::{Account, oldest_live_token};
use crate::limits::RateLimit;
use crate::store::{Session, StoreResult, parse_role};

/// Takes a request from the bucket of `token_hash` (sweeping now and then first): whether it
/// was allowed, and the token's session if it is live.
pub(super) fn take_request_and_session(
    conn: &mut Conn,
    token_hash: &[u8],
    limit: RateLimit,
    now: i64,
) -> StoreResult<(bool, Option<Session>)> {
    sweep_buckets(conn, limit, now)?;
    // One round trip for what every request asks first: the bucket's take, and the
    // session (the take's row is always there, the session's only for a live token).
    let row = conn.query_one(
        // The take is one statement, so servers taking from the same bucket at once never
        // lose a take ($1 the token's hash, $2 the burst, $3 the refill per second, $4 now).
        "WITH taken AS ( \
           INSERT INTO request_buckets AS b(token_hash, tokens, at, allowed) \
           VALUES ($1, $2::float8 - 1, $4::bigint, $2::float8 >= 1) \
           ON CONFLICT (token_hash) DO UPDATE SET (tokens, allowed, at) = ( \
             SELECT left_now - CASE WHEN left_now >= 1 THEN 1 ELSE 0 END, left_now >= 1, \
                    greatest(b.at, $4::bigint) \
             FROM (SELECT least($2::float8, \
                     b.tokens + greatest($4::bigint - b.at, 0) * $3::float8 / 1000.0) \
                   AS left_now) refilled) \
           RETURNING allowed) \
         SELECT taken.allowed, a.user_id, a.role, a.producer_id, t.device_id FROM taken \
         LEFT JOIN tokens t ON t.hash = $1 AND NOT t.revoked AND t.created_at > $5 \
         LEFT JOIN accounts a ON a.user_id = t.user_id",
        &[
            &token_hash,
            &limit.burst,
            &limit.per_second,
            &now,
            &oldest_live_token(),
        ],
    )?;
    let allowed: bool = row.get(0);
    let session = match (
        row.get::<_, Option<Vec<u8>>>(1),
        row.get::<_, Option<Vec<u8>>>(4),
    ) {
        (Some(user), Some(device)) => {
            let role: String = row.get(2);
            let account = Account {
                user_id: id(user)?,
                role: parse_role(&role),
                producer_id: opt_id(row.get(3))?,
            };
            Some((account, id(device)?))
        }
        _ => None,
    };
    Ok((allowed, session))
}

/// Whether a request taken at `now` (Unix ms) sweeps the buckets: about one in 4,096.
pub(super) fn sweeps(now: i64) -> bool {
    now % 4096 == 0
}

/// Now and then, forgets the buckets idle for as long as it takes to refill (full: forgetting
/// one changes nothing). It reads the whole table (the buckets of the tokens used since the
/// last sweep or within a refill), which costs less than an index on `at` would on every
/// request: such an index made each take rewrite two index entries (`scripts/bench load`,
/// `pg_stat_statements`: 0.051 ms a take with it, 0.039 without).
fn sweep_buckets(conn: &mut Conn, limit: RateLimit, now: i64) -> StoreResult<()> {
    let refill_ms = (limit.burst / limit.per_second.max(1e-9) * 1000.0).min(1e12) as i64;
    if sweeps(now) {
        conn.execute(
            "DELETE FROM request_buckets WHERE at < $1",
            &[&(now - refill_ms)],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::PostgresStore;
    use super::sweeps;
    use crate::limits::RateLimit;
    use crate::store::Store;
    use postgres::{Client, NoTls};

    /// The buckets a sweep forgets are those idle for a whole refill (full again); the index
    /// on `at` that servers before 2026-12-05 made is dropped when a server starts, so a
    /// bucket's take is rewritten in place.
    #[test]
    fn a_sweep_forgets_only_idle_buckets_and_no_index_is_kept_on_their_time() {
        let Some(conninfo) = super::super::test_database::fresh_test_database() else {
            return;
        };
        let mut admin = Client::connect(&conninfo, NoTls).unwrap();
        admin
            .batch_execute("CREATE INDEX request_buckets_by_time ON request_buckets(at)")
            .unwrap();
        let store = PostgresStore::connect(&conninfo).unwrap();
        let indexes: Vec<String> = admin
            .query(
                "SELECT indexname::text FROM pg_indexes WHERE tablename = 'request_buckets'",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(indexes, ["request_buckets_pkey"]);

        let limit = RateLimit::default();
        let refill_ms = (limit.burst / limit.per_second * 1000.0) as i64;
        let now = crate::now_ms() / 4096 * 4096;
        assert!(sweeps(now));
        for (hash, at) in [("idle", now - refill_ms - 1), ("recent", now - 1_000)] {
            admin
                .execute(
                    "INSERT INTO request_buckets(token_hash, tokens, at, allowed) \
                     VALUES ($1, 1, $2, TRUE)",
                    &[&hash.as_bytes(), &at],
                )
                .unwrap();
        }
        // A request that is not a sweep's keeps both; one that is forgets the idle one.
        let (allowed, session) = store
            .take_request_and_session(b"someone", limit, now + 1)
            .unwrap()
            .unwrap();
        assert!(allowed && session.is_none());
        let kept = |admin: &mut Client| -> Vec<String> {
            admin
                .query(
                    "SELECT convert_from(token_hash, 'UTF8') FROM request_buckets \
                     ORDER BY token_hash",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect()
        };
        assert_eq!(kept(&mut admin), ["idle", "recent", "someone"]);
        store
            .take_request_and_session(b"someone", limit, now + 4096)
            .unwrap()
            .unwrap();
        assert_eq!(kept(&mut admin), ["recent", "someone"]);
    }
}
