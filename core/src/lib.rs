//! Sentra's core: everything a producer or a facilitator does on the phone, offline.
//!
//! [`Sentra`] is the one handle. It opens a database file (one per account on a shared phone),
//! and every call on it either reads or writes that file; every write is durable when the call
//! returns, and records what changed in the outbox for sync to push.
//!
//! ```no_run
//! use sentra_core::{Sentra, producers::NewProducer};
//! let sentra = Sentra::open("sentra.db".as_ref())?;
//! let id = sentra.register_producer(&NewProducer {
//!     business_name: "Konveksi Rowosari Jaya".into(),
//!     owner_name: "Siti Aminah".into(),
//!     phone: "0812-3456-7890".into(),
//!     region_code: "3327".into(),
//!     sector: "fashion_textiles".into(),
//!     ..Default::default()
//! })?;
//! # Ok::<(), sentra_core::Error>(())
//! ```

pub mod catalogue;
mod db;
pub mod error;
mod id;
mod input;
pub mod money;
pub mod orders;
pub mod organisations;
pub mod photos;
pub mod producers;
pub mod regions;
pub mod reports;
pub mod sales;
pub mod stock;
pub mod sync;
pub mod unlock;

pub use db::schema::latest_version as schema_version;
pub use error::{Error, ErrorCode, FieldError, Lang, Result, Rule};
pub use id::Id;
pub use input::{MAX_QUANTITY, MAX_RUPIAH, normalise_phone};
pub use sync::clock::{Hlc, SystemClock, WallClock};

use catalogue::listing::{ProductQuery, ProductSummary};
use catalogue::{NewProduct, NewVariant, Product, ProductPatch, VariantPatch};
use orders::{NewOrder, Order, OrderTab, TabCounts, Transition};
use organisations::Organisation;
use producers::{NewProducer, Producer, ProducerPatch, RegisteredBy};
use rusqlite::OptionalExtension;
use sales::{NewSale, Period, Sale, SalesSummary};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use sync::outbox::OutboxEntry;

/// What the person using this database is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A producer (UMKM owner).
    Producer,
    /// A field facilitator (*pendamping*).
    Facilitator,
    /// A cluster or cooperative admin.
    CooperativeAdmin,
    /// A government official (read-only aggregates).
    Official,
    /// A Sentra administrator.
    Admin,
}

/// The account signed in on this database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The user's id on the server.
    pub user_id: Id,
    /// What the user is.
    pub role: Role,
}

/// Options for [`Sentra::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Where the clock reads wall time; the system clock by default.
    pub wall_clock: Arc<dyn WallClock>,
    /// The photo directory; by default `<database>-photos/` beside the database file, so each
    /// account on a shared phone has its own.
    pub photo_dir: Option<PathBuf>,
    /// Caps on photos taken in.
    pub photo_limits: photos::Limits,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            wall_clock: Arc::new(SystemClock),
            photo_dir: None,
            photo_limits: photos::Limits::default(),
        }
    }
}

/// The state of sync, for the status screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    /// Changes waiting to be pushed, by kind.
    pub pending: Vec<PendingCount>,
    /// Photo files waiting, uploading, failed and uploaded.
    pub photos: photos::UploadSummary,
    /// When the last sync completed (Unix ms).
    pub last_success_ms: Option<i64>,
    /// Why the last sync stopped early, if it did.
    pub last_error: Option<String>,
    /// Entries the server refused.
    pub quarantined: usize,
    /// The clock offset measured against the server, in ms.
    pub clock_offset_ms: i64,
}

/// Pending outbox entries by kind, for the sync status screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingCount {
    /// The entity kind (`product`, `order`, …).
    pub entity: String,
    /// How many entries wait to be pushed.
    pub count: i64,
}

/// The handle on one Sentra database. Cheap to share between threads (`Send + Sync`).
pub struct Sentra {
    db: db::Db,
    photo_dir: PathBuf,
    photo_limits: photos::Limits,
}

impl std::fmt::Debug for Sentra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sentra")
            .field("device", &self.db.device())
            .finish_non_exhaustive()
    }
}

impl Sentra {
    /// Opens the database at `path`, creating it if needed.
    ///
    /// Errors: [`ErrorCode::NotSentraDatabase`] for a file that is not ours,
    /// [`ErrorCode::DatabaseCorrupt`] for a damaged one, [`ErrorCode::SchemaTooNew`] for one
    /// from a newer app. A file is never deleted or reset.
    pub fn open(path: &Path) -> Result<Sentra> {
        Self::open_with(path, OpenOptions::default())
    }

    /// Opens with explicit options (tests use a controlled clock).
    pub fn open_with(path: &Path, options: OpenOptions) -> Result<Sentra> {
        let db = db::Db::open(path, options.wall_clock)?;
        let photo_dir = options.photo_dir.unwrap_or_else(|| {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push("-photos");
            path.with_file_name(name)
        });
        photos::library::sweep(&db, &photo_dir)?;
        Ok(Sentra {
            db,
            photo_dir,
            photo_limits: options.photo_limits,
        })
    }

    /// This database's device id, made on first open.
    pub fn device_id(&self) -> Id {
        self.db.device()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// Checks every page of the file; an error means the file is damaged.
    pub fn check_integrity(&self) -> Result<()> {
        self.db.read(|conn| {
            let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if verdict == "ok" {
                Ok(())
            } else {
                Err(Error::DatabaseCorrupt(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                    Some("quick_check failed".into()),
                )))
            }
        })
    }

    // ----- account -----

    /// Records who is signed in on this database.
    pub fn set_account(&self, account: Account) -> Result<()> {
        let json = serde_json::to_string(&account)?;
        self.db.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('account', ?1)",
                [json],
            )?;
            Ok(())
        })
    }

    /// Who is signed in, if anyone.
    pub fn account(&self) -> Result<Option<Account>> {
        self.db.read(|conn| {
            let raw: Option<String> = conn
                .query_row("SELECT value FROM meta WHERE key = 'account'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            raw.map(|raw| serde_json::from_str(&raw).map_err(Error::from))
                .transpose()
        })
    }

    /// Sets (or changes) the 6-digit PIN that opens this account's data on a shared phone.
    /// Only its argon2id hash is kept, in this file, and it is never synced.
    pub fn set_unlock_pin(&self, pin: &str) -> Result<()> {
        self.db.write(|tx| unlock::set_pin(tx, pin))
    }

    /// Whether a PIN guards this account's data.
    pub fn has_unlock_pin(&self) -> Result<bool> {
        self.db.read(unlock::has_pin)
    }

    /// Checks the PIN when someone switches to this account, offline. Five wrong PINs in a row
    /// lock it for 15 minutes.
    pub fn unlock(&self, pin: &str) -> Result<unlock::Unlock> {
        let now = self.db.clock().physical_ms();
        self.db.write(|tx| unlock::try_pin(tx, pin, now))
    }

    // ----- producers -----

    /// Registers a producer. When a facilitator is signed in, they are recorded as
    /// `registered_by`; otherwise the producer registered themselves.
    pub fn register_producer(&self, input: &NewProducer) -> Result<Id> {
        let by = match self.account()? {
            Some(Account {
                user_id,
                role: Role::Facilitator,
            }) => RegisteredBy::Facilitator(user_id),
            _ => RegisteredBy::SelfRegistered,
        };
        self.db.write(|tx| producers::register(tx, input, by))
    }

    /// Registers a producer on behalf of a facilitator, whoever is signed in here (the
    /// server's CSV import, run on its replica for the facilitator signed in on the web).
    pub fn register_producer_for(&self, input: &NewProducer, facilitator: Id) -> Result<Id> {
        self.db
            .write(|tx| producers::register(tx, input, RegisteredBy::Facilitator(facilitator)))
    }

    /// The producer registered with this phone number (in any local form), if any.
    pub fn producer_by_phone(&self, phone: &str) -> Result<Option<Id>> {
        let Some(phone) = normalise_phone(phone) else {
            return Ok(None);
        };
        self.db.read(|c| producers::by_phone(c, &phone))
    }

    /// Edits a producer.
    pub fn edit_producer(&self, id: Id, patch: &ProducerPatch) -> Result<()> {
        self.db.write(|tx| producers::edit(tx, id, patch))
    }

    /// One producer.
    pub fn producer(&self, id: Id) -> Result<Producer> {
        self.db
            .read(|c| producers::get(c, id))?
            .ok_or(Error::NotFound { entity: "producer" })
    }

    /// Producers by name; with `only_mine`, those the signed-in facilitator registered.
    pub fn producers(&self, only_mine: bool, offset: u32, limit: u32) -> Result<Vec<Producer>> {
        let mine = if only_mine {
            self.account()?.map(|a| a.user_id)
        } else {
            None
        };
        self.db.read(|c| producers::list(c, mine, offset, limit))
    }

    // ----- organisations -----

    /// Creates a cluster or cooperative (`kind` is `cluster` or `cooperative`).
    pub fn create_organisation(&self, kind: &str, name: &str, region_code: &str) -> Result<Id> {
        self.db
            .write(|tx| organisations::create(tx, kind, name, region_code))
    }

    /// Adds a producer to an organisation.
    pub fn add_member(&self, organisation: Id, producer: Id) -> Result<()> {
        self.db
            .write(|tx| organisations::add_member(tx, organisation, producer))
    }

    /// Makes a user an admin of an organisation.
    pub fn add_admin(&self, organisation: Id, user: Id) -> Result<()> {
        self.db
            .write(|tx| organisations::add_admin(tx, organisation, user))
    }

    /// One organisation with its members and admins.
    pub fn organisation(&self, id: Id) -> Result<Organisation> {
        self.db
            .read(|c| organisations::get(c, id))?
            .ok_or(Error::NotFound {
                entity: "organisation",
            })
    }

    /// Every cooperative and cluster this store holds, by name.
    pub fn organisations(&self) -> Result<Vec<Organisation>> {
        self.db.read(|c| organisations::list(c, None))
    }

    /// Whether a photo (or thumbnail) with this content hash shows a listed product, so it may
    /// be shown to anyone.
    pub fn photo_is_public(&self, hash: &str) -> Result<bool> {
        self.db.read(|c| photos::rows::is_public(c, hash))
    }

    /// The cooperatives and clusters a producer belongs to.
    pub fn organisations_of(&self, producer: Id) -> Result<Vec<Organisation>> {
        self.db.read(|c| organisations::list(c, Some(producer)))
    }

    // ----- catalogue -----

    /// Creates a product with its variants and opening stock.
    pub fn create_product(&self, input: &NewProduct) -> Result<Id> {
        self.db.write(|tx| catalogue::create(tx, input))
    }

    /// Edits a product.
    pub fn edit_product(&self, id: Id, patch: &ProductPatch) -> Result<()> {
        self.db.write(|tx| catalogue::edit(tx, id, patch))
    }

    /// Adds a variant to a product that has tiers.
    pub fn add_variant(&self, product: Id, input: &NewVariant) -> Result<Id> {
        self.db
            .write(|tx| catalogue::add_variant(tx, product, input))
    }

    /// Edits a variant's SKU or price override.
    pub fn edit_variant(&self, id: Id, patch: &VariantPatch) -> Result<()> {
        self.db.write(|tx| catalogue::edit_variant(tx, id, patch))
    }

    /// Deletes a product (a tombstone syncs the delete).
    pub fn delete_product(&self, id: Id) -> Result<()> {
        self.db.write(|tx| catalogue::delete(tx, id))
    }

    /// One product with its variants.
    pub fn product(&self, id: Id) -> Result<Product> {
        self.db
            .read(|c| catalogue::get(c, id))?
            .ok_or(Error::NotFound { entity: "product" })
    }

    /// The categories of listed products, for a storefront's filter.
    pub fn listed_categories(&self) -> Result<Vec<String>> {
        self.db.read(catalogue::listing::listed_categories)
    }

    /// A page of products: filtered, sorted, or searched.
    pub fn list_products(&self, query: &ProductQuery) -> Result<Vec<ProductSummary>> {
        self.db.read(|c| catalogue::listing::list(c, query))
    }

    /// The photos of a product or producer, in order.
    pub fn photos(&self, owner: Id) -> Result<Vec<photos::Photo>> {
        self.db.read(|c| photos::rows::list(c, owner))
    }

    /// Takes a photo from `source` (JPEG, PNG or WebP, as the camera wrote it) and adds it at the
    /// end of a product's or producer's photos: made upright, stripped of every metadata block
    /// (GPS included), and stored as a 1280 px display image and a 320 px thumbnail, named by
    /// content hash and queued for upload. The same image added twice to one owner is kept once.
    pub fn add_photo(&self, owner: Id, source: &Path) -> Result<photos::Photo> {
        photos::library::add(&self.db, &self.photo_dir, &self.photo_limits, owner, source)
    }

    /// The file of an image on this phone, by content hash, if it is here.
    pub fn photo_path(&self, hash: &str) -> Result<Option<PathBuf>> {
        photos::library::path_of(&self.db, &self.photo_dir, hash)
    }

    /// The file of a photo by hash: here already, or fetched from the server through
    /// `transport` and kept (for other producers' photos a facilitator or cooperative admin
    /// looks at; they are fetched only when shown).
    pub async fn fetch_photo<T: sync::engine::Transport>(
        &self,
        transport: &T,
        hash: &str,
    ) -> Result<PathBuf> {
        if let Some(path) = self.photo_path(hash)?
            && path.exists()
        {
            return Ok(path);
        }
        let bytes = transport
            .download(hash)
            .await
            .map_err(|e| Error::Network(e.to_string()))?;
        photos::library::keep_downloaded(&self.db, &self.photo_dir, hash, &bytes.value)
    }

    /// The photo directory.
    pub fn photo_dir(&self) -> &Path {
        &self.photo_dir
    }

    /// Image files still to upload, in upload order: thumbnails first. With `thumbnails_only`
    /// (a metered network), display images wait.
    pub fn photo_upload_queue(&self, thumbnails_only: bool) -> Result<Vec<photos::PhotoFile>> {
        self.db.read(|c| photos::uploads::queue(c, thumbnails_only))
    }

    /// Counts for the status line: waiting, uploading (with percent), failed, uploaded.
    pub fn photo_upload_summary(&self) -> Result<photos::UploadSummary> {
        self.db.read(photos::uploads::summary)
    }

    /// Records the offset the server confirmed for an image being uploaded; the whole file
    /// confirmed means uploaded.
    pub fn confirm_photo_upload(&self, hash: &str, confirmed_bytes: i64) -> Result<()> {
        self.db
            .write(|tx| photos::uploads::confirm(tx, hash, confirmed_bytes))
    }

    /// Marks an image as refused by the server, with its reason.
    pub fn fail_photo_upload(&self, hash: &str, reason: &str) -> Result<()> {
        self.db.write(|tx| photos::uploads::fail(tx, hash, reason))
    }

    /// Puts refused images back in the upload queue.
    pub fn retry_failed_photo_uploads(&self) -> Result<usize> {
        self.db.write(photos::uploads::retry_failed)
    }

    /// Puts an owner's photos in the order given.
    pub fn reorder_photos(&self, owner: Id, order: &[Id]) -> Result<()> {
        self.db.write(|tx| photos::rows::reorder(tx, owner, order))
    }

    /// Removes a photo. Its files are deleted once no other photo uses them.
    pub fn remove_photo(&self, id: Id) -> Result<()> {
        photos::library::remove(&self.db, &self.photo_dir, id)
    }

    // ----- stock -----

    /// Adds stock that arrived.
    pub fn restock(&self, variant: Id, quantity: i64) -> Result<Id> {
        self.db.write(|tx| stock::restock(tx, variant, quantity))
    }

    /// Corrects stock after a count, by a signed amount.
    pub fn adjust_stock(&self, variant: Id, delta: i64) -> Result<Id> {
        self.db.write(|tx| stock::adjust(tx, variant, delta))
    }

    /// A variant's stock movements, newest first.
    pub fn stock_history(&self, variant: Id, limit: u32) -> Result<Vec<stock::Movement>> {
        self.db.read(|c| stock::history(c, variant, limit))
    }

    /// A variant's stock recomputed from its movements.
    pub fn recount_stock(&self, variant: Id) -> Result<i64> {
        self.db.read(|c| stock::recount(c, variant))
    }

    // ----- orders -----

    /// Records an order (entered by a facilitator, or for a cooperative allocation).
    pub fn create_order(&self, input: &NewOrder) -> Result<Id> {
        self.db.write(|tx| orders::create(tx, input))
    }

    /// Moves an order along its state machine.
    pub fn transition_order(&self, id: Id, change: &Transition) -> Result<()> {
        self.db.write(|tx| orders::transition(tx, id, change))
    }

    /// One order with its lines.
    pub fn order(&self, id: Id) -> Result<Order> {
        self.db
            .read(|c| orders::get(c, id))?
            .ok_or(Error::NotFound { entity: "order" })
    }

    /// The order a buyer knows by its code (such as `SNT-7K3QX9AB`), if this store holds it.
    pub fn order_by_code(&self, code: &str) -> Result<Option<Order>> {
        self.db.read(|c| orders::get_by_code(c, code))
    }

    /// A page of one order tab.
    pub fn orders(&self, tab: OrderTab, offset: u32, limit: u32) -> Result<Vec<Order>> {
        self.db.read(|c| orders::list(c, tab, offset, limit))
    }

    /// How many orders each tab holds, and how many are overdue now.
    pub fn order_tabs(&self) -> Result<TabCounts> {
        let now = self.db.clock().physical_ms();
        self.db.read(|c| orders::tab_counts(c, now))
    }

    // ----- direct sales -----

    /// Records a direct sale and takes it out of stock.
    pub fn record_sale(&self, input: &NewSale) -> Result<Id> {
        self.db.write(|tx| sales::record(tx, input))
    }

    /// Direct sales between two days inclusive, newest first.
    pub fn sales(&self, from: &str, to: &str, limit: u32) -> Result<Vec<Sale>> {
        self.db.read(|c| sales::list(c, from, to, limit))
    }

    /// Direct-sales totals per day or month and channel.
    pub fn sales_summary(&self, period: Period, from: &str, to: &str) -> Result<Vec<SalesSummary>> {
        self.db.read(|c| sales::summary(c, period, from, to))
    }

    // ----- reports -----

    /// The dashboard's figures for a filter: producers by region, sector and cluster, orders
    /// and direct sales by channel, region and month, and buyers' reach. Errors: a validation
    /// error naming `region`, `from_month` or `to_month`.
    pub fn report(&self, filter: &reports::ReportFilter) -> Result<reports::Report> {
        self.db.read(|c| reports::report(c, filter))
    }

    // ----- sync bookkeeping -----

    /// Up to `limit` outbox entries after sequence `after_seq`, oldest first.
    pub fn outbox(&self, after_seq: i64, limit: usize) -> Result<Vec<OutboxEntry>> {
        let device = self.device_id();
        self.db
            .read(|c| sync::outbox::pending(c, device, after_seq, limit))
    }

    /// Drops the outbox entries up to and including `seq`, which the server has acknowledged.
    /// Sequence numbers are never reused. Returns how many entries were removed.
    pub fn acknowledge(&self, seq: i64) -> Result<usize> {
        self.db.write(|tx| sync::outbox::acknowledge(tx, seq))
    }

    /// Pending outbox entries per kind.
    pub fn pending_counts(&self) -> Result<Vec<PendingCount>> {
        let counts = self.db.read(sync::outbox::pending_counts)?;
        Ok(counts
            .into_iter()
            .map(|(entity, count)| PendingCount { entity, count })
            .collect())
    }

    /// The last HLC timestamp this device handed out.
    pub fn clock(&self) -> Hlc {
        self.db.clock().last()
    }

    /// Applies the clock offset the server measured (server time minus device time). Pending
    /// outbox entries are re-stamped on the corrected timeline, so a phone that was months
    /// ahead or behind does not make its unsynced edits win or lose wrongly.
    pub fn correct_clock(&self, offset_ms: i64) -> Result<()> {
        self.db.write(|tx| correct_clock(tx, offset_ms))
    }

    // ----- sync exchange -----

    /// The next push batch, cut at about `max_bytes` of JSON; `None` when nothing is pending.
    pub fn sync_push_batch(&self, max_bytes: usize) -> Result<Option<sync::wire::PushRequest>> {
        let device = self.device_id();
        self.db
            .read(|c| sync::exchange::push_batch(c, device, max_bytes))
    }

    /// Settles the server's answer to a push: applied and duplicate entries leave the outbox,
    /// rejected ones are quarantined with their reason. Learns the clock offset from the
    /// server's time. Returns (settled, rejected).
    pub fn sync_settle_push(&self, response: &sync::wire::PushResponse) -> Result<(usize, usize)> {
        self.db.write(|tx| {
            let settled = sync::exchange::settle_push(tx, response)?;
            learn_server_time(tx, response.server_time_ms)?;
            Ok(settled)
        })
    }

    /// The request for the next pull page, from the stored cursor.
    pub fn sync_pull_request(&self, max_bytes: usize) -> Result<sync::wire::PullRequest> {
        let device = self.device_id();
        self.db
            .read(|c| sync::exchange::pull_request(c, device, max_bytes))
    }

    /// Applies a pulled page with the merge rules and stores its cursor, in one transaction.
    /// Returns how many changes altered local state.
    pub fn sync_apply_pull(&self, page: &sync::wire::PullResponse) -> Result<usize> {
        self.db.write(|tx| {
            learn_server_time(tx, page.server_time_ms)?;
            sync::exchange::apply_page(tx, page)
        })
    }

    /// Runs one sync through `transport`: pull, push, pull, within `options`' deadline and byte
    /// budget, reporting progress and stopping when `cancel` is cancelled. See
    /// [`sync::engine`].
    pub async fn sync<T: sync::engine::Transport, L: sync::engine::ProgressListener + ?Sized>(
        &self,
        transport: &T,
        options: &sync::engine::SyncOptions,
        listener: Option<&L>,
        cancel: &sync::engine::CancelToken,
    ) -> Result<sync::engine::SyncReport> {
        sync::engine::run(self, transport, options, listener, cancel).await
    }

    /// Records how a sync ended (`None`: it completed) and returns how many syncs in a row
    /// have failed.
    pub(crate) fn note_sync_outcome(&self, error: Option<String>) -> Result<u32> {
        self.db.write(|tx| {
            let now = tx.now_ms();
            let failures: u32 = tx
                .query_row(
                    "SELECT value FROM meta WHERE key = 'sync_failures'",
                    [],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut put =
                tx.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
            let failures = match &error {
                None => {
                    put.execute(["last_sync_ms", &now.to_string()])?;
                    put.execute(["last_sync_error", ""])?;
                    0
                }
                Some(error) => {
                    put.execute(["last_sync_error", error])?;
                    failures + 1
                }
            };
            put.execute(["sync_failures", &failures.to_string()])?;
            Ok(failures)
        })
    }

    /// What the sync status screen shows: what waits to be pushed, photos waiting, the last
    /// successful sync, the last error, quarantined entries and the clock offset.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let pending = self.pending_counts()?;
        let photos = self.photo_upload_summary()?;
        let quarantined = self.quarantined()?.len();
        let clock_offset_ms = self.db.clock().offset_ms();
        self.db.read(|conn| {
            let get = |key: &str| -> Result<Option<String>> {
                Ok(conn
                    .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .optional()?)
            };
            Ok(SyncStatus {
                pending,
                photos,
                last_success_ms: get("last_sync_ms")?.and_then(|v| v.parse().ok()),
                last_error: get("last_sync_error")?.filter(|e| !e.is_empty()),
                quarantined,
                clock_offset_ms,
            })
        })
    }

    /// Outbox entries the server refused, with its reasons, newest first.
    pub fn quarantined(&self) -> Result<Vec<sync::exchange::Quarantined>> {
        self.db.read(sync::exchange::quarantined)
    }
}

/// Offsets that differ by less than this are measurement noise (the request's round trip), not
/// a wrong clock: the timeline is not moved for them.
const CLOCK_TOLERANCE_MS: i64 = 5_000;

/// Corrects the clock from the server's time, when the phone's clock is off by more than noise.
fn learn_server_time(tx: &mut db::Tx<'_>, server_time_ms: i64) -> Result<()> {
    let offset = server_time_ms.saturating_sub(tx.clock_mut().wall_ms());
    if (offset - tx.clock_mut().offset_ms()).abs() > CLOCK_TOLERANCE_MS {
        correct_clock(tx, offset)?;
    }
    Ok(())
}

/// Sets the clock offset and moves pending outbox entries onto the corrected timeline.
///
/// Each pending entry moves by the shift but not past the corrected present, stays after the
/// highest timestamp this phone had seen from elsewhere (it was made after seeing it), and stays
/// after the entry before it, so the device's own order of edits is kept.
fn correct_clock(tx: &mut db::Tx<'_>, offset_ms: i64) -> Result<()> {
    let shift = tx.clock_mut().correct_offset(offset_ms);
    if shift == 0 {
        return Ok(());
    }
    let now = tx.clock_mut().physical_ms();
    let seen: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'clock_seen'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let seen: Option<Hlc> = seen
        .map(|raw| raw.parse().map_err(Error::Decode))
        .transpose()?;
    let rows: Vec<(i64, String, Id, String)> = {
        let mut stmt = tx.prepare("SELECT seq, entity, entity_id, hlc FROM outbox ORDER BY seq")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut floor = seen;
    for (seq, entity, id, raw) in rows {
        let old: Hlc = raw.parse().map_err(Error::Decode)?;
        let mut new = Hlc {
            millis: old.millis.saturating_add(shift).min(now).max(0),
            counter: old.counter,
            node: old.node,
        };
        if let Some(floor) = floor
            && new <= floor
        {
            new = tx.clock_mut().successor(floor);
        }
        tx.execute(
            "UPDATE outbox SET hlc = ?1 WHERE seq = ?2",
            rusqlite::params![new.to_string(), seq],
        )?;
        sync::merge::restamp(tx, &entity, id, old, new)?;
        floor = Some(new);
    }
    if let Some(floor) = floor {
        tx.clock_mut().observe(floor);
    }
    Ok(())
}
