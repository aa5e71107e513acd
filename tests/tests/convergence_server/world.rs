//! The world a case runs in: the server's store on disk (restartable), phones on their own
//! databases in scratch directories, and the true time each phone reads with its own skew.

use sentra_core::{Account, Id, OpenOptions, Role, Sentra, WallClock};
use sentra_server::store::{SqliteStore, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The true time, which the server reads; a phone reads it with its own skew.
#[derive(Debug)]
pub struct Skewed {
    truth: Arc<AtomicI64>,
    skew_ms: i64,
}

impl WallClock for Skewed {
    fn now_ms(&self) -> i64 {
        self.truth.load(Ordering::SeqCst) + self.skew_ms
    }
}

pub struct Phone {
    pub sentra: Sentra,
    pub account: sentra_server::accounts::Account,
    pub producer: Id,
    _dir: tempfile::TempDir,
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
    let sentra = Sentra::open_with(
        &dir.path().join("sentra.db"),
        OpenOptions {
            wall_clock: Arc::new(Skewed {
                truth: truth.clone(),
                skew_ms,
            }),
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
