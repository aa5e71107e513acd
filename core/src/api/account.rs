//! Who is signed in on this database, and the PIN that opens it on a shared phone.

use crate::{Account, Error, Result, Sentra, unlock};
use rusqlite::OptionalExtension;

impl Sentra {
    /// Records who is signed in on this database.
    pub fn set_account(&self, account: Account) -> Result<()> {
        let json = serde_json::to_string(&account)?;
        self.db.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('account', ?1)",
                [json],
            )?;
            Ok(())
        })
    }

    /// Who is signed in, if anyone.
    pub fn account(&self) -> Result<Option<Account>> {
        self.db.read(|conn| {
            let raw: Option<String> = conn
                .query_row("SELECT value FROM meta WHERE key = 'account'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            raw.map(|raw| serde_json::from_str(&raw).map_err(Error::from))
                .transpose()
        })
    }

    /// Sets (or changes) the 6-digit PIN that opens this account's data on a shared phone.
    /// Only its argon2id hash is kept, in this file, and it is never synced.
    pub fn set_unlock_pin(&self, pin: &str) -> Result<()> {
        self.db.write(|tx| unlock::set_pin(tx, pin))
    }

    /// Whether a PIN guards this account's data.
    pub fn has_unlock_pin(&self) -> Result<bool> {
        self.db.read(unlock::has_pin)
    }

    /// Checks the PIN when someone switches to this account, offline. Five wrong PINs in a row
    /// lock it for 15 minutes.
    pub fn unlock(&self, pin: &str) -> Result<unlock::Unlock> {
        let now = self.db.clock().physical_ms();
        self.db.write(|tx| unlock::try_pin(tx, pin, now))
    }
}
