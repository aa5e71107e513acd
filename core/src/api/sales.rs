//! The direct-sales ledger: recording sales made away from the app, and their summaries.

use crate::sales::{self, NewSale, Period, Sale, SaleEntry, SalesSummary};
use crate::{Id, Result, Sentra};

impl Sentra {
    /// Records a direct sale and takes it out of stock.
    pub fn record_sale(&self, input: &NewSale) -> Result<Id> {
        self.db.write(|tx| sales::record(tx, input))
    }

    /// Voids a mistyped sale (`sale` is its id): the void syncs as its own entry, the sale
    /// leaves every total on every phone and on the server, and its units come back to stock.
    /// `reason` is optional (empty). A sale already voided is refused (`sale_id` duplicate).
    pub fn void_sale(&self, sale: &str, reason: &str) -> Result<Id> {
        self.db.write(|tx| sales::void(tx, sale, reason))
    }

    /// Past direct sales between two days inclusive, newest first, voided ones included and
    /// marked, with what was sold.
    pub fn sales_history(&self, from: &str, to: &str, limit: u32) -> Result<Vec<SaleEntry>> {
        self.db.read(|c| sales::history(c, from, to, limit))
    }

    /// Direct sales between two days inclusive, newest first, voided ones left out.
    pub fn sales(&self, from: &str, to: &str, limit: u32) -> Result<Vec<Sale>> {
        self.db.read(|c| sales::list(c, from, to, limit))
    }

    /// Direct-sales totals per day or month and channel.
    pub fn sales_summary(&self, period: Period, from: &str, to: &str) -> Result<Vec<SalesSummary>> {
        self.db.read(|c| sales::summary(c, period, from, to))
    }
}
