//! Sentra's core: everything a producer or a facilitator does on the phone, offline.
//!
//! [`Sentra`] is the one handle. It opens a database file (one per account on a shared phone),
//! and every call on it either reads or writes that file; every write is durable when the call
//! returns, and records what changed in the outbox for sync to push.
//! Its methods live in `api/`, one file per part of the app (account, producers, catalogue,
//! photos, orders, sync, …).
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

mod api;
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
pub mod recovery;
pub mod regions;
pub mod reports;
pub mod sales;
pub mod selling;
pub mod stock;
pub mod sync;
pub mod unlock;

pub use api::{PendingCount, SyncStatus};
pub use db::schema::latest_version as schema_version;
pub use error::{Error, ErrorCode, FieldError, Lang, Result, Rule};
pub use id::Id;
pub use input::{MAX_QUANTITY, MAX_RUPIAH, normalise_phone};
pub use sync::clock::{Hlc, SystemClock, WallClock};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

impl OpenOptions {
    /// The photo directory for the database at `path`.
    fn photo_dir_for(&self, path: &Path) -> PathBuf {
        self.photo_dir.clone().unwrap_or_else(|| {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push("-photos");
            path.with_file_name(name)
        })
    }
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
        // A recovery a crash cut short is finished first (see `recovery`).
        recovery::finish_interrupted(path)?;
        let photo_dir = options.photo_dir_for(path);
        let db = db::Db::open(path, options.wall_clock)?;
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
}
