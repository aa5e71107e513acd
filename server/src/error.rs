//! The server's error: a stable code and a readable message as a JSON body with the right HTTP
//! status. Internal causes are logged, never sent to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sentra_core::sync::wire::{ErrorBody, FieldProblem};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid token was given, or it was revoked.
    #[error("sign in first")]
    Unauthorized,
    /// Wrong login or secret.
    #[error("wrong phone number, name or PIN")]
    BadCredentials,
    /// The account is locked: many wrong secrets for it came from many addresses (distributed
    /// guessing). Devices already signed in keep working. Retry after this many seconds.
    #[error(
        "akun dikunci sementara karena banyak percobaan yang salah; coba lagi nanti / \
         the account is locked for a while after many wrong attempts; try again later"
    )]
    LockedOut(u64),
    /// Too many wrong secrets from this address or device; retry after this many seconds.
    #[error(
        "terlalu banyak percobaan yang salah dari perangkat atau jaringan ini; coba lagi nanti / \
         too many wrong attempts from this device or network; try again later"
    )]
    TooManyAttempts(u64),
    /// An account with this login exists already.
    #[error("nama pengguna atau nomor HP ini sudah dipakai / this login is taken")]
    LoginTaken,
    /// A staff login (facilitator, official, admin, …) may not look like a phone number: phone
    /// numbers are producers' logins.
    #[error(
        "nama pengguna petugas tidak boleh berupa nomor HP / \
         a staff login must not look like a phone number"
    )]
    StaffLoginLooksLikePhone,
    /// A producer's login must be their phone number.
    #[error(
        "login perajin harus nomor HP Indonesia / \
         a producer's login must be an Indonesian phone number"
    )]
    ProducerLoginNotPhone,
    /// The body could not be read (not zstd JSON, too big, or malformed).
    #[error("the request body is not valid")]
    BadBody,
    /// A protocol version this server does not speak.
    #[error("this app version is not supported; update the app")]
    UnsupportedVersion,
    /// The device id in the body is not the one the token was issued to.
    #[error("this token belongs to another device")]
    WrongDevice,
    /// A photo hash that is not 64 lowercase hex digits.
    #[error("not a valid photo hash")]
    BadHash,
    /// The uploaded bytes do not match the photo's hash; the partial file is discarded.
    #[error("the uploaded photo does not match its hash")]
    HashMismatch,
    /// A complete upload that is not a photo as the app makes it (a JPEG without metadata,
    /// no larger than a display image); the file is discarded.
    #[error("berkas bukan foto JPEG tanpa metadata; not a JPEG photo without metadata")]
    NotACleanPhoto,
    /// The account's role may not do this (a read-only official uploading a photo).
    #[error("akun ini tidak boleh melakukan ini; this account may not do this")]
    Forbidden,
    /// A chunk that does not start where the server's copy ends; the body says where.
    #[error("the upload must continue at byte {0}")]
    WrongOffset(u64),
    /// Too many requests with this token; try again shortly.
    #[error("too many requests; try again shortly")]
    RateLimited,
    /// Too many attempts from this address, or at this order code; the number is the seconds
    /// to wait (sent as `Retry-After`).
    #[error("terlalu banyak percobaan; coba lagi nanti. Too many attempts; try again later")]
    SlowDown(u64),
    /// An order request key already used for another order request: the original order is
    /// not shown.
    #[error(
        "kunci permintaan ini sudah dipakai untuk pesanan lain; this request key was used for another order"
    )]
    RequestKeyReused,
    /// No such photo on the server.
    #[error("no such photo")]
    PhotoNotFound,
    /// The request broke a rule of the domain (a validation error, or something not found);
    /// the body names each field.
    #[error("{}", .0.code().message(sentra_core::Lang::Id))]
    Refused(sentra_core::Error),
    /// Nothing is here (also the answer to a wrong order code or wrong phone digits).
    #[error("tidak ditemukan")]
    NotFound,
    /// A push batch (or a pull sent with a push) named an entry that has not arrived within a
    /// wait (its batch was cut on the way); the device sends it again.
    #[error(
        "kiriman yang ditunggu belum tiba; coba lagi / \
         the changes this request waits for have not arrived yet; try again"
    )]
    PushWaiting,
    /// A push carried the phone's clock and it disagrees with the server's (or an entry is
    /// stamped ahead of it): nothing was applied; the phone pulls, which sets its clock right,
    /// and pushes again (see `crate::push_clock`).
    #[error(
        "jam ponsel tidak cocok dengan server; sinkronkan lagi / \
         the phone's clock disagrees with the server's; sync again"
    )]
    ClockWrong,
    /// Something failed inside the server.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// For a refusal that says when to come back, the seconds to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::LockedOut(secs) | ApiError::TooManyAttempts(secs) => Some(*secs),
            ApiError::SlowDown(secs) => Some((*secs).max(1)),
            _ => None,
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            ApiError::LockedOut(_) => (StatusCode::TOO_MANY_REQUESTS, "locked_out"),
            ApiError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            ApiError::LoginTaken => (StatusCode::CONFLICT, "login_taken"),
            ApiError::StaffLoginLooksLikePhone => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "staff_login_looks_like_phone",
            ),
            ApiError::ProducerLoginNotPhone => {
                (StatusCode::UNPROCESSABLE_ENTITY, "producer_login_not_phone")
            }
            ApiError::BadBody => (StatusCode::BAD_REQUEST, "bad_body"),
            ApiError::UnsupportedVersion => (StatusCode::BAD_REQUEST, "unsupported_version"),
            ApiError::WrongDevice => (StatusCode::FORBIDDEN, "wrong_device"),
            ApiError::BadHash => (StatusCode::BAD_REQUEST, "bad_hash"),
            ApiError::HashMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch"),
            ApiError::NotACleanPhoto => (StatusCode::UNPROCESSABLE_ENTITY, "not_a_clean_photo"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::WrongOffset(_) => (StatusCode::CONFLICT, "wrong_offset"),
            ApiError::PhotoNotFound => (StatusCode::NOT_FOUND, "photo_not_found"),
            ApiError::RateLimited | ApiError::SlowDown(_) => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            ApiError::RequestKeyReused => (StatusCode::CONFLICT, "request_key_reused"),
            ApiError::Refused(err) => {
                let status = match err.code() {
                    sentra_core::ErrorCode::NotFound => StatusCode::NOT_FOUND,
                    sentra_core::ErrorCode::Validation => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::CONFLICT,
                };
                (status, err.code().as_str())
            }
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::PushWaiting => (StatusCode::SERVICE_UNAVAILABLE, "push_waiting"),
            ApiError::ClockWrong => (StatusCode::CONFLICT, sentra_core::sync::wire::CLOCK_WRONG),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let (status, code) = self.status_and_code();
        let fields = match &self {
            ApiError::Refused(err) => err.fields().iter().map(FieldProblem::from).collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.to_string(),
            fields,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
