//! The world a case runs in: the server's store on disk (restartable), phones on their own
//! databases in scratch directories, and the true time each phone reads with its own skew.

use sentra_core::{Account, Id, OpenOptions, Role, Sentra, WallClock};
use sentra_server::store::{SqliteStore, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// How far a phone's date may be off: most are right; one may be minutes or hours ahead, or
/// days or months behind.
pub const SKEWS_MS: [i64; 6] = [
    0,
    0,
    20 * 60_000,
    3 * crate::HOUR,
    -2 * 24 * crate::HOUR,
    -60 * 24 * crate::HOUR,
];

/// The true time, which the server reads; a phone reads it with its own skew, which changes
/// when someone sets the phone's date.
#[derive(Debug)]
pub struct Skewed {
    truth: Arc<AtomicI64>,
    skew_ms: AtomicI64,
}

impl WallClock for Skewed {
    fn now_ms(&self) -> i64 {
        self.truth.load(Ordering::SeqCst) + self.skew_ms.load(Ordering::SeqCst)
    }
}

pub struct Phone {
    pub sentra: Sentra,
    pub account: sentra_server::accounts::Account,
    pub producer: Id,
    clock: Arc<Skewed>,
    _dir: tempfile::TempDir,
}

impl Phone {
    /// Someone sets the phone's date: from now on it reads the true time off by `skew_ms`.
    pub fn set_date(&self, skew_ms: i64) {
        self.clock.skew_ms.store(skew_ms, Ordering::SeqCst);
    }
}

/// The staff around the producers: the platform's admin, who runs the cooperative, and the
/// cooperative's admin, whose scope is its members.
pub struct Staff {
    pub admin: Phone,
    pub cooperative_admin: Phone,
    pub cooperative: Id,
}

pub struct Server {
    pub dir: tempfile::TempDir,
    pub store: Arc<dyn Store>,
    pub truth: Arc<AtomicI64>,
    pub restarts: usize,
}

impl Server {
    pub fn now(&self) -> i64 {
        self.truth.load(Ordering::SeqCst)
    }
    pub fn restart(&mut self) {
        self.store = Arc::new(SqliteStore::open(&self.dir.path().join("server.db")).unwrap());
        self.restarts += 1;
    }
}

/// A scratch directory in memory where there is one: the cases test merging, not the disk, and
/// hundreds of them must fit in CI's few minutes.
pub fn scratch() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::Builder::new()
            .prefix("sentra-conv-")
            .tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

pub fn phone(
    truth: &Arc<AtomicI64>,
    skew_ms: i64,
    account: sentra_server::accounts::Account,
) -> Phone {
    let dir = scratch();
    let clock = Arc::new(Skewed {
        truth: truth.clone(),
        skew_ms: AtomicI64::new(skew_ms),
    });
    let sentra = Sentra::open_with(
        &dir.path().join("sentra.db"),
        OpenOptions {
            wall_clock: clock.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    sentra
        .set_account(Account {
            user_id: account.user_id,
            role: account.role,
        })
        .unwrap();
    Phone {
        sentra,
        producer: account.producer_id.unwrap_or_default(),
        account,
        clock,
        _dir: dir,
    }
}

/// A placeholder until the other producer's account exists (made after they register).
pub fn facilitator_free_account() -> sentra_server::accounts::Account {
    sentra_server::accounts::Account {
        user_id: Id::new(),
        role: Role::Producer,
        producer_id: None,
    }
}
