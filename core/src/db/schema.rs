//! The schema and its migrations.
//!
//! `PRAGMA user_version` holds the schema version. [`MIGRATIONS`] is an ordered list: entry `n`
//! upgrades a version-`n` database to version `n + 1`, so a fresh file runs them all and an old
//! file runs only the steps it lacks, in one transaction. `PRAGMA application_id` marks the file
//! as Sentra's, so another app's SQLite file is refused rather than altered.
//!
//! Every schema change appends a step here and commits a snapshot of the previous version under
//! `core/tests/schema_snapshots/`; the migration test opens each snapshot, upgrades it, and
//! checks the result equals a fresh database.
//!
//! Ids are 16-byte UUIDv7 blobs. Timestamps named `*_at` are Unix milliseconds. `hlc` columns hold
//! the packed hybrid-logical-clock time of a row's creation ([`crate::sync::clock::Hlc::packed`]);
//! `clocks` holds a JSON object of field → full HLC for fields edited after creation (NULL when
//! none), which is what per-field last-write-wins merges compare.

/// `PRAGMA application_id` of a Sentra database: ASCII "SNTR".
pub const APPLICATION_ID: i32 = 0x534E_5452;

/// The ordered migrations. The schema version is the number of steps applied.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

const V1: &str = r#"
-- Key/value facts about this database: device id, clock state, next outbox sequence, account.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Producers (UMKM), registered by themselves or by a facilitator.
CREATE TABLE producers (
    id              BLOB PRIMARY KEY,
    business_name   TEXT NOT NULL,
    owner_name      TEXT NOT NULL,
    phone           TEXT NOT NULL,            -- normalised, +62…
    address         TEXT NOT NULL,
    region_code     TEXT NOT NULL,            -- Kemendagri code, 4, 6 or 10 digits
    sector          TEXT NOT NULL,            -- fashion_textiles | food_beverage | crafts | processed_agriculture | other
    workforce       INTEGER NOT NULL,
    year_founded    INTEGER,
    nib             TEXT,                     -- 13 digits, optional
    certifications  TEXT NOT NULL DEFAULT '', -- comma-separated: halal,pirt,sni,bpom,other
    consent_publish INTEGER NOT NULL DEFAULT 0,
    consent_date    TEXT,                     -- YYYY-MM-DD the consent was given
    registered_by   TEXT NOT NULL,            -- 'self' or the facilitator's user id
    created_at      INTEGER NOT NULL,
    hlc             INTEGER NOT NULL,
    clocks          TEXT
) WITHOUT ROWID;
CREATE INDEX producers_by_name ON producers(business_name COLLATE NOCASE);

-- Clusters and cooperatives.
CREATE TABLE organisations (
    id          BLOB PRIMARY KEY,
    kind        TEXT NOT NULL,                -- cluster | cooperative
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL,
    clocks      TEXT
) WITHOUT ROWID;

-- Producers that belong to an organisation.
CREATE TABLE organisation_members (
    organisation_id BLOB NOT NULL,
    producer_id     BLOB NOT NULL,
    hlc             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, producer_id)
) WITHOUT ROWID;

-- User accounts that administer an organisation.
CREATE TABLE organisation_admins (
    organisation_id BLOB NOT NULL,
    user_id         BLOB NOT NULL,
    hlc             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, user_id)
) WITHOUT ROWID;

-- Products. The integer rowid exists for the full-text index; `id` is the synced identity.
CREATE TABLE products (
    rowid        INTEGER PRIMARY KEY,
    id           BLOB NOT NULL UNIQUE,
    producer_id  BLOB NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    category     TEXT NOT NULL,
    unit         TEXT NOT NULL,               -- pcs | lusin | kodi | kg | ton | liter | pack | …
    price        INTEGER NOT NULL,            -- rupiah per unit
    min_order    INTEGER NOT NULL,
    weight_g     INTEGER NOT NULL,
    length_cm    INTEGER NOT NULL,
    width_cm     INTEGER NOT NULL,
    height_cm    INTEGER NOT NULL,
    status       TEXT NOT NULL,               -- draft | listed | unlisted
    tier1        TEXT,                        -- first variant tier name, e.g. 'Ukuran'
    tier2        TEXT,                        -- second tier name, e.g. 'Warna'
    created_at   INTEGER NOT NULL,
    hlc          INTEGER NOT NULL,
    clocks       TEXT
);
CREATE INDEX products_newest ON products(created_at);
CREATE INDEX products_by_producer ON products(producer_id);

-- Full-text search over products, diacritics folded. `detail=column` keeps no word positions
-- (searches are words-as-prefixes, never phrases), which pays for the 2- and 3-letter prefix
-- indexes that make a short prefix such as "ba" one doclist instead of hundreds.
CREATE VIRTUAL TABLE products_fts USING fts5(
    name, description, category,
    content = 'products', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    detail = column,
    prefix = '2 3'
);
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name, description, category)
    VALUES (new.rowid, new.name, new.description, new.category);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, description, category)
    VALUES ('delete', old.rowid, old.name, old.description, old.category);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description, category ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name, description, category)
    VALUES ('delete', old.rowid, old.name, old.description, old.category);
    INSERT INTO products_fts(rowid, name, description, category)
    VALUES (new.rowid, new.name, new.description, new.category);
END;

-- Variants: up to two tiers of options. `stock` caches the sum of the variant's movements and
-- is updated in the same transaction as every movement; negative means oversold. A variant's id
-- is a child of its product's id (same first 12 bytes), so a product's variants are one range of
-- the primary key: `id BETWEEN sentra_first_child(p) AND sentra_last_child(p)`, no extra index.
CREATE TABLE variants (
    id          BLOB PRIMARY KEY,
    product_id  BLOB NOT NULL,
    position    INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    option1     TEXT,
    option2     TEXT,
    price       INTEGER,                      -- overrides the product price when set
    stock       INTEGER NOT NULL DEFAULT 0,
    hlc         INTEGER NOT NULL,
    clocks      TEXT
) WITHOUT ROWID;

-- Stock movements, append-only; concurrent ones from different devices all count.
CREATE TABLE stock_movements (
    id          BLOB PRIMARY KEY,
    variant_id  BLOB NOT NULL,
    kind        TEXT NOT NULL,                -- restock | sale | reserve | release | adjust
    delta       INTEGER NOT NULL,             -- signed change in units
    ref_id      BLOB,                         -- the order or sale that caused it
    at          INTEGER NOT NULL
) WITHOUT ROWID;

-- The ordered photos of a product or a producer. The photo pipeline fills in the files.
CREATE TABLE photos (
    id          BLOB PRIMARY KEY,
    owner_id    BLOB NOT NULL,                -- a product or a producer
    position    INTEGER NOT NULL,
    hash        TEXT NOT NULL,                -- content hash of the display image
    hlc         INTEGER NOT NULL,
    clocks      TEXT
) WITHOUT ROWID;
CREATE INDEX photos_by_owner ON photos(owner_id, position);

-- Orders, from the storefront, a facilitator or a cooperative.
CREATE TABLE orders (
    id             BLOB PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,      -- short code the buyer sees
    producer_id    BLOB NOT NULL,
    channel        TEXT NOT NULL,             -- storefront | facilitator | cooperative
    status         TEXT NOT NULL,             -- new | accepted | rejected | shipped | completed | cancelled
    buyer_name     TEXT NOT NULL,
    buyer_phone    TEXT NOT NULL,
    buyer_regency  TEXT NOT NULL,
    buyer_address  TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    total          INTEGER NOT NULL,          -- rupiah
    reserved       INTEGER NOT NULL DEFAULT 0,-- 1 while stock is held for it
    courier        TEXT,
    tracking_no    TEXT,
    reason         TEXT,                      -- why it was rejected or cancelled
    created_at     INTEGER NOT NULL,
    accepted_at    INTEGER,
    shipped_at     INTEGER,
    completed_at   INTEGER,
    closed_at      INTEGER,                   -- rejected or cancelled
    hlc            INTEGER NOT NULL,
    clocks         TEXT
) WITHOUT ROWID;
CREATE INDEX orders_by_status ON orders(status, created_at);

-- Order lines, with the unit price at ordering time.
CREATE TABLE order_lines (
    order_id    BLOB NOT NULL,
    line_no     INTEGER NOT NULL,
    variant_id  BLOB NOT NULL,
    quantity    INTEGER NOT NULL,
    unit_price  INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

-- The direct-sales ledger: sales made off the app (market stall, reseller, exhibition, …).
CREATE TABLE sales (
    id          BLOB PRIMARY KEY,
    variant_id  BLOB NOT NULL,
    quantity    INTEGER NOT NULL,
    unit_price  INTEGER NOT NULL,
    channel     TEXT NOT NULL,                -- market_stall | reseller | exhibition | other_marketplace
    sold_on     TEXT NOT NULL,                -- YYYY-MM-DD
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sales_by_day ON sales(sold_on);

-- Explicit deletes, so a delete syncs instead of looking like a row never seen.
CREATE TABLE tombstones (
    entity      TEXT NOT NULL,
    id          BLOB NOT NULL,
    hlc         TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;

-- The outbox: every local change, recorded in the transaction that made it, for sync to push.
-- `seq` is this device's gapless sequence number; the device id lives in `meta`.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,                -- producer | organisation | product | variant | …
    entity_id   BLOB NOT NULL,
    op          TEXT NOT NULL,                -- create | update | delete | append | transition
    fields      TEXT NOT NULL,                -- JSON object of the changed fields' new values
    hlc         TEXT NOT NULL                 -- full HLC of the change
);
"#;

/// v2, the photo pipeline: image files and their upload state, and each photo's thumbnail.
const V2: &str = r#"
-- Image files on this phone, content-addressed: one row per distinct file (`{hash}.jpg` in the
-- photo directory), however many photos use it. The upload queue reads this table.
CREATE TABLE photo_files (
    hash            TEXT PRIMARY KEY,         -- lowercase hex BLAKE3 of the file
    kind            TEXT NOT NULL,            -- thumbnail | display
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    upload_state    TEXT NOT NULL DEFAULT 'pending', -- pending | uploading | uploaded | failed
    confirmed_bytes INTEGER NOT NULL DEFAULT 0,      -- offset the server confirmed
    failure         TEXT,                     -- the server's reason, when failed
    created_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX photo_files_queue ON photo_files(upload_state, kind, created_at);

-- The thumbnail of each photo (the display image's hash is `photos.hash`).
ALTER TABLE photos ADD COLUMN thumb_hash TEXT;
"#;

/// v3, sync: outbox entries the server refused for good, kept with its reason.
const V3: &str = r#"
-- Outbox entries the server rejected (an entry moves here from `outbox`, in the transaction that
-- reads the server's answer). The user sees them; the rest of the queue goes on.
CREATE TABLE quarantine (
    seq         INTEGER PRIMARY KEY,          -- the entry's sequence number
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    op          TEXT NOT NULL,
    fields      TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    code        TEXT NOT NULL,                -- the server's stable code
    reason      TEXT NOT NULL                 -- the server's reason
);
"#;

/// v4, recovery: unsent changes read back from a damaged file, waiting for the first pull.
const V4: &str = r#"
-- Outbox entries salvaged from a damaged database file (see `recovery`), by their old sequence
-- number. After the next sync's pull has brought back the rest, each is applied on top and moves
-- to the outbox, in this order.
CREATE TABLE salvage (
    seq         INTEGER PRIMARY KEY,          -- the entry's sequence number in the damaged file
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    op          TEXT NOT NULL,
    fields      TEXT NOT NULL,                -- JSON object, as the outbox held it
    hlc         TEXT NOT NULL                 -- the change's original HLC
);
"#;

/// v5, clock corrections: when each outbox entry was made by the phone's own reckoning; and no
/// close time on an order that is not closed.
const V5: &str = r#"
-- The phone's physical time (its wall clock plus the offset it knew) when the entry was stamped:
-- unlike `hlc`, it follows the wall clock back when the date is moved back, so once the server
-- gives the true time, an entry stamped on a wrong clock is put back where it was made in real
-- time. NULL for entries from before v5 and for salvaged ones.
ALTER TABLE outbox ADD COLUMN physical_ms INTEGER;
-- A close time kept from a reject or cancel that lost the status merge (before v5 the merge kept
-- every step time): only a rejected or cancelled order has one (see `orders::Progress`).
UPDATE orders SET closed_at = NULL WHERE status NOT IN ('rejected', 'cancelled');
"#;

/// v6, variants that leave sale (a removed variant keeps its row, because orders, sales and stock
/// movements name it: see `catalogue::remove_variant`), and notices of edits lost to deletes.
const V6: &str = r#"
-- 1 when the producer took the variant off sale; a synced field like any other, so adding the
-- same options again brings it back.
ALTER TABLE variants ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;

-- What a sync did to the user's own work that they must hear about (see `sync::notices`); kept
-- on this phone only, until the user dismisses it.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,                -- edit_lost_to_delete
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    name        TEXT NOT NULL,                -- what the user knew it as
    at          INTEGER NOT NULL              -- when this phone learned of it
);
"#;

/// v7, memberships that end: a producer leaves a cluster or cooperative (see
/// `organisations::remove_member`).
const V7: &str = r#"
-- The last removal of each membership, by its clock. The member row is gone; an add of the same
-- pair wins only with a later clock.
CREATE TABLE organisation_member_removals (
    organisation_id BLOB NOT NULL,
    producer_id     BLOB NOT NULL,
    hlc             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, producer_id)
) WITHOUT ROWID;
"#;

/// v8, the producer's day: voided direct sales, and why stock was corrected.
const V8: &str = r#"
-- A direct sale taken back (mistyped): one per sale, its id derived from the sale's, so the same
-- void made on two phones is one row. The sale stays in `sales` (history names it); summaries
-- and reports leave voided sales out, and the stock comes back by a `void` movement whose id is
-- derived from the void's, made wherever the void and its sale meet (see `sales::void`).
CREATE TABLE sale_voids (
    id          BLOB PRIMARY KEY,
    sale_id     BLOB NOT NULL UNIQUE,
    reason      TEXT NOT NULL,                -- why, in the producer's words ('' when not given)
    voided_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Why an adjustment was made (a count, breakage, loss, …), in the producer's words.
ALTER TABLE stock_movements ADD COLUMN reason TEXT;
"#;

/// v9, how a producer sells (see `selling`): delivery, payment and contact on the producer, and
/// the buyer's choices, the delivery fee and the paid mark on the order.
const V9: &str = r#"
-- Where a buyer may pick up (NULL: no pick-up).
ALTER TABLE producers ADD COLUMN delivery_pickup TEXT;
-- Courier fee, canonical JSON: {"flat":15000} or {"per_kg":{"regency":…,"province":…,"national":…}}.
ALTER TABLE producers ADD COLUMN delivery_courier TEXT;
-- Bank account, canonical JSON: {"bank":…,"number":…,"holder":…} (NULL: no transfer).
ALTER TABLE producers ADD COLUMN payment_bank TEXT;
-- Content hash of the QRIS image, a producer photo (NULL: no QRIS).
ALTER TABLE producers ADD COLUMN payment_qris TEXT;
CREATE INDEX producers_by_qris ON producers(payment_qris) WHERE payment_qris IS NOT NULL;
-- 1 when cash on delivery is accepted.
ALTER TABLE producers ADD COLUMN payment_cod INTEGER NOT NULL DEFAULT 0;
-- WhatsApp number, +62… (NULL: none given).
ALTER TABLE producers ADD COLUMN contact_whatsapp TEXT;
-- The buyer's choices: pickup | courier, and bank_transfer | qris | cod (NULL: not chosen).
ALTER TABLE orders ADD COLUMN delivery TEXT;
ALTER TABLE orders ADD COLUMN payment TEXT;
-- The delivery fee in rupiah, included in `total`.
ALTER TABLE orders ADD COLUMN delivery_fee INTEGER NOT NULL DEFAULT 0;
-- When the producer marked the order paid (the earliest mark of any phone); NULL: not yet.
ALTER TABLE orders ADD COLUMN paid_at INTEGER;
"#;
