//! The read connections plan each statement once, for any values (`conn::Plans::Once`), and
//! keep that plan while the tables grow. A server starts on empty tables, so this checks the
//! worst case: every statement the readers run is planned on empty tables (no statistics, and
//! autovacuum kept from analysing them), the tables then grow to tens of thousands of rows,
//! and the same calls must still read only the rows they are about.
//!
//! It goes through the store's own calls, so a read added later is covered when it is added
//! here; what it counts is PostgreSQL's own tally of rows each table gave to scans
//! (`pg_stat_user_tables`: `seq_tup_read` + `idx_tup_fetch`), which the connections report
//! when they close.

use super::{PostgresStore, b};
use crate::accounts::token_hash;
use crate::limits::{AttemptKey, RateLimit};
use crate::store::{PullAsk, Store};
use postgres::{Client, NoTls};
use sentra_core::{Id, Role};
use std::collections::BTreeMap;

/// Rows put in each big table.
const ROWS: i64 = 40_000;

/// A moment whose request-bucket sweep does not run, in Unix ms. The sweep reads the whole
/// bucket table by design, on one request in 4,096 (`sweep_buckets`); `sweeping` below checks
/// what it keeps and forgets.
fn now() -> i64 {
    let now = crate::now_ms();
    if super::buckets::sweeps(now) {
        now + 1
    } else {
        now
    }
}

/// One signed-in account and the device it uses.
struct Signed {
    account: crate::accounts::Account,
    device: Id,
    login: String,
    token: String,
}

fn sign_up(store: &PostgresStore, login: &str, role: Role, producer: Option<Id>) -> Signed {
    let account = store
        .create_account(login, "not-a-real-hash", role, producer)
        .unwrap()
        .unwrap();
    let device = Id::new();
    let token = format!("token-of-{login}");
    store
        .issue_token(account.user_id, device, &token_hash(&token), now())
        .unwrap();
    Signed {
        account,
        device,
        login: login.to_owned(),
        token,
    }
}

/// Every read the read connections do, once for each account: a request's bucket and
/// session, a sign-in's look-ups, an answer, a pull from the start and from the cursor it
/// gave (for a facilitator, after a producer joined its scope), a scope, a search and an
/// order key.
fn read_everything(store: &PostgresStore, admin: &mut Client, accounts: &[Signed], round: u8) {
    for signed in accounts {
        let hash = token_hash(&signed.token);
        let (allowed, session) = store
            .take_request_and_session(&hash, RateLimit::default(), now())
            .unwrap()
            .unwrap();
        assert!(allowed);
        assert_eq!(session.unwrap().1, signed.device);
        assert!(store.session(&hash).unwrap().is_some());
        assert!(store.credentials(&signed.login).unwrap().is_some());
        let key = AttemptKey {
            address: "10.0.0.1".into(),
            device: Some(signed.device),
            login: signed.login.clone(),
        };
        store
            .failures(&key, Id::new(), now() - 60_000, now() - 3_600_000)
            .unwrap();
        assert!(!store.answered(signed.device, 1).unwrap());
        let ask = |cursor| PullAsk {
            cursor,
            until: None,
            ahead: 0,
            max_bytes: 1 << 20,
        };
        let first = store
            .pull_ranged(&signed.account, signed.device, &ask(None), now())
            .unwrap()
            .0;
        if signed.account.role == Role::Facilitator {
            // A producer newly registered by the facilitator: its scope grew since the cursor.
            admin
                .execute(
                    "INSERT INTO registrations(producer, registered_by, region) VALUES ($1, $2, '')",
                    &[
                        &b(Id::new()),
                        &signed.account.user_id.to_string(),
                    ],
                )
                .unwrap();
        }
        store
            .pull_ranged(
                &signed.account,
                signed.device,
                &ask(Some(&first.next_cursor)),
                now(),
            )
            .unwrap();
        let visible = store.visible(&signed.account).unwrap();
        if signed.account.role != Role::Producer {
            // The region's producer and those registered by the facilitator, or the member.
            let expected = if signed.account.role == Role::Facilitator {
                2 + usize::from(round)
            } else {
                1
            };
            let seen = match &visible {
                crate::scope::Visible::Producers(producers) => producers.len(),
                crate::scope::Visible::All => usize::MAX,
            };
            assert_eq!(seen, expected, "{:?}", signed.account.role);
        }
    }
    let found = store.search_products(&["tenun".into()], 20).unwrap();
    assert_eq!(found.len(), if round == 0 { 0 } else { 3 });
    assert!(store.order_request_hash("no-such-key").unwrap().is_none());
}

/// Rows each table has given to scans so far.
fn rows_read(admin: &mut Client) -> BTreeMap<String, i64> {
    admin
        .query(
            "SELECT relname::text, seq_tup_read + coalesce(idx_tup_fetch, 0) \
             FROM pg_stat_user_tables",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

#[test]
fn the_readers_plans_made_on_empty_tables_read_a_few_rows_once_the_tables_are_big() {
    let Some(conninfo) = super::test_database::fresh_test_database() else {
        return;
    };
    let mut admin = Client::connect(&conninfo, NoTls).unwrap();
    // Nothing analyses the tables in between: the plans made on empty ones are kept.
    let tables: Vec<String> = admin
        .query("SELECT relname::text FROM pg_stat_user_tables", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    for table in &tables {
        admin
            .batch_execute(&format!(
                "ALTER TABLE {table} SET (autovacuum_enabled = off)"
            ))
            .unwrap();
    }

    let store = PostgresStore::connect(&conninfo).unwrap();
    let producer = Id::new();
    let accounts = vec![
        sign_up(&store, "081200000001", Role::Producer, Some(producer)),
        sign_up(&store, "fasilitator-1", Role::Facilitator, None),
        sign_up(&store, "koperasi-1", Role::CooperativeAdmin, None),
    ];
    // The facilitator's region, and a producer in it.
    store
        .assign_region(accounts[1].account.user_id, "35.10")
        .unwrap();
    admin
        .execute(
            "INSERT INTO registrations(producer, registered_by, region) VALUES ($1, 'self', '35.10.04')",
            &[&b(Id::new())],
        )
        .unwrap();
    let cooperative = Id::new();
    admin
        .execute(
            "INSERT INTO memberships(organisation, member, admin) VALUES ($1, $2, TRUE), ($1, $3, FALSE)",
            &[
                &b(cooperative),
                &b(accounts[2].account.user_id),
                &b(producer),
            ],
        )
        .unwrap();
    // On empty tables: the plans are made here.
    read_everything(&store, &mut admin, &accounts, 0);

    // Weeks of other people's data, and a few rows of these accounts' own.
    let now = now();
    admin
        .batch_execute(&format!(
            "INSERT INTO accounts(user_id, login, secret_hash, role, producer_id) \
               SELECT decode(md5('a' || g), 'hex'), '0813' || g, 'h', 'producer', \
                      decode(md5('p' || g), 'hex') FROM generate_series(1, {ROWS}) g; \
             INSERT INTO tokens(hash, user_id, device_id, created_at) \
               SELECT decode(md5('t' || g), 'hex'), decode(md5('a' || g), 'hex'), \
                      decode(md5('d' || g), 'hex'), {now} FROM generate_series(1, {ROWS}) g; \
             INSERT INTO request_buckets(token_hash, tokens, at, allowed) \
               SELECT decode(md5('t' || g), 'hex'), 100, {now}, TRUE \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO login_failures(attempt, at, address, device, login) \
               SELECT decode(md5('f' || g), 'hex'), {now} - g, '10.1.' || (g % 250), \
                      decode(md5('d' || g), 'hex'), '0813' || g FROM generate_series(1, {ROWS}) g; \
             INSERT INTO applied(device_id, seq, outcome) \
               SELECT decode(md5('d' || (g % 400)), 'hex'), g, 'applied' \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO owners(entity, id, producer) \
               SELECT 'product', decode(md5('i' || g), 'hex'), decode(md5('p' || (g % 400)), 'hex') \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO feed(owner, origin, change) \
               SELECT decode(md5('p' || (g % 400)), 'hex'), decode(md5('d' || g), 'hex'), '{{}}' \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO registrations(producer, registered_by, region) \
               SELECT decode(md5('p' || g), 'hex'), 'self', '33.27.' || (g % 90) \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO memberships(organisation, member, admin) \
               SELECT decode(md5('o' || (g % 300)), 'hex'), decode(md5('p' || g), 'hex'), FALSE \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO product_search(id, doc) \
               SELECT decode(md5('i' || g), 'hex'), to_tsvector('simple', 'kain batik ' || g) \
               FROM generate_series(1, {ROWS}) g; \
             INSERT INTO product_search(id, doc) \
               SELECT decode(md5('tenun' || g), 'hex'), to_tsvector('simple', 'tenun ikat') \
               FROM generate_series(1, 3) g; \
             INSERT INTO order_request_keys(key, body_hash, created_at) \
               SELECT 'key-' || g, '\\x00', {now} FROM generate_series(1, {ROWS}) g;"
        ))
        .unwrap();
    // What the connections have reported so far is subtracted; what they have not reported
    // yet was read from empty tables (or is these accounts' own few rows).
    let before = rows_read(&mut admin);
    read_everything(&store, &mut admin, &accounts, 1);
    // The connections report what they read when they close.
    drop(store);
    let mut after = rows_read(&mut admin);
    for _ in 0..100 {
        let others: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0);
        if others == 0 {
            // Each query outside a transaction sees the statistics of that moment.
            after = rows_read(&mut admin);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let read: BTreeMap<&String, i64> = after
        .iter()
        .map(|(table, n)| (table, n - before.get(table).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    // Three accounts, each with its own few rows: far below a table's worth.
    for (table, n) in &read {
        assert!(
            *n < 200,
            "{table}: {n} rows read by the second round of calls (all: {read:?})"
        );
    }
}
