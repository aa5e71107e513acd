//! Sentra's sync server: accounts, authorised pushes and scoped pulls over HTTP.
//!
//! [`app`] builds the axum router over a [`store::Store`]; `main.rs` serves it. Bodies are
//! zstd-compressed JSON (the wire types of `sentra_core::sync::wire`); plain JSON is accepted
//! from tools. Every failure answers a JSON [`sentra_core::sync::wire::ErrorBody`] with a stable
//! code.

pub mod accounts;
pub mod blobs;
pub mod bulk;
pub mod demo;
pub mod error;
pub mod limits;
pub mod members;
pub mod metrics;
pub mod orders;
pub mod photos;
pub mod push_clock;
pub mod push_order;
pub mod replica;
pub mod scope;
pub mod selling;
pub mod signin;
pub mod store;
pub mod web;

use accounts::{Account, hash_secret, token_hash};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error::ApiError;
use sentra_core::sync::columns::COLUMNS;
use sentra_core::sync::wire::{
    self, LoginRequest, LoginResponse, OLDEST_ACCEPTED_VERSION, PROTOCOL_VERSION, PullRequest,
    PushRequest,
};
use sentra_core::{Id, Role};
use std::sync::Arc;
use store::Store;

/// The largest compressed request body.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// The most entries one push may carry.
pub const MAX_BATCH_ENTRIES: usize = wire::MAX_PUSH_ENTRIES;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend.
    pub store: Arc<dyn Store>,
    /// Where photos were to be kept on this server's disk (the replica lives beside it).
    pub blob_dir: std::path::PathBuf,
    /// Where photos are kept, by content hash: the store's (shared by every server on the
    /// database), or the blob directory.
    pub blobs: Arc<dyn blobs::Blobs>,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Per-token rate limits.
    pub limits: Arc<limits::Buckets>,
    /// Thresholds for sign-in attempts.
    pub sign_in_limits: limits::SignInLimits,
    /// The proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<limits::TrustedProxies>,
    /// The merged read model, opened on first use beside the blob directory.
    replica: Arc<std::sync::Mutex<Option<Arc<replica::Replica>>>>,
    /// The address buyers reach the storefront at (`--public-url`), for the absolute links of
    /// shared pages; `None` takes it from each request's `Host` ([`web::share`]).
    pub public_url: Option<Arc<str>>,
    /// Wakes the requests waiting on a device's pushes when this server answers one (see
    /// [`push_order`]).
    pushes_answered: Arc<push_order::Answered>,
    /// Pushes waiting to be written, in groups (one transaction each).
    writes: Arc<store::Group<store::PushJob, store::PushAnswer>>,
}

impl AppState {
    /// State over a store, with photos in `blob_dir`.
    pub fn new(store: Arc<dyn Store>, blob_dir: std::path::PathBuf) -> Self {
        let blobs = store
            .blobs()
            .unwrap_or_else(|| Arc::new(blobs::BlobDir::new(blob_dir.clone())));
        let writes = {
            let store = store.clone();
            store::Group::new(move |jobs| store::write_group(&*store, jobs))
        };
        AppState {
            store,
            blobs,
            blob_dir,
            metrics: Arc::default(),
            limits: Arc::default(),
            sign_in_limits: limits::SignInLimits::default(),
            trusted_proxies: Arc::default(),
            replica: Arc::default(),
            public_url: None,
            pushes_answered: Arc::default(),
            writes,
        }
    }

    /// The merged read model (kept in `replica/` beside the blob directory), brought up to
    /// date with every push so far. Blocks: call it on the blocking pool.
    pub fn replica(&self) -> Result<Arc<replica::Replica>, ApiError> {
        let replica = self.replica_as_is()?;
        replica.refresh()?;
        Ok(replica)
    }

    /// The merged read model as it stands, opened (and caught up) on first use but not
    /// refreshed: for hot paths such as photos, whose page already refreshed it. Blocks.
    pub fn replica_as_is(&self) -> Result<Arc<replica::Replica>, ApiError> {
        let mut slot = self
            .replica
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(replica) = slot.as_ref() {
            return Ok(replica.clone());
        }
        let dir = self.blob_dir.with_file_name("replica");
        let opened = Arc::new(replica::Replica::open(&dir, self.store.clone())?);
        *slot = Some(opened.clone());
        Ok(opened)
    }

    /// The account and device of the live token hashed `token_hash` (`None`: no such token),
    /// once a request is taken from the token's bucket: in the database when the store keeps
    /// buckets (so the limit holds across servers), else in memory; `RateLimited` when it is
    /// empty. Blocks.
    pub fn session(&self, token_hash: &[u8]) -> Result<Option<(Account, Id)>, ApiError> {
        match self
            .store
            .take_request_and_session(token_hash, self.limits.limit(), now_ms())
            .map_err(internal)?
        {
            Some((true, session)) => Ok(session),
            Some((false, _)) => Err(ApiError::RateLimited),
            None if self.limits.allow(token_hash) => {
                self.store.session(token_hash).map_err(internal)
            }
            None => Err(ApiError::RateLimited),
        }
    }

    /// The same state with another rate limit per token.
    pub fn with_rate_limit(mut self, limit: limits::RateLimit) -> Self {
        self.limits = Arc::new(limits::Buckets::new(limit));
        self
    }

    /// The same state with other thresholds for sign-in attempts.
    pub fn with_sign_in_limits(mut self, limits: limits::SignInLimits) -> Self {
        self.sign_in_limits = limits;
        self
    }

    /// The same state believing `X-Forwarded-For` from these proxies (for the client address
    /// that sign-in attempts are throttled by).
    pub fn with_trusted_proxies(mut self, proxies: limits::TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// The same state with the storefront's public address, such as `https://sentra.id`
    /// (a trailing `/` is dropped).
    pub fn with_public_url(mut self, url: &str) -> Self {
        let url = url.trim().trim_end_matches('/');
        self.public_url = (!url.is_empty()).then(|| Arc::from(url));
        self
    }

    /// Assigns the facilitator signing in as `login` to a region: a province (2 digits),
    /// regency (4), district (6) or village (10) code. They then see and may edit every
    /// producer there, as well as the ones they registered.
    pub fn assign_region(&self, login: &str, region: &str) -> Result<(), ApiError> {
        let region: String = region.chars().filter(char::is_ascii_digit).collect();
        let known = match region.len() {
            2 => sentra_core::regions::province(&region).is_some(),
            4 | 6 | 10 => sentra_core::regions::validate_code(&region).is_ok(),
            _ => false,
        };
        if !known {
            return Err(ApiError::BadBody);
        }
        let user = self
            .store
            .user_by_login(&normalise_login(login))
            .map_err(internal)?
            .ok_or(ApiError::BadCredentials)?;
        self.store.assign_region(user, &region).map_err(internal)
    }

    /// The user id behind a login (a producer's phone in any form, or a staff name).
    pub fn user_id(&self, login: &str) -> Result<Id, ApiError> {
        self.store
            .user_by_login(&normalise_login(login))
            .map_err(internal)?
            .ok_or(ApiError::BadCredentials)
    }

    /// Creates an account, hashing its secret with argon2id (used by `admin` and by tests). A
    /// producer's login must be a phone number, and any other role's must not look like one
    /// ([`accounts::login_for`]); a login that exists already is refused with
    /// [`ApiError::LoginTaken`]. Blocks.
    pub fn create_account(
        &self,
        login: &str,
        secret: &str,
        role: Role,
        producer_id: Option<Id>,
    ) -> Result<Account, ApiError> {
        let login = accounts::login_for(role, login)?;
        let hash = hash_secret(secret).map_err(ApiError::Internal)?;
        self.store
            .create_account(&login, &hash, role, producer_id)
            .map_err(internal)?
            .ok_or(ApiError::LoginTaken)
    }
}

/// The router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { state.metrics.render() }),
        )
        .route("/v1/login", post(login))
        .route("/v1/logout", post(logout))
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", post(pull))
        .route(
            "/v1/photos/{hash}",
            axum::routing::put(upload_photo).get(download_photo),
        )
        .route("/v1/photos/{hash}/status", get(photo_status))
        .route("/v1/orders", post(orders::place))
        .route("/v1/orders/{code}", get(orders::status))
        .merge(web::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::map_response(json_refusals))
        .layer(axum::middleware::map_response(web::headers::secure))
        .with_state(state)
}

/// No such route: a page for a browser, a JSON error for the API.
async fn not_found(uri: axum::http::Uri, headers: HeaderMap) -> Response {
    if uri.path().starts_with("/v1/") {
        ApiError::NotFound.into_response()
    } else {
        web::error_page(web::lang_of(&headers, None), &ApiError::NotFound)
    }
}

/// axum's own refusals (a query or path that does not parse, a body over the limit, a wrong
/// method) are plain text; every API answer is JSON with a stable code, so they become one.
async fn json_refusals(response: Response) -> Response {
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    let status = response.status();
    if !plain_text || !status.is_client_error() {
        return response;
    }
    let (code, message) = match status.as_u16() {
        404 => ("not_found", "tidak ditemukan"),
        405 => ("method_not_allowed", "this method is not allowed here"),
        413 => ("too_large", "the request body is too large"),
        415 => (
            "unsupported_media_type",
            "the request body has the wrong content type",
        ),
        _ => ("bad_body", "the request is not valid"),
    };
    let body = wire::ErrorBody {
        code: code.to_owned(),
        message: message.to_owned(),
        fields: Vec::new(),
    };
    (status, axum::Json(body)).into_response()
}

fn internal(err: store::StoreError) -> ApiError {
    ApiError::Internal(err.to_string())
}

/// The server's clock: the same wall clock the core reads.
pub(crate) fn now_ms() -> i64 {
    use sentra_core::WallClock;
    sentra_core::SystemClock.now_ms()
}

/// A producer's phone in any local form becomes `+62…`; a staff name is kept as typed.
fn normalise_login(login: &str) -> String {
    sentra_core::normalise_phone(login).unwrap_or_else(|| login.trim().to_owned())
}

fn read_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    let zstd = headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v == "zstd");
    if zstd {
        wire::decode(body).map_err(|_| ApiError::BadBody)
    } else {
        serde_json::from_slice(body).map_err(|_| ApiError::BadBody)
    }
}

fn reply<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = wire::encode(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("zstd"));
    Ok(response)
}

fn check_version(version: u32) -> Result<(), ApiError> {
    if (OLDEST_ACCEPTED_VERSION..=PROTOCOL_VERSION).contains(&version) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedVersion)
    }
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// The account and device behind the request's bearer token.
async fn session(state: &AppState, headers: &HeaderMap) -> Result<(Account, Id), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let hash = token_hash(token.trim());
    let state = state.clone();
    blocking(move || state.session(&hash)?.ok_or(ApiError::Unauthorized)).await
}

/// `POST /v1/login`: a phone signs in (see [`signin`] for the checks and throttling).
async fn login(
    State(state): State<AppState>,
    address: limits::ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: LoginRequest = read_body(&headers, &body)?;
    check_version(request.version)?;
    let attempt = signin::Attempt {
        login: request.login,
        secret: request.secret,
        device: Some(request.device_id),
        address,
    };
    let signed_in = signin::sign_in(&state, attempt).await?;
    reply(&LoginResponse {
        token: signed_in.token,
        user_id: signed_in.account.user_id,
        role: signed_in.account.role,
        producer_id: signed_in.account.producer_id,
        server_time_ms: signed_in.at,
    })
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    session(&state, &headers).await?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let hash = token_hash(token.trim());
    let store = state.store.clone();
    blocking(move || store.revoke_token(&hash).map_err(internal)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

async fn push(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    // When the request's head arrived: a phone's clock is judged against it, not against the
    // end of an upload that may take seconds (see `push_clock`).
    let arrived = now_ms();
    let headers = request.headers().clone();
    let body = match <Bytes as axum::extract::FromRequest<AppState>>::from_request(request, &state)
        .await
    {
        Ok(body) => body,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let (account, device) = session(&state, &headers).await?;
    let request: PushRequest = read_body(&headers, &body)?;
    check_version(request.version)?;
    if request.device_id != device {
        return Err(ApiError::WrongDevice);
    }
    if request.entries.len() > MAX_BATCH_ENTRIES {
        return Err(ApiError::BadBody);
    }
    if let Some(device_time) = push_clock::device_time(&headers)? {
        push_clock::check(arrived, device_time, &request.entries)?;
    }
    if let Some(after) = push_order::after(&headers)? {
        push_order::wait_for(&state, device, after).await?;
    }
    // The entries are checked against the rules and their feed rows written here; the group's
    // writer then spends its time on the database only.
    let job = store::PushJob::new(&account, device, request.entries, now_ms()).map_err(internal)?;
    let results = match state.writes.submit(job).await {
        Ok(answer) => answer.map_err(internal),
        Err(store::Unanswered) => Err(ApiError::Internal(
            "the write of this push was abandoned".into(),
        )),
    };
    state.pushes_answered.notify(device);
    let results = results?;
    for result in &results {
        let counter = match result.outcome {
            wire::Outcome::Applied => &state.metrics.entries_applied,
            wire::Outcome::Duplicate => &state.metrics.entries_duplicate,
            wire::Outcome::Rejected { .. } => &state.metrics.entries_rejected,
        };
        metrics::Metrics::add(counter, 1);
    }
    with_features(reply(&wire::PushResponse {
        server_time_ms: now_ms(),
        results,
    }))
}

/// Names what this server does beyond protocol version 1 (see [`wire::FEATURES_HEADER`]).
fn with_features(response: Result<Response, ApiError>) -> Result<Response, ApiError> {
    let mut response = response?;
    response.headers_mut().insert(
        wire::FEATURES_HEADER,
        HeaderValue::from_static(wire::FEATURES),
    );
    Ok(response)
}

async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (account, device) = session(&state, &headers).await?;
    let request: PullRequest = read_body(&headers, &body)?;
    check_version(request.version)?;
    if request.device_id != device {
        return Err(ApiError::WrongDevice);
    }
    if let Some(after) = push_order::pull_after(&headers)? {
        push_order::wait_for(&state, device, after).await?;
    }
    let max_bytes = request.max_bytes.clamp(1_024, wire::MAX_BODY_BYTES / 2);
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let until = text(wire::PULL_UNTIL_HEADER);
    let ahead = text(wire::PULL_AHEAD_HEADER)
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let store = state.store.clone();
    let (page, cursors) = blocking(move || {
        let asked = store::PullAsk {
            cursor: request.cursor.as_deref(),
            until: until.as_deref(),
            ahead,
            max_bytes,
        };
        store
            .pull_ranged(&account, device, &asked, now_ms())
            .map_err(internal)
    })
    .await?;
    let next_cursor = page.next_cursor.clone();
    let page_with_ahead = |response: Result<Response, ApiError>| {
        let mut response = with_features(response)?;
        if let Ok(value) = HeaderValue::from_str(&cursors.join(","))
            && !cursors.is_empty()
        {
            response
                .headers_mut()
                .insert(wire::PULL_AHEAD_HEADER, value);
            if let Ok(next) = HeaderValue::from_str(&next_cursor) {
                response.headers_mut().insert(wire::PULL_NEXT_HEADER, next);
            }
        }
        Ok::<_, ApiError>(response)
    };
    metrics::Metrics::add(&state.metrics.changes_pulled, page.changes.len() as u64);
    let columns = headers
        .get(wire::PAGE_FORMAT_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|f| f.trim() == COLUMNS));
    if !columns {
        return page_with_ahead(reply(&page));
    }
    let mut response = page_with_ahead(reply(&wire::ColumnsPage::from(page)))?;
    response
        .headers_mut()
        .insert(wire::PAGE_FORMAT_HEADER, HeaderValue::from_static(COLUMNS));
    Ok(response)
}

/// Whether `account` may download the image file `hash`. Blocks.
fn may_download(state: &AppState, account: &Account, hash: &str) -> Result<bool, ApiError> {
    let visible = state.store.visible(account).map_err(internal)?;
    if matches!(visible, scope::Visible::All) {
        return Ok(true);
    }
    let allowed = |replica: &Arc<replica::Replica>| -> Result<bool, ApiError> {
        let core = replica.core();
        Ok(core.photo_is_public(hash).map_err(replica::refused)?
            || core
                .photo_producers(hash)
                .map_err(replica::refused)?
                .into_iter()
                .any(|producer| visible.allows(Some(producer))))
    };
    // The read model as it stands answers most downloads; it is brought up to date (a pull of
    // the feed, serialised) only when it does not allow this one, as when the photo's row came
    // with the push just before.
    Ok(allowed(&state.replica_as_is()?)? || allowed(&state.replica()?)?)
}

/// Where a chunk goes in its file.
#[derive(Debug, serde::Deserialize)]
struct ChunkAt {
    offset: u64,
    total: u64,
}

async fn upload_photo(
    State(state): State<AppState>,
    axum::extract::Path(hash): axum::extract::Path<String>,
    axum::extract::Query(at): axum::extract::Query<ChunkAt>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (account, _) = session(&state, &headers).await?;
    // The read-only official looks; only those who keep data upload it.
    if account.role == Role::Official {
        return Err(ApiError::Forbidden);
    }
    photos::check_hash(&hash)?;
    let blobs = state.blobs.clone();
    let ack = blocking(move || photos::append(&*blobs, &hash, at.offset, at.total, &body)).await?;
    metrics::Metrics::add(&state.metrics.photo_chunks, 1);
    Ok(axum::Json(ack).into_response())
}

async fn photo_status(
    State(state): State<AppState>,
    axum::extract::Path(hash): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    session(&state, &headers).await?;
    let blobs = state.blobs.clone();
    let ack = blocking(move || photos::status(&*blobs, &hash)).await?;
    Ok(axum::Json(ack).into_response())
}

/// A complete photo, by hash, for an account that may see it: a photo of a listed product, or
/// of a producer in the account's scope (anything else is "not found", as a missing photo). A
/// hash never changes its bytes, so it may be cached for a year.
async fn download_photo(
    State(state): State<AppState>,
    axum::extract::Path(hash): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (account, _) = session(&state, &headers).await?;
    photos::check_hash(&hash)?;
    let (checker, wanted) = (state.clone(), hash.clone());
    if !blocking(move || may_download(&checker, &account, &wanted)).await? {
        return Err(ApiError::PhotoNotFound);
    }
    let blobs = state.blobs.clone();
    let etag = format!("\"{hash}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        photos::check_hash(&hash)?;
        return Ok(axum::http::StatusCode::NOT_MODIFIED.into_response());
    }
    let bytes =
        blocking(move || photos::read(&*blobs, &hash)?.ok_or(ApiError::PhotoNotFound)).await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    Ok(response)
}
