//! The device handle: one database file per account on a shared phone, the change listener
//! that lets a list refresh, and the tokio runtime the async calls run on.

use crate::error::{ErrorCode, Result, SentraError};
use sentra_core::Sentra;
use std::path::Path;
use std::sync::{Arc, LazyLock, RwLock};

/// The runtime that runs syncs and photo ingest: its worker threads (`sentra-tokio`) are
/// the ones that call progress listeners, never the app's UI thread.
static RUNTIME: LazyLock<std::io::Result<tokio::runtime::Runtime>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sentra-tokio")
        .enable_all()
        .build()
});

/// The bindings' runtime; an error only if the OS refused its threads.
pub(crate) fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    RUNTIME.as_ref().map_err(|_| SentraError::internal())
}

/// What changed, so the app refreshes the matching lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Change {
    /// Producers were registered or edited.
    Producers,
    /// Products, variants, stock or photos changed.
    Catalogue,
    /// Orders were created or changed status.
    Orders,
    /// A direct sale was recorded (stock changed too).
    Sales,
    /// A sync pulled changes from the server: refresh everything shown.
    Synced,
}

/// Told after every write through this handle and after a sync that pulled changes. Called
/// on the thread that made the change (a tokio thread for a sync): post to the UI thread.
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    /// Something changed.
    fn on_change(&self, change: Change);
}

/// Who is signed in on a database.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Account {
    /// The user's id on the server.
    pub user_id: String,
    /// What the account may do.
    pub role: Role,
}

/// The handle on one account's database on this phone. On a shared phone each account has its
/// own file (and photo folder beside it); switching account is opening the other file.
#[derive(uniffi::Object)]
pub struct SentraDevice {
    /// The open database; `None` once [`SentraDevice::close_database`] was called.
    open: RwLock<Option<Arc<Sentra>>>,
    device_id: String,
    path: String,
    listener: RwLock<Option<Arc<dyn ChangeListener>>>,
}

impl std::fmt::Debug for SentraDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentraDevice")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl SentraDevice {
    fn wrap(sentra: Sentra) -> Arc<SentraDevice> {
        Arc::new(SentraDevice {
            device_id: sentra.device_id().to_string(),
            path: sentra.path().to_string_lossy().into_owned(),
            open: RwLock::new(Some(Arc::new(sentra))),
            listener: RwLock::new(None),
        })
    }

    /// The open database, or an error once the handle was closed (a bug in the app).
    pub(crate) fn inner(&self) -> Result<Arc<Sentra>> {
        self.open
            .read()
            .ok()
            .and_then(|open| open.clone())
            .ok_or_else(SentraError::internal)
    }

    /// Tells the change listener, if one is set.
    pub(crate) fn notify(&self, change: Change) {
        let listener = self.listener.read().map(|l| l.clone()).unwrap_or_default();
        if let Some(listener) = listener {
            listener.on_change(change);
        }
    }
}

#[uniffi::export]
impl SentraDevice {
    /// Opens the database at `path`, creating it if needed. A damaged or foreign file is an
    /// error and is never deleted.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<SentraDevice>> {
        Ok(SentraDevice::wrap(Sentra::open(Path::new(&path))?))
    }

    /// This database's device id.
    pub fn device_id(&self) -> String {
        self.device_id.clone()
    }

    /// The database file.
    pub fn path(&self) -> String {
        self.path.clone()
    }

    /// Closes this handle's database now, rather than when the garbage collector gets to it
    /// (before [`recover_device`], or when an account is removed from a shared phone). Python
    /// needs it; Kotlin's `close()` and Swift's release of the last reference do the same. A sync
    /// still running keeps the file open until it ends; cancel it first. Every call after this
    /// fails with `internal`; closing twice does nothing.
    pub fn close_database(&self) {
        if let Ok(mut open) = self.open.write() {
            open.take();
        }
    }

    /// Who is signed in on this database, if anyone.
    pub fn account(&self) -> Result<Option<Account>> {
        Ok(self.inner()?.account()?.map(account))
    }

    /// Sets (or with `None` removes) the listener told about changes.
    pub fn set_change_listener(&self, listener: Option<Arc<dyn ChangeListener>>) {
        if let Ok(mut slot) = self.listener.write() {
            *slot = listener;
        }
    }

    /// Checks every page of the file; an error means it is damaged.
    pub fn check_integrity(&self) -> Result<()> {
        Ok(self.inner()?.check_integrity()?)
    }

    /// Sets (or changes) the 6-digit PIN that opens this account on a shared phone.
    pub fn set_unlock_pin(&self, pin: String) -> Result<()> {
        Ok(self.inner()?.set_unlock_pin(&pin)?)
    }

    /// Whether switching to this account asks for a PIN.
    pub fn has_unlock_pin(&self) -> Result<bool> {
        Ok(self.inner()?.has_unlock_pin()?)
    }

    /// Checks the PIN offline when someone switches to this account.
    pub fn unlock(&self, pin: String) -> Result<Unlock> {
        Ok(match self.inner()?.unlock(&pin)? {
            sentra_core::unlock::Unlock::Open => Unlock::Open,
            sentra_core::unlock::Unlock::Wrong { attempts_left } => Unlock::Wrong { attempts_left },
            sentra_core::unlock::Unlock::Locked { until_ms } => Unlock::Locked { until_ms },
        })
    }
}

/// What became of an unlock attempt on a shared phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Unlock {
    /// The PIN is right, or none is set.
    Open,
    /// A wrong PIN; this many tries are left before a 15-minute lock.
    Wrong {
        /// Tries left.
        attempts_left: i64,
    },
    /// Too many wrong PINs; try again after this time (Unix ms).
    Locked {
        /// When the lock ends.
        until_ms: i64,
    },
}

/// The account as it crosses the boundary.
pub(crate) fn account(a: sentra_core::Account) -> Account {
    Account {
        user_id: a.user_id.to_string(),
        role: a.role.into(),
    }
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Role {
    /// A producer: their own catalogue, orders and sales.
    Producer,
    /// A field facilitator: the producers they registered or whose region they cover.
    Facilitator,
    /// A cooperative's admin: its members.
    CooperativeAdmin,
    /// A government official: reports by region.
    Official,
    /// The platform's admin.
    Admin,
}

impl From<sentra_core::Role> for Role {
    fn from(role: sentra_core::Role) -> Self {
        use sentra_core::Role as R;
        match role {
            R::Producer => Role::Producer,
            R::Facilitator => Role::Facilitator,
            R::CooperativeAdmin => Role::CooperativeAdmin,
            R::Official => Role::Official,
            R::Admin => Role::Admin,
        }
    }
}

/// Rupiah as Indonesians write it: `Rp 15.000`.
#[uniffi::export]
pub fn format_rupiah(amount: i64) -> String {
    sentra_core::money::format_rupiah(amount)
}

/// Fails with the error for `code`, built exactly as a failing call builds it. For apps' and
/// the bindings' own tests of the error path (each code reaches the app as its own typed
/// exception); no real call can produce some codes (a full disk) on demand.
#[uniffi::export]
pub fn fail_with(code: ErrorCode) -> Result<()> {
    Err(SentraError::new(code, Vec::new(), None))
}

/// What recovering a damaged database did (see [`recover_device`]).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct RecoveryReport {
    /// Where the damaged file was set aside (kept, never read again); `None` when the file was
    /// healthy and nothing was done.
    pub damaged_file: Option<String>,
    /// Unsent changes read back; the next sync applies and pushes them after its pull.
    pub salvaged_changes: i64,
    /// Whether some unsent changes were on damaged pages and are lost.
    pub unsent_changes_lost: bool,
    /// Photo files kept; those not known to be uploaded are sent again.
    pub photos_kept: i64,
    /// Whether the account must sign in again before syncing (the file is a new device).
    pub sign_in_again: bool,
}

/// A database rebuilt by [`recover_device`], and what was done.
#[derive(Debug, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Recovered {
    /// The handle on the rebuilt database.
    pub device: Arc<SentraDevice>,
    /// What recovery did.
    pub report: RecoveryReport,
}

/// Recovers the database at `path` after a call failed with `DatabaseCorrupt`: keeps the
/// unsent changes still readable, who was signed in, the PIN and the photos, sets the damaged
/// file aside, and lets the next sync bring back the rest. Close every handle on the file
/// first. A healthy file is opened as it is.
#[uniffi::export]
pub fn recover_device(path: String) -> Result<Recovered> {
    let (sentra, report) = Sentra::recover(Path::new(&path))?;
    Ok(Recovered {
        device: SentraDevice::wrap(sentra),
        report: RecoveryReport {
            damaged_file: report
                .damaged_file
                .map(|p| p.to_string_lossy().into_owned()),
            salvaged_changes: report.salvaged_changes as i64,
            unsent_changes_lost: report.unsent_changes_lost,
            photos_kept: report.photos_kept as i64,
            sign_in_again: report.sign_in_again,
        },
    })
}
