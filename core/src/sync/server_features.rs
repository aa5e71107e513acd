//! What this phone remembers of its server between syncs: whether it checks the phone's clock
//! on each push ([`wire::CLOCK_CHECK`]). The app makes a new transport for every sync, so what a
//! transport learnt from the server's answers ([`wire::FEATURES_HEADER`]) is kept in `meta`
//! after each sync that had an answer, and read at the start of the next.
//!
//! Only a phone that remembers a checking server pushes before it pulls. Should the server be
//! replaced by one that does not check, one push goes unchecked (harmless unless the phone's
//! clock went wrong in between), and its answer makes the phone forget.
//!
//! [`wire::CLOCK_CHECK`]: crate::sync::wire::CLOCK_CHECK
//! [`wire::FEATURES_HEADER`]: crate::sync::wire::FEATURES_HEADER

use crate::Sentra;
use crate::error::Result;
use crate::sync::wire;
use rusqlite::OptionalExtension;

const KEY: &str = "server_checks_clock";

/// Whether the server, when this phone last heard from it, checked clocks on pushes.
pub fn checks_clock(sentra: &Sentra) -> Result<bool> {
    let value: Option<String> = sentra.db.read(|c| {
        Ok(
            c.query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
                .optional()?,
        )
    })?;
    Ok(value.as_deref() == Some("1"))
}

/// Keeps what the server's last answer named (`features`, comma-separated).
pub fn remember(sentra: &Sentra, features: &str) -> Result<()> {
    let checks = features.split(',').any(|f| f.trim() == wire::CLOCK_CHECK);
    sentra.db.write(|tx| {
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            [KEY, if checks { "1" } else { "0" }],
        )?;
        Ok(())
    })
}
