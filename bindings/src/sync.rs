//! Signing in and syncing: the core's engine over HTTP, run on the bindings' tokio runtime,
//! with a progress listener, a cancel handle, and the status screen's figures.
//!
//! The bindings keep no session: `sign_in` returns the token, the app keeps it in the
//! platform's secure storage (Android Keystore, iOS Keychain), and passes it to each `sync`,
//! so a background worker needs nothing but the token and the database file.

use crate::device::{Change, Role, SentraDevice, runtime};
use crate::error::{Result, SentraError};
use sentra_core::Rule;
use sentra_core::sync::engine::{self, CancelToken, ProgressListener, SyncOptions};
use sentra_core::sync::http::HttpTransport;
use std::sync::Arc;
use std::time::Duration;

/// The answer to a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SignedIn {
    /// The bearer token for this device: keep it in secure storage and pass it to `sync`.
    pub token: String,
    /// The account's user id.
    pub user_id: String,
    /// What the account may do.
    pub role: Role,
    /// For a producer, their producer id.
    pub producer_id: Option<String>,
}

/// How one sync may run.
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SyncSettings {
    /// Stop starting requests after this many ms; inside WorkManager's 10-minute window.
    #[uniffi(default = 540000)]
    pub deadline_ms: i64,
    /// Stop once this many bytes moved, if set (a prepaid data budget).
    #[uniffi(default = None)]
    pub byte_budget: Option<i64>,
    /// Send only thumbnails: a metered network, unless the user allows mobile data.
    #[uniffi(default = false)]
    pub thumbnails_only: bool,
    /// Cut push batches at about this many bytes of JSON (the core's default when `None`).
    #[uniffi(default = None)]
    pub push_batch_bytes: Option<i64>,
}

impl SyncSettings {
    fn options(&self) -> Result<SyncOptions> {
        let bytes = |field: &str, v: i64| {
            usize::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| SentraError::invalid(field, Rule::OutOfRange))
        };
        let defaults = SyncOptions::default();
        Ok(SyncOptions {
            deadline: Duration::from_millis(
                u64::try_from(self.deadline_ms)
                    .map_err(|_| SentraError::invalid("deadline_ms", Rule::OutOfRange))?,
            ),
            byte_budget: self
                .byte_budget
                .map(|b| bytes("byte_budget", b))
                .transpose()?,
            thumbnails_only: self.thumbnails_only,
            push_batch_bytes: match self.push_batch_bytes {
                Some(b) => bytes("push_batch_bytes", b)?,
                None => defaults.push_batch_bytes,
            },
            ..defaults
        })
    }
}

/// Where a running sync is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SyncProgress {
    /// Entries the server has answered so far.
    pub pushed: i64,
    /// Entries still waiting.
    pub to_push: i64,
    /// Changes pulled so far.
    pub pulled: i64,
    /// Bytes sent so far.
    pub bytes_up: i64,
    /// Bytes received so far.
    pub bytes_down: i64,
}

/// Receives progress while a sync runs, on a `sentra-tokio` thread: post to the UI thread.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// Called after every request.
    fn on_progress(&self, progress: SyncProgress);
}

/// Passes the engine's progress to the app's listener.
struct Relay(Arc<dyn SyncListener>);

impl ProgressListener for Relay {
    fn on_progress(&self, p: engine::SyncProgress) {
        self.0.on_progress(SyncProgress {
            pushed: count(p.pushed),
            to_push: count(p.to_push),
            pulled: count(p.pulled),
            bytes_up: count(p.bytes_up),
            bytes_down: count(p.bytes_down),
        });
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Stops a running sync between two requests (a user's "stop", or WorkManager's `onStopped`).
#[derive(Debug, Default, uniffi::Object)]
pub struct SyncCancel {
    token: CancelToken,
}

#[uniffi::export]
impl SyncCancel {
    /// A handle that has not been cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<SyncCancel> {
        Arc::new(SyncCancel::default())
    }

    /// Asks the sync to stop.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// Cancels the sync if the app stops waiting for it (a Kotlin coroutine cancelled, a Swift
/// task dropped), so it does not run on unseen; disarmed once the sync has finished.
struct CancelOnDrop(Option<CancelToken>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            token.cancel();
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SyncReport {
    /// Whether everything was pushed and pulled.
    pub completed: bool,
    /// Entries the server applied.
    pub pushed: i64,
    /// Entries the server refused (set aside, see `quarantined`).
    pub rejected: i64,
    /// Changes pulled.
    pub pulled: i64,
    /// Photo files that finished uploading.
    pub photos_sent: i64,
    /// Bytes sent.
    pub bytes_up: i64,
    /// Bytes received.
    pub bytes_down: i64,
    /// Requests made, retries included.
    pub requests: i64,
    /// How long it took (ms).
    pub duration_ms: i64,
    /// Why it stopped early, if it did.
    pub stopped_by: Option<SyncStop>,
    /// When to try again, in ms from now.
    pub next_attempt_in_ms: i64,
}

/// Why a sync stopped before it finished.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncStop {
    /// The app cancelled it.
    Cancelled,
    /// It ran out of the time the settings gave it.
    Deadline,
    /// It used up the bytes the settings allowed (a phone on a metered plan).
    ByteBudget,
    /// The server could not be reached, or the connection broke.
    Network,
    /// The server refused the request; `code` is its stable code (`unauthorized` and
    /// `wrong_device` mean sign in again).
    Refused {
        /// The server's code.
        code: String,
    },
}

impl SyncStop {
    /// The core's reason (see `sentra_core::sync::engine::SyncReport::stopped_by`).
    fn parse(reason: &str) -> SyncStop {
        match reason {
            "cancelled" => SyncStop::Cancelled,
            "deadline" => SyncStop::Deadline,
            "byte_budget" => SyncStop::ByteBudget,
            "network" => SyncStop::Network,
            other => SyncStop::Refused {
                code: other.strip_prefix("refused:").unwrap_or(other).to_owned(),
            },
        }
    }
}

impl From<engine::SyncReport> for SyncReport {
    fn from(r: engine::SyncReport) -> Self {
        SyncReport {
            completed: r.completed,
            pushed: count(r.pushed),
            rejected: count(r.rejected),
            pulled: count(r.pulled),
            photos_sent: count(r.photos_sent),
            bytes_up: count(r.bytes_up),
            bytes_down: count(r.bytes_down),
            requests: count(r.requests),
            duration_ms: i64::try_from(r.duration_ms).unwrap_or(i64::MAX),
            stopped_by: r.stopped_by.as_deref().map(SyncStop::parse),
            next_attempt_in_ms: i64::try_from(r.next_attempt_in_ms).unwrap_or(i64::MAX),
        }
    }
}

/// Changes waiting to be pushed, of one kind.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct PendingCount {
    /// The kind (`product`, `order`...).
    pub entity: String,
    /// How many wait.
    pub count: i64,
}

/// What the sync status screen shows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SyncStatus {
    /// Changes waiting, by kind.
    pub pending: Vec<PendingCount>,
    /// Photo files waiting to upload.
    pub photos_waiting: i64,
    /// Photo files uploading now.
    pub photos_uploading: i64,
    /// How far the current upload is, in percent.
    pub photos_uploading_percent: Option<i64>,
    /// Photo files the server refused.
    pub photos_failed: i64,
    /// Photo files uploaded.
    pub photos_uploaded: i64,
    /// When the last sync completed (Unix ms).
    pub last_success_ms: Option<i64>,
    /// Why the last sync stopped early, if it did.
    pub last_error: Option<SyncStop>,
    /// Changes the server refused.
    pub quarantined: i64,
    /// Notices not yet dismissed (see `notices`).
    pub notices: i64,
    /// The phone clock's measured offset from the server's (ms).
    pub clock_offset_ms: i64,
    /// Bytes this phone's syncs moved this calendar month (WIB), photos included.
    pub data_month_bytes: i64,
}

/// What happened to the user's own work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NoticeKind {
    /// An edit made on this phone lost to a delete made on another; the thing is gone. Show
    /// "Perubahan Anda pada «name» tidak tersimpan karena produk ini sudah dihapus di perangkat
    /// lain." / "Your change to «name» was not kept: the product was deleted on another device."
    EditLostToDelete,
    /// A kind this version of the bindings does not know (from a newer core).
    Other,
}

/// Something a sync did to the user's own work that they must hear about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Notice {
    /// Its number, to dismiss it.
    pub id: i64,
    /// What happened.
    pub kind: NoticeKind,
    /// The kind of thing (`product`).
    pub entity: String,
    /// The thing's id.
    pub entity_id: String,
    /// The name the user knew it by.
    pub name: String,
    /// When this phone learned of it (Unix ms).
    pub at_ms: i64,
}

/// A change the server refused, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Quarantined {
    /// Its number, to send it again or discard it.
    pub seq: i64,
    /// The kind of thing it changed.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The operation.
    pub op: String,
    /// The server's stable code.
    pub code: String,
    /// The server's reason.
    pub reason: String,
}

#[uniffi::export]
impl SentraDevice {
    /// Signs in on the server (a producer's phone and PIN, or a staff login and password) and
    /// records the account on this database. Wrong credentials are a `Network` error whose
    /// `server_code` is `bad_credentials`. The address must be `https://`, or plain `http://` on
    /// this machine or a local network (a `Validation` error on `server_url` otherwise, before
    /// anything is sent; the same for `sync` and `fetch_photo`).
    pub async fn sign_in(
        &self,
        server_url: String,
        login: String,
        secret: String,
    ) -> Result<SignedIn> {
        sentra_core::sync::server_address::check(&server_url)?;
        let device = self.inner()?.device_id();
        let (_, answer) = runtime()?
            .spawn(
                async move { HttpTransport::sign_in(&server_url, device, &login, &secret).await },
            )
            .await
            .map_err(|_| SentraError::internal())??;
        self.inner()?.set_account(sentra_core::Account {
            user_id: answer.user_id,
            role: answer.role,
        })?;
        Ok(SignedIn {
            token: answer.token,
            user_id: answer.user_id.to_string(),
            role: answer.role.into(),
            producer_id: answer.producer_id.map(|p| p.to_string()),
        })
    }

    /// Runs one sync with the server: pull, push, photos, pull, within the settings' deadline.
    /// Progress goes to `listener` from a tokio thread; `cancel` (optional) stops it between
    /// requests, and so does dropping the call. A sync that stopped early is not an error: the report
    /// says why. Tells the change listener when it pulled changes.
    pub async fn sync(
        &self,
        server_url: String,
        token: String,
        settings: SyncSettings,
        listener: Option<Arc<dyn SyncListener>>,
        cancel: Option<Arc<SyncCancel>>,
    ) -> Result<SyncReport> {
        sentra_core::sync::server_address::check(&server_url)?;
        let options = settings.options()?;
        let inner = self.inner()?.clone();
        let stop = cancel.map_or_else(Default::default, |c| c.token.clone());
        let mut guard = CancelOnDrop(Some(stop.clone()));
        let report = runtime()?
            .spawn(async move {
                let transport = HttpTransport::new(&server_url, &token);
                let relay = listener.map(Relay);
                inner
                    .sync(&transport, &options, relay.as_ref(), &stop)
                    .await
            })
            .await
            .map_err(|_| SentraError::internal())??;
        guard.0 = None;
        if report.pulled > 0 {
            self.notify(Change::Synced);
        }
        Ok(report.into())
    }

    /// The file of a photo by hash: here already, or fetched from the server and kept (for
    /// other producers' photos, fetched only when shown). Returns its path.
    pub async fn fetch_photo(
        &self,
        server_url: String,
        token: String,
        hash: String,
    ) -> Result<String> {
        sentra_core::sync::server_address::check(&server_url)?;
        let inner = self.inner()?.clone();
        let path = runtime()?
            .spawn(async move {
                let transport = HttpTransport::new(&server_url, &token);
                inner.fetch_photo(&transport, &hash).await
            })
            .await
            .map_err(|_| SentraError::internal())??;
        Ok(path.to_string_lossy().into_owned())
    }

    /// What the sync status screen shows.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let s = self.inner()?.sync_status()?;
        Ok(SyncStatus {
            pending: s
                .pending
                .into_iter()
                .map(|p| PendingCount {
                    entity: p.entity,
                    count: p.count,
                })
                .collect(),
            photos_waiting: s.photos.waiting,
            photos_uploading: s.photos.uploading,
            photos_uploading_percent: s.photos.uploading_percent,
            photos_failed: s.photos.failed,
            photos_uploaded: s.photos.uploaded,
            last_success_ms: s.last_success_ms,
            last_error: s.last_error.as_deref().map(SyncStop::parse),
            quarantined: count(s.quarantined),
            notices: count(s.notices),
            clock_offset_ms: s.clock_offset_ms,
            data_month_bytes: s.data_month_bytes,
        })
    }

    /// Changes the server refused, with its reasons, newest first.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        Ok(self
            .inner()?
            .quarantined()?
            .into_iter()
            .map(|q| Quarantined {
                seq: q.seq,
                entity: q.entity,
                entity_id: q.entity_id.to_string(),
                op: q.op,
                code: q.code,
                reason: q.reason,
            })
            .collect())
    }

    /// Sends a refused change again (by its `seq`), with the thing's values as they are now:
    /// the user fixed it first. A value still against the rules is a `Validation` error here; a
    /// thing deleted since is `NotFound`. Returns its new sequence number.
    pub fn resend_refused(&self, seq: i64) -> Result<i64> {
        Ok(self.inner()?.resend_refused(seq)?)
    }

    /// Lets a refused change go and takes the server's state for the thing it changed: a
    /// refused creation or sale is taken out of this phone; a refused edit makes the next sync
    /// pull everything again (returns true then), which brings the server's copy back.
    pub fn discard_refused(&self, seq: i64) -> Result<bool> {
        let repull = self.inner()?.discard_refused(seq)?;
        self.notify(Change::Synced);
        Ok(repull)
    }

    /// Ids of products with a refused change: show them as refused, not as listed.
    pub fn refused_products(&self) -> Result<Vec<String>> {
        Ok(self
            .inner()?
            .refused_products()?
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }

    /// What syncs did to this user's own work and the user has not dismissed yet, newest
    /// first: an edit made here that lost to a delete made on another phone.
    pub fn notices(&self) -> Result<Vec<Notice>> {
        Ok(self
            .inner()?
            .notices()?
            .into_iter()
            .map(|n| Notice {
                id: n.id,
                kind: match n.kind.as_str() {
                    sentra_core::sync::notices::EDIT_LOST_TO_DELETE => NoticeKind::EditLostToDelete,
                    _ => NoticeKind::Other,
                },
                entity: n.entity,
                entity_id: n.entity_id.to_string(),
                name: n.name,
                at_ms: n.at,
            })
            .collect())
    }

    /// Dismisses a notice the user has read.
    pub fn dismiss_notice(&self, id: i64) -> Result<()> {
        Ok(self.inner()?.dismiss_notice(id)?)
    }

    /// Puts photos the server refused back in the upload queue; returns how many.
    pub fn retry_failed_photo_uploads(&self) -> Result<i64> {
        Ok(count(self.inner()?.retry_failed_photo_uploads()?))
    }
}
