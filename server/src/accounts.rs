//! Accounts and sessions: secrets hashed with argon2id, random bearer tokens stored only as
//! their BLAKE3 hash, and a lockout after repeated wrong secrets.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use sentra_core::{Id, Role};
use serde::{Deserialize, Serialize};

/// Wrong secrets in a row before an account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a lock lasts.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// How long a token lives after sign-in: 180 days. A phone that syncs only now and then stays
/// signed in for a season; a lost phone's token dies even if nobody signs it out. After that the
/// app asks for the PIN again (offline work goes on meanwhile).
pub const TOKEN_LIFETIME_MS: i64 = 180 * 24 * 3_600_000;

/// Tokens issued at or before this time (Unix ms) are no longer accepted.
pub fn oldest_live_token() -> i64 {
    use sentra_core::WallClock;
    sentra_core::SystemClock.now_ms() - TOKEN_LIFETIME_MS
}

/// A user of the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The user's id.
    pub user_id: Id,
    /// What the user is.
    pub role: Role,
    /// For a producer, their producer id.
    pub producer_id: Option<Id>,
}

/// Hashes a PIN or password with argon2id (random salt, PHC string).
pub fn hash_secret(secret: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `secret` matches a PHC hash made by [`hash_secret`].
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(secret.as_bytes(), hash)
        .is_ok()
}

/// A new random bearer token (256 bits, hex).
pub fn new_token() -> String {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    format!("{}{}", a.simple(), b.simple())
}

/// What the server stores of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    blake3::hash(token.as_bytes()).as_bytes().to_vec()
}
