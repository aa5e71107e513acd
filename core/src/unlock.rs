//! The PIN that opens one account's data on a shared phone. Each account has its own database
//! file; switching to it asks for this PIN, checked offline against an argon2id hash kept in
//! the file's `meta` table (never synced). Five wrong PINs in a row lock it for 15 minutes.

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// Wrong PINs in a row before the data locks.
pub const MAX_WRONG: i64 = 5;
/// How long it stays locked.
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// What became of an unlock attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Unlock {
    /// The PIN is right (or none was ever set).
    Open,
    /// A wrong PIN; this many tries are left before the lock.
    Wrong {
        /// Tries left.
        attempts_left: i64,
    },
    /// Too many wrong PINs: try again after this time (Unix ms).
    Locked {
        /// When the lock ends.
        until_ms: i64,
    },
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn set_meta(tx: &Tx<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
        [key, value],
    )?;
    Ok(())
}

fn number(conn: &Connection, key: &str) -> Result<i64> {
    Ok(meta(conn, key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or_default())
}

/// Sets (or changes) the PIN: 6 digits.
pub(crate) fn set_pin(tx: &mut Tx<'_>, pin: &str) -> Result<()> {
    let pin = pin.trim();
    if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::field("pin", Rule::Pin));
    }
    let hash = argon2::Argon2::default()
        .hash_password(pin.as_bytes())
        .map_err(|e| Error::Decode(format!("hashing the PIN: {e}")))?;
    set_meta(tx, "unlock_pin", &hash.to_string())?;
    set_meta(tx, "unlock_wrong", "0")?;
    set_meta(tx, "unlock_locked_until", "0")
}

/// Whether a PIN guards this account's data.
pub(crate) fn has_pin(conn: &Connection) -> Result<bool> {
    Ok(meta(conn, "unlock_pin")?.is_some())
}

/// Checks a PIN at `now_ms`, counting wrong ones.
pub(crate) fn try_pin(tx: &mut Tx<'_>, pin: &str, now_ms: i64) -> Result<Unlock> {
    let Some(stored) = meta(tx, "unlock_pin")? else {
        return Ok(Unlock::Open);
    };
    let locked_until = number(tx, "unlock_locked_until")?;
    if locked_until > now_ms {
        return Ok(Unlock::Locked {
            until_ms: locked_until,
        });
    }
    let hash = PasswordHash::new(&stored).map_err(|e| Error::Decode(format!("PIN hash: {e}")))?;
    if argon2::Argon2::default()
        .verify_password(pin.trim().as_bytes(), &hash)
        .is_ok()
    {
        set_meta(tx, "unlock_wrong", "0")?;
        return Ok(Unlock::Open);
    }
    let wrong = number(tx, "unlock_wrong")? + 1;
    if wrong >= MAX_WRONG {
        let until = now_ms + LOCK_MS;
        set_meta(tx, "unlock_wrong", "0")?;
        set_meta(tx, "unlock_locked_until", &until.to_string())?;
        return Ok(Unlock::Locked { until_ms: until });
    }
    set_meta(tx, "unlock_wrong", &wrong.to_string())?;
    Ok(Unlock::Wrong {
        attempts_left: MAX_WRONG - wrong,
    })
}
