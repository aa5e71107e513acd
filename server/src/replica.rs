//! The server's read model: a `sentra-core` store that follows the whole feed, the way a phone
//! follows its scope, so the storefront, the dashboard and the order API read merged state
//! through the very merge rules the phones use, written once in the core.
//!
//! The replica is a device of the server itself with the admin scope. It pulls the store's feed
//! in process (no HTTP), and an order a buyer places is created in the replica (priced from its
//! catalogue) and pushed into the store like any phone's change, so it reaches the producer's
//! phone on their next sync. It is a cache: deleting its file rebuilds it from the feed.

use crate::accounts::Account;
use crate::error::ApiError;
use crate::now_ms;
use crate::store::{SearchDoc, Store, fold};
use sentra_core::orders::{NewOrder, Order};
use sentra_core::sync::wire::PushResponse;
use sentra_core::{Id, Role, Sentra};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The replica's user id on the server: fixed, so a restarted server is the same user.
const REPLICA_USER: Id = Id::from_bytes(*b"sentra-replica-1");

/// Bytes per pulled page while following the feed.
const PAGE_BYTES: usize = 2 * 1024 * 1024;

/// The server's own merged copy of everything.
pub struct Replica {
    core: Sentra,
    store: Arc<dyn Store>,
    account: Account,
    /// One refresh or push at a time: the cursor and the outbox are the replica's own.
    lock: Mutex<()>,
    /// Whether this server, as the writer of the store's full-text index, has written it whole
    /// since it took the duty over (until then a page's products alone are not enough).
    search_whole: AtomicBool,
}

impl Replica {
    /// Opens (or creates) the replica's database in `dir` and follows the store's feed.
    pub fn open(dir: &Path, store: Arc<dyn Store>) -> Result<Replica, ApiError> {
        std::fs::create_dir_all(dir).map_err(|e| ApiError::Internal(e.to_string()))?;
        let core = Sentra::open(&dir.join("replica.db")).map_err(internal)?;
        core.set_account(sentra_core::Account {
            user_id: REPLICA_USER,
            role: Role::Admin,
        })
        .map_err(internal)?;
        let replica = Replica {
            core,
            store,
            account: Account {
                user_id: REPLICA_USER,
                role: Role::Admin,
                producer_id: None,
            },
            lock: Mutex::new(()),
            search_whole: AtomicBool::new(false),
        };
        replica.refresh()?;
        Ok(replica)
    }

    /// The merged state, for reading. Call [`Replica::refresh`] first to see the latest pushes.
    pub fn core(&self) -> &Sentra {
        &self.core
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Pulls every change pushed since the last refresh. Returns how many changes were applied.
    pub fn refresh(&self) -> Result<usize, ApiError> {
        let _one = self.guard();
        self.pull_all()
    }

    fn pull_all(&self) -> Result<usize, ApiError> {
        let mut applied = 0;
        loop {
            let request = self.core.sync_pull_request(PAGE_BYTES).map_err(internal)?;
            let page = self
                .store
                .pull(
                    &self.account,
                    self.core.device_id(),
                    request.cursor.as_deref(),
                    PAGE_BYTES,
                    now_ms(),
                )
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            applied += self.core.sync_apply_pull(&page).map_err(internal)?;
            let writes_search = self.writes_search()?;
            if writes_search && self.search_whole.load(Ordering::Relaxed) {
                self.index(&page.changes)?;
            }
            if !page.more {
                if writes_search && !self.search_whole.load(Ordering::Relaxed) {
                    self.index_whole()?;
                    self.search_whole.store(true, Ordering::Relaxed);
                }
                return Ok(applied);
            }
        }
    }

    /// Whether this server writes the store's own full-text index (PostgreSQL): one server
    /// of those sharing the database does, so each product is indexed once, not once a server.
    fn writes_search(&self) -> Result<bool, ApiError> {
        if !self.store.has_search() {
            return Ok(false);
        }
        self.store
            .writes_search()
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// Re-indexes, in the store's own full-text index, the products a page changed, with
    /// their merged text.
    fn index(&self, changes: &[sentra_core::sync::wire::Change]) -> Result<(), ApiError> {
        let mut ids: Vec<Id> = changes
            .iter()
            .filter(|c| c.entity == "product")
            .map(|c| c.id)
            .collect();
        ids.sort();
        ids.dedup();
        let docs = ids
            .into_iter()
            .map(|id| self.search_doc(id))
            .collect::<Result<Vec<_>, _>>()?;
        self.store
            .index_products(&docs, false)
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// Writes the store's full-text index whole from the merged catalogue (every listed
    /// product; any other row goes): what a server does when it takes the duty over, since
    /// the server that had it may have stopped short of the feed's end.
    fn index_whole(&self) -> Result<(), ApiError> {
        use sentra_core::catalogue::ProductStatus;
        use sentra_core::catalogue::listing::{MAX_PAGE, ProductQuery, Sort};
        let mut docs = Vec::new();
        loop {
            let page = self
                .core
                .list_products(&ProductQuery {
                    status: Some(ProductStatus::Listed),
                    sort: Sort::Oldest,
                    offset: u32::try_from(docs.len()).unwrap_or(u32::MAX),
                    limit: MAX_PAGE,
                    ..Default::default()
                })
                .map_err(internal)?;
            let full = page.len() == MAX_PAGE as usize;
            for product in page {
                docs.push(self.search_doc(product.id)?);
            }
            if !full {
                break;
            }
        }
        self.store
            .index_products(&docs, true)
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// A product's searchable text as merged here (unlisted when it is gone).
    fn search_doc(&self, id: Id) -> Result<SearchDoc, ApiError> {
        Ok(match self.core.product(id) {
            Ok(p) => SearchDoc {
                id,
                listed: p.status == sentra_core::catalogue::ProductStatus::Listed,
                name: fold(&p.name),
                body: fold(&format!("{} {}", p.category, p.description)),
            },
            Err(err) if err.code() == sentra_core::ErrorCode::NotFound => SearchDoc {
                id,
                listed: false,
                name: String::new(),
                body: String::new(),
            },
            Err(err) => return Err(internal(err)),
        })
    }

    /// Listed products matching a buyer's words through the store's own full-text index, or
    /// `None` when the store has none (the replica's FTS5 index answers instead).
    pub fn search(&self, text: &str) -> Result<Option<Vec<Id>>, ApiError> {
        if !self.store.has_search() {
            return Ok(None);
        }
        let words: Vec<String> = fold(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(8)
            .map(str::to_owned)
            .collect();
        self.store
            .search_products(&words, 1_000)
            .map(Some)
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// Places a buyer's order (priced from the merged catalogue, refused for an unlisted
    /// product) and pushes it into the store, so it reaches the producer's phone on its next
    /// sync. The same `request_key` gives back the same order.
    pub fn place_order(&self, order: &NewOrder) -> Result<Order, ApiError> {
        self.place_order_choosing(order, &sentra_core::selling::BuyerChoice::default())
    }

    /// [`Replica::place_order`] with the buyer's choice of delivery and payment (see
    /// `sentra_core::selling`).
    pub fn place_order_choosing(
        &self,
        order: &NewOrder,
        choice: &sentra_core::selling::BuyerChoice,
    ) -> Result<Order, ApiError> {
        let _one = self.guard();
        self.pull_all()?;
        let id = self
            .core
            .create_order_choosing(order, choice)
            .map_err(refused)?;
        self.push_outbox()?;
        self.core.order(id).map_err(internal)
    }

    /// Makes a change on the server's own behalf (an admin creating a cooperative, a
    /// facilitator's import) through the core's rules, and pushes it into the store so phones
    /// get it on their next sync.
    pub fn act<T>(
        &self,
        change: impl FnOnce(&Sentra) -> sentra_core::Result<T>,
    ) -> Result<T, ApiError> {
        let _one = self.guard();
        self.pull_all()?;
        let made = change(&self.core).map_err(refused)?;
        self.push_outbox()?;
        Ok(made)
    }

    /// Pushes the replica's own changes (orders placed here) into the store.
    fn push_outbox(&self) -> Result<(), ApiError> {
        while let Some(batch) = self.core.sync_push_batch(PAGE_BYTES).map_err(internal)? {
            let results = self
                .store
                .push(&self.account, batch.device_id, &batch.entries, now_ms())
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let (settled, _) = self
                .core
                .sync_settle_push(&PushResponse {
                    server_time_ms: now_ms(),
                    results,
                })
                .map_err(internal)?;
            if settled == 0 {
                break;
            }
        }
        Ok(())
    }
}

/// A domain refusal the caller should see (a field broke a rule, something unknown), or an
/// internal failure.
pub fn refused(err: sentra_core::Error) -> ApiError {
    match err.code() {
        sentra_core::ErrorCode::Validation
        | sentra_core::ErrorCode::NotFound
        | sentra_core::ErrorCode::InvalidTransition => ApiError::Refused(err),
        _ => internal(err),
    }
}

fn internal(err: sentra_core::Error) -> ApiError {
    ApiError::Internal(err.to_string())
}
