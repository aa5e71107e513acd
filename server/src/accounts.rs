//! Accounts and sessions: secrets hashed with argon2id, random bearer tokens stored only as
//! their BLAKE3 hash, and a lockout after repeated wrong secrets.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use sentra_core::{Id, Role};
use serde::{Deserialize, Serialize};

/// Wrong secrets in a row before an account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a lock lasts.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

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
