//! Stock movements: restocks, corrections after a count, and the history.

use crate::{Id, Result, Sentra, stock};

impl Sentra {
    /// Adds stock that arrived.
    pub fn restock(&self, variant: Id, quantity: i64) -> Result<Id> {
        self.db.write(|tx| stock::restock(tx, variant, quantity))
    }

    /// Corrects stock after a count, by a signed amount.
    pub fn adjust_stock(&self, variant: Id, delta: i64) -> Result<Id> {
        self.db.write(|tx| stock::adjust(tx, variant, delta, ""))
    }

    /// Corrects stock after a count, by a signed amount, saying why (breakage, a recount, …;
    /// at most [`stock::REASON_MAX`] characters). The reason syncs with the movement.
    pub fn adjust_stock_with_reason(&self, variant: Id, delta: i64, reason: &str) -> Result<Id> {
        self.db
            .write(|tx| stock::adjust(tx, variant, delta, reason))
    }

    /// A variant's stock movements, newest first.
    pub fn stock_history(&self, variant: Id, limit: u32) -> Result<Vec<stock::Movement>> {
        self.db.read(|c| stock::history(c, variant, limit))
    }

    /// A variant's stock recomputed from its movements.
    pub fn recount_stock(&self, variant: Id) -> Result<i64> {
        self.db.read(|c| stock::recount(c, variant))
    }
}
