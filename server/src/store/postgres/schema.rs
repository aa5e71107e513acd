//! The PostgreSQL backend's tables, created when a server first connects.
//!
//! Each statement runs in a transaction of its own ([`statements`]). `CREATE INDEX IF NOT
//! EXISTS` locks its table even when the index exists; run as one batch, a server starting
//! beside others that were pushing held `feed` while it waited for `owners`, and a push holds
//! `owners` while it waits for `feed`: PostgreSQL broke the deadlock by failing one of them.

/// The server's tables (see the SQLite backend for what each holds).
pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS accounts (
    user_id BYTEA PRIMARY KEY, login TEXT NOT NULL UNIQUE, secret_hash TEXT NOT NULL,
    role TEXT NOT NULL, producer_id BYTEA,
    failed BIGINT NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS login_failures (
    attempt BYTEA NOT NULL, at BIGINT NOT NULL, address TEXT NOT NULL, device BYTEA,
    login TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_by_device ON login_failures(device, at);
CREATE INDEX IF NOT EXISTS login_failures_by_address ON login_failures(address, login, at);
CREATE INDEX IF NOT EXISTS login_failures_by_login ON login_failures(login, at);
CREATE INDEX IF NOT EXISTS login_failures_by_time ON login_failures(at);
CREATE INDEX IF NOT EXISTS login_failures_by_attempt ON login_failures(attempt);
CREATE TABLE IF NOT EXISTS tokens (
    hash BYTEA PRIMARY KEY, user_id BYTEA NOT NULL, device_id BYTEA NOT NULL,
    created_at BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS applied (
    device_id BYTEA NOT NULL, seq BIGINT NOT NULL, outcome TEXT NOT NULL,
    PRIMARY KEY (device_id, seq));
CREATE TABLE IF NOT EXISTS feed (
    seq BIGSERIAL PRIMARY KEY, owner BYTEA, origin BYTEA NOT NULL, change TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feed_by_owner ON feed(owner, seq);
-- The rows owned by no one, which every scoped pull reads after its producers' own: in seq
-- order without passing the owned rows between them, whatever plan the pull was given.
CREATE INDEX IF NOT EXISTS feed_unowned ON feed(seq) WHERE owner IS NULL;
CREATE TABLE IF NOT EXISTS owners (
    entity TEXT NOT NULL, id BYTEA NOT NULL, producer BYTEA NOT NULL, PRIMARY KEY (entity, id));
-- A push's owners are read by id alone (an id in a field does not say what it names).
CREATE INDEX IF NOT EXISTS owners_by_id ON owners(id);
CREATE TABLE IF NOT EXISTS registrations (
    producer BYTEA PRIMARY KEY, registered_by TEXT NOT NULL, region TEXT NOT NULL DEFAULT '');
-- A facilitator's producers: those it registered, and those in the regions it is assigned
-- (a range of codes, byte by byte).
CREATE INDEX IF NOT EXISTS registrations_by_registrar ON registrations(registered_by);
CREATE INDEX IF NOT EXISTS registrations_by_region ON registrations((region COLLATE "C"));
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
-- The organisations a user administers, for a cooperative admin's scope.
CREATE INDEX IF NOT EXISTS memberships_by_member ON memberships(member);
CREATE TABLE IF NOT EXISTS organisations (
    id BYTEA PRIMARY KEY, created_by BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS order_throttles (
    key TEXT PRIMARY KEY, window_end BIGINT NOT NULL, hits BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS order_throttles_by_end ON order_throttles(window_end);
-- Each bearer token's request bucket (see limits.rs): requests left, as of `at` (Unix ms), and
-- whether the last request took one. Unlogged: a crash forgets them, which only refills them.
-- Every request rewrites its row, in place: with no index on `at` and half of each page left
-- free, the new version goes on the same page and no index changes (a HOT update). The sweep
-- that forgets idle buckets reads the table instead (see `sweep_buckets`): the index it used
-- was written on every request, and servers before 2026-12-05 made it.
CREATE UNLOGGED TABLE IF NOT EXISTS request_buckets (
    token_hash BYTEA PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL,
    allowed BOOLEAN NOT NULL) WITH (fillfactor = 50);
DROP INDEX IF EXISTS request_buckets_by_time;
-- Photos by content hash, shared by every server on the database, and the chunks of uploads
-- in progress by the byte they start at (see blobs.rs).
CREATE TABLE IF NOT EXISTS photos (hash TEXT PRIMARY KEY, bytes BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS photo_parts (
    hash TEXT NOT NULL, at BIGINT NOT NULL, bytes BYTEA NOT NULL, PRIMARY KEY (hash, at));
CREATE TABLE IF NOT EXISTS order_request_keys (
    key TEXT PRIMARY KEY, body_hash BYTEA NOT NULL, created_at BIGINT NOT NULL);
"#;

/// The statements of [`SCHEMA`], one by one (none has a `;` inside it).
pub(super) fn statements() -> impl Iterator<Item = &'static str> {
    SCHEMA
        .split_terminator(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::statements;
    use postgres::{Client, NoTls};
    use std::time::Duration;

    #[test]
    fn every_piece_is_one_whole_statement() {
        let pieces: Vec<&str> = statements().collect();
        assert_eq!(pieces.len(), super::SCHEMA.matches(';').count());
        for piece in pieces {
            let code: Vec<&str> = piece.lines().filter(|l| !l.starts_with("--")).collect();
            // What a server makes, or what servers before it made and it no longer keeps.
            assert!(
                code[0].starts_with("CREATE ") || code[0].starts_with("DROP INDEX IF EXISTS "),
                "{piece}"
            );
        }
    }

    /// A server starts while another is half-way through a push (it has written owners and
    /// has yet to write the feed): both finish.
    #[test]
    fn a_server_starting_beside_a_push_in_progress_waits_for_it_and_both_finish() {
        let Some(conninfo) = super::super::test_database::fresh_test_database() else {
            return;
        };
        let mut pusher = Client::connect(&conninfo, NoTls).unwrap();
        let mut push = pusher.transaction().unwrap();
        push.execute(
            "INSERT INTO owners(entity, id, producer) VALUES ('product', '\\x01', '\\x02')",
            &[],
        )
        .unwrap();
        let starting = std::thread::spawn({
            let conninfo = conninfo.clone();
            move || super::super::PostgresStore::connect(&conninfo).map(drop)
        });
        // The starting server reaches the index on owners and waits for the push.
        std::thread::sleep(Duration::from_millis(500));
        push.execute(
            "INSERT INTO feed(owner, origin, change) VALUES ('\\x02', '\\x03', '{}')",
            &[],
        )
        .unwrap();
        push.commit().unwrap();
        starting.join().unwrap().unwrap();
    }
}
