-- Sentra schema v6 snapshot, written by scripts/schema-snapshot.
PRAGMA application_id = 1397642322;
PRAGMA user_version = 6;
BEGIN;
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
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
CREATE TABLE organisations (
    id          BLOB PRIMARY KEY,
    kind        TEXT NOT NULL,                -- cluster | cooperative
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL,
    clocks      TEXT
) WITHOUT ROWID;
CREATE TABLE organisation_members (
    organisation_id BLOB NOT NULL,
    producer_id     BLOB NOT NULL,
    hlc             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, producer_id)
) WITHOUT ROWID;
CREATE TABLE organisation_admins (
    organisation_id BLOB NOT NULL,
    user_id         BLOB NOT NULL,
    hlc             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, user_id)
) WITHOUT ROWID;
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
, removed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE stock_movements (
    id          BLOB PRIMARY KEY,
    variant_id  BLOB NOT NULL,
    kind        TEXT NOT NULL,                -- restock | sale | reserve | release | adjust
    delta       INTEGER NOT NULL,             -- signed change in units
    ref_id      BLOB,                         -- the order or sale that caused it
    at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE photos (
    id          BLOB PRIMARY KEY,
    owner_id    BLOB NOT NULL,                -- a product or a producer
    position    INTEGER NOT NULL,
    hash        TEXT NOT NULL,                -- content hash of the display image
    hlc         INTEGER NOT NULL,
    clocks      TEXT
, thumb_hash TEXT) WITHOUT ROWID;
CREATE INDEX photos_by_owner ON photos(owner_id, position);
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
CREATE TABLE order_lines (
    order_id    BLOB NOT NULL,
    line_no     INTEGER NOT NULL,
    variant_id  BLOB NOT NULL,
    quantity    INTEGER NOT NULL,
    unit_price  INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
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
CREATE TABLE tombstones (
    entity      TEXT NOT NULL,
    id          BLOB NOT NULL,
    hlc         TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,                -- producer | organisation | product | variant | …
    entity_id   BLOB NOT NULL,
    op          TEXT NOT NULL,                -- create | update | delete | append | transition
    fields      TEXT NOT NULL,                -- JSON object of the changed fields' new values
    hlc         TEXT NOT NULL                 -- full HLC of the change
, physical_ms INTEGER);
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
CREATE TABLE salvage (
    seq         INTEGER PRIMARY KEY,          -- the entry's sequence number in the damaged file
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    op          TEXT NOT NULL,
    fields      TEXT NOT NULL,                -- JSON object, as the outbox held it
    hlc         TEXT NOT NULL                 -- the change's original HLC
);
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,                -- edit_lost_to_delete
    entity      TEXT NOT NULL,
    entity_id   BLOB NOT NULL,
    name        TEXT NOT NULL,                -- what the user knew it as
    at          INTEGER NOT NULL              -- when this phone learned of it
);
INSERT INTO meta VALUES ('clock_last', '01a2361b7df8-0001-8bd13d17f911234a');
INSERT INTO meta VALUES ('clock_offset_ms', '0');
INSERT INTO meta VALUES ('device_id', '01a2361b-7df4-7631-8bd1-3d17f911234a');
INSERT INTO meta VALUES ('next_seq', '15');
INSERT INTO producers VALUES (X'01a2361b7df57759bb981aad130a441f', 'Konveksi Rowosari Jaya', 'Siti Aminah', '+6281227501234', 'Jl. Raya Rowosari No. 12, Ulujami', '3327', 'fashion_textiles', 14, 2009, NULL, '', 1, '2026-11-01', 'self', 1796204101108, 117716031970213888, NULL);
INSERT INTO products VALUES (1, X'01a2361b7df6749aaddb423d70167b33', X'01a2361b7df57759bb981aad130a441f', 'Kaos Batik Pekalongan', 'Kaos katun dengan motif batik cap, dijahit di Rowosari.', 'Pakaian', 'pcs', 85000, 1, 250, 30, 25, 3, 'listed', 'Ukuran', NULL, 1796204101110, 117716031970344960, NULL);
INSERT INTO variants VALUES (X'01a2361b7df6749aaddb423d477bbe10', X'01a2361b7df6749aaddb423d70167b33', 1, '32', '32', NULL, NULL, 7, 117716031970344960, '{"*":"01a2361b7df6-0000-8bd13d17f911234a"}', 0);
INSERT INTO variants VALUES (X'01a2361b7df6749aaddb423d507f9c25', X'01a2361b7df6749aaddb423d70167b33', 0, '30', '30', NULL, NULL, 10, 117716031970344960, '{"*":"01a2361b7df6-0000-8bd13d17f911234a"}', 0);
INSERT INTO variants VALUES (X'01a2361b7df6749aaddb423d60da9b0c', X'01a2361b7df6749aaddb423d70167b33', 2, '34', '34', NULL, NULL, 12, 117716031970344960, '{"*":"01a2361b7df6-0000-8bd13d17f911234a"}', 0);
INSERT INTO stock_movements VALUES (X'01a2361b7df6749aaddb423e396fd2a4', X'01a2361b7df6749aaddb423d507f9c25', 'restock', 12, NULL, 1796204101110);
INSERT INTO stock_movements VALUES (X'01a2361b7df6749aaddb423ff21d48d8', X'01a2361b7df6749aaddb423d477bbe10', 'restock', 12, NULL, 1796204101110);
INSERT INTO stock_movements VALUES (X'01a2361b7df6749aaddb42406cbe74c0', X'01a2361b7df6749aaddb423d60da9b0c', 'restock', 12, NULL, 1796204101110);
INSERT INTO stock_movements VALUES (X'01a2361b7df776a685c47e47d0503722', X'01a2361b7df6749aaddb423d507f9c25', 'sale', -2, X'01a2361b7df776a685c47e46d4d4ef47', 1796204101111);
INSERT INTO stock_movements VALUES (X'4a788ce784be55d4accbcfe24a6ec858', X'01a2361b7df6749aaddb423d477bbe10', 'reserve', -5, X'01a2361b7df776a685c47e48bbfb036a', 1796204101112);
INSERT INTO orders VALUES (X'01a2361b7df776a685c47e48bbfb036a', 'SNT-R7YMJ3CZ', X'01a2361b7df57759bb981aad130a441f', 'facilitator', 'shipped', 'Toko Seragam Purwokerto', '+62281635123', '3302', 'Jl. Jend. Soedirman 10, Purwokerto', 'Kirim sebelum Senin', 425000, 1, 'JNE', 'JNE0012345678', NULL, 1796204101111, 1796204101112, 1796204101112, NULL, NULL, 117716031970410497, '{"courier":"01a2361b7df8-0001-8bd13d17f911234a","tracking_no":"01a2361b7df8-0001-8bd13d17f911234a"}');
INSERT INTO order_lines VALUES (X'01a2361b7df776a685c47e48bbfb036a', 0, X'01a2361b7df6749aaddb423d477bbe10', 5, 85000);
INSERT INTO sales VALUES (X'01a2361b7df776a685c47e46d4d4ef47', X'01a2361b7df6749aaddb423d507f9c25', 2, 85000, 'market_stall', '2026-11-22', 1796204101111);
INSERT INTO outbox VALUES (1, 'producer', X'01a2361b7df57759bb981aad130a441f', 'create', '{"address":"Jl. Raya Rowosari No. 12, Ulujami","business_name":"Konveksi Rowosari Jaya","certifications":"","consent_date":"2026-11-01","consent_publish":1,"created_at":1796204101108,"nib":null,"owner_name":"Siti Aminah","phone":"+6281227501234","region_code":"3327","registered_by":"self","sector":"fashion_textiles","workforce":14,"year_founded":2009}', '01a2361b7df4-0000-8bd13d17f911234a', 1796204101109);
INSERT INTO outbox VALUES (2, 'product', X'01a2361b7df6749aaddb423d70167b33', 'create', '{"category":"Pakaian","created_at":1796204101110,"description":"Kaos katun dengan motif batik cap, dijahit di Rowosari.","height_cm":3,"length_cm":30,"min_order":1,"name":"Kaos Batik Pekalongan","price":85000,"producer_id":"01a2361b-7df5-7759-bb98-1aad130a441f","status":"listed","tier1":"Ukuran","tier2":null,"unit":"pcs","weight_g":250,"width_cm":25}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (3, 'variant', X'01a2361b7df6749aaddb423d507f9c25', 'create', '{"option1":"30","option2":null,"position":0,"price":null,"product_id":"01a2361b-7df6-749a-addb-423d70167b33","removed":0,"sku":"30"}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (4, 'stock_movement', X'01a2361b7df6749aaddb423e396fd2a4', 'append', '{"at":1796204101110,"delta":12,"kind":"restock","ref_id":null,"variant_id":"01a2361b-7df6-749a-addb-423d507f9c25"}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (5, 'variant', X'01a2361b7df6749aaddb423d477bbe10', 'create', '{"option1":"32","option2":null,"position":1,"price":null,"product_id":"01a2361b-7df6-749a-addb-423d70167b33","removed":0,"sku":"32"}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (6, 'stock_movement', X'01a2361b7df6749aaddb423ff21d48d8', 'append', '{"at":1796204101110,"delta":12,"kind":"restock","ref_id":null,"variant_id":"01a2361b-7df6-749a-addb-423d477bbe10"}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (7, 'variant', X'01a2361b7df6749aaddb423d60da9b0c', 'create', '{"option1":"34","option2":null,"position":2,"price":null,"product_id":"01a2361b-7df6-749a-addb-423d70167b33","removed":0,"sku":"34"}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (8, 'stock_movement', X'01a2361b7df6749aaddb42406cbe74c0', 'append', '{"at":1796204101110,"delta":12,"kind":"restock","ref_id":null,"variant_id":"01a2361b-7df6-749a-addb-423d60da9b0c"}', '01a2361b7df6-0000-8bd13d17f911234a', 1796204101110);
INSERT INTO outbox VALUES (9, 'sale', X'01a2361b7df776a685c47e46d4d4ef47', 'append', '{"channel":"market_stall","created_at":1796204101111,"quantity":2,"sold_on":"2026-11-22","unit_price":85000,"variant_id":"01a2361b-7df6-749a-addb-423d507f9c25"}', '01a2361b7df7-0000-8bd13d17f911234a', 1796204101111);
INSERT INTO outbox VALUES (10, 'stock_movement', X'01a2361b7df776a685c47e47d0503722', 'append', '{"at":1796204101111,"delta":-2,"kind":"sale","ref_id":"01a2361b-7df7-76a6-85c4-7e46d4d4ef47","variant_id":"01a2361b-7df6-749a-addb-423d507f9c25"}', '01a2361b7df7-0000-8bd13d17f911234a', 1796204101111);
INSERT INTO outbox VALUES (11, 'order', X'01a2361b7df776a685c47e48bbfb036a', 'create', '{"buyer_address":"Jl. Jend. Soedirman 10, Purwokerto","buyer_name":"Toko Seragam Purwokerto","buyer_phone":"+62281635123","buyer_regency":"3302","channel":"facilitator","code":"SNT-R7YMJ3CZ","created_at":1796204101111,"lines":[{"quantity":5,"unit_price":85000,"variant_id":"01a2361b-7df6-749a-addb-423d477bbe10"}],"note":"Kirim sebelum Senin","producer_id":"01a2361b-7df5-7759-bb98-1aad130a441f","status":"new","total":425000}', '01a2361b7df7-0001-8bd13d17f911234a', 1796204101112);
INSERT INTO outbox VALUES (12, 'order', X'01a2361b7df776a685c47e48bbfb036a', 'transition', '{"accepted_at":1796204101112,"status":"accepted"}', '01a2361b7df8-0000-8bd13d17f911234a', 1796204101112);
INSERT INTO outbox VALUES (13, 'stock_movement', X'4a788ce784be55d4accbcfe24a6ec858', 'append', '{"at":1796204101112,"delta":-5,"kind":"reserve","ref_id":"01a2361b-7df7-76a6-85c4-7e48bbfb036a","variant_id":"01a2361b-7df6-749a-addb-423d477bbe10"}', '01a2361b7df8-0000-8bd13d17f911234a', 1796204101112);
INSERT INTO outbox VALUES (14, 'order', X'01a2361b7df776a685c47e48bbfb036a', 'transition', '{"courier":"JNE","shipped_at":1796204101112,"status":"shipped","tracking_no":"JNE0012345678"}', '01a2361b7df8-0001-8bd13d17f911234a', 1796204101112);
COMMIT;
