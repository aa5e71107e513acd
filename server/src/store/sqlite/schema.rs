//! The embedded SQLite backend's tables, created when the store is opened.

/// Tables of the server's store.
pub(super) const SCHEMA: &str = r#"
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
-- A facilitator's producers: those it registered, and those in the regions it is assigned
-- (a range of codes).
CREATE INDEX IF NOT EXISTS registrations_by_registrar ON registrations(registered_by);
CREATE INDEX IF NOT EXISTS registrations_by_region ON registrations(region);

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
-- The organisations a user administers, for a cooperative admin's scope.
CREATE INDEX IF NOT EXISTS memberships_by_member ON memberships(member);

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
