//! What this phone remembers of its server between syncs: whether it checks the phone's clock
//! on each push ([`wire::CLOCK_CHECK`]), and whether it holds a pull until a push is answered
//! ([`wire::PULL_AFTER_PUSH`]). The app makes a new transport for every sync, so what a
//! transport learnt from the server's answers ([`wire::FEATURES_HEADER`]) is kept in `meta`
//! after each sync that had an answer, and read at the start of the next.
//!
//! Only a phone that remembers a checking server pushes before it pulls. Should the server be
//! replaced by one that does not check, one push goes unchecked (harmless unless the phone's
//! clock went wrong in between), and its answer makes the phone forget.
//!
//! [`wire::CLOCK_CHECK`]: crate::sync::wire::CLOCK_CHECK
//! [`wire::PULL_AFTER_PUSH`]: crate::sync::wire::PULL_AFTER_PUSH
//! [`wire::FEATURES_HEADER`]: crate::sync::wire::FEATURES_HEADER

use crate::Sentra;
use crate::error::Result;
use crate::sync::wire;
use rusqlite::OptionalExtension;

/// The `meta` key of each feature remembered.
const KEYS: [(&str, &str); 2] = [
    (wire::CLOCK_CHECK, "server_checks_clock"),
    (wire::PULL_AFTER_PUSH, "server_pulls_after_push"),
];

/// Whether the server, when this phone last heard from it, checked clocks on pushes.
pub fn checks_clock(sentra: &Sentra) -> Result<bool> {
    remembers(sentra, wire::CLOCK_CHECK)
}

/// Whether the server, when this phone last heard from it, held a pull until the push it
/// named was answered.
pub fn pulls_after_push(sentra: &Sentra) -> Result<bool> {
    remembers(sentra, wire::PULL_AFTER_PUSH)
}

/// Whether the server's last answer named `feature` (one of [`KEYS`]).
fn remembers(sentra: &Sentra, feature: &str) -> Result<bool> {
    let Some((_, key)) = KEYS.iter().find(|(f, _)| *f == feature) else {
        return Ok(false);
    };
    let value: Option<String> = sentra.db.read(|c| {
        Ok(
            c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?,
        )
    })?;
    Ok(value.as_deref() == Some("1"))
}

/// Whether `features` (comma-separated, as in [`wire::FEATURES_HEADER`]) names `feature`.
pub fn names(features: &str, feature: &str) -> bool {
    features.split(',').any(|f| f.trim() == feature)
}

/// Keeps what the server's last answer named (`features`, comma-separated).
pub fn remember(sentra: &Sentra, features: &str) -> Result<()> {
    sentra.db.write(|tx| {
        for (feature, key) in KEYS {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
                [key, if names(features, feature) { "1" } else { "0" }],
            )?;
        }
        Ok(())
    })
}
