//! Signing in: the one path a phone (`/v1/login`) and a browser (`/masuk`) both take.
//!
//! 1. The attempt is recorded as a failure (one short write) until it proves right; then the
//!    other recent failures for this device, address and login (those of attempts still being
//!    verified among them, so a parallel burst gains nothing) are read and judged by
//!    [`SignInLimits::judge`](crate::limits::SignInLimits::judge): a throttled device or
//!    address, or a locked login, is refused before any secret is checked, and its row taken
//!    back.
//! 2. The account's hash is read (no lock, no transaction) and the secret verified against it
//!    with no store lock held, in one of the few argon2 slots. An unknown login is verified
//!    against a dummy hash instead, and a stored hash the server did not make never matches, so
//!    every refusal costs one ordinary verification and answers the same `bad_credentials`.
//! 3. On success, the owner's own recent failures (this device's and this address's, for this
//!    login, the attempt's own row among them) are forgotten and a token is issued.

use crate::accounts::{Account, new_token, token_hash, verify_nothing, verify_secret};
use crate::error::ApiError;
use crate::limits::{AttemptKey, ClientAddress, Refusal};
use crate::metrics::Metrics;
use crate::{AppState, blocking, internal, normalise_login, now_ms};
use sentra_core::Id;

/// The longest secret the server verifies (a PIN is 6 digits, a password far less than this).
pub const MAX_SECRET_BYTES: usize = 256;

/// A sign-in attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The login as typed (a phone in any form, or a staff name).
    pub login: String,
    /// The PIN or password.
    pub secret: String,
    /// The device id a phone sent (its token is issued to it); `None` from a browser, which
    /// gets a token on a fresh device id of its own.
    pub device: Option<Id>,
    /// Where the attempt came from.
    pub address: ClientAddress,
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account.
    pub account: Account,
    /// The new bearer token (only its hash is stored).
    pub token: String,
    /// When (Unix ms).
    pub at: i64,
}

/// Checks an attempt and, when it is right, issues a token.
pub async fn sign_in(state: &AppState, attempt: Attempt) -> Result<SignedIn, ApiError> {
    if attempt.secret.len() > MAX_SECRET_BYTES || attempt.login.len() > MAX_SECRET_BYTES {
        return Err(ApiError::BadBody);
    }
    let state = state.clone();
    blocking(move || sign_in_now(&state, attempt)).await
}

/// The blocking body of [`sign_in`].
fn sign_in_now(state: &AppState, attempt: Attempt) -> Result<SignedIn, ApiError> {
    let login = normalise_login(&attempt.login);
    let key = AttemptKey::new(attempt.address.0, attempt.device, &login);
    let limits = state.sign_in_limits;
    let store = &state.store;
    let refused = || Metrics::add(&state.metrics.logins_refused, 1);
    let now = now_ms();
    // The attempt counts as a failure from the start until it proves right, and is counted
    // after its row is in: of a burst of parallel guesses, each sees the ones before it, so no
    // more get checked than the limits allow, however fast they come.
    let id = Id::new();
    let forget_before = now - limits.window_ms.max(limits.lock_window_ms);
    store
        .record_failure(&key, id, now, forget_before)
        .map_err(internal)?;
    let failures = store
        .failures(
            &key,
            id,
            now - limits.window_ms,
            now - limits.lock_window_ms,
        )
        .map_err(internal)?;
    if let Err(refusal) = limits.judge(&failures, now) {
        // Refused unchecked: it failed nothing, and waiting must not be prolonged by asking.
        store.withdraw_failure(id).map_err(internal)?;
        refused();
        return Err(match refusal {
            Refusal::Throttled(secs) => ApiError::TooManyAttempts(secs),
            Refusal::Locked(secs) => ApiError::LockedOut(secs),
        });
    }
    let account = match store.credentials(&login).map_err(internal)? {
        Some(found) => verify_secret(&attempt.secret, &found.secret_hash).then_some(found.account),
        None => {
            verify_nothing(&attempt.secret);
            None
        }
    };
    let Some(account) = account else {
        refused();
        return Err(ApiError::BadCredentials);
    };
    store.forget_failures(&key).map_err(internal)?;
    Metrics::add(&state.metrics.logins, 1);
    let token = new_token();
    // A browser gets a fresh device id (`Id::default()` is a new random one).
    let device = attempt.device.unwrap_or_default();
    store
        .issue_token(account.user_id, device, &token_hash(&token), now)
        .map_err(internal)?;
    Ok(SignedIn {
        account,
        token,
        at: now,
    })
}
