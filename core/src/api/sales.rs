//! The direct-sales ledger: recording sales made away from the app, and their summaries.

use crate::sales::{self, NewSale, Period, Sale, SalesSummary};
use crate::{Id, Result, Sentra};

impl Sentra {
    /// Records a direct sale and takes it out of stock.
    pub fn record_sale(&self, input: &NewSale) -> Result<Id> {
        self.db.write(|tx| sales::record(tx, input))
    }

    /// Direct sales between two days inclusive, newest first.
    pub fn sales(&self, from: &str, to: &str, limit: u32) -> Result<Vec<Sale>> {
        self.db.read(|c| sales::list(c, from, to, limit))
    }

    /// Direct-sales totals per day or month and channel.
    pub fn sales_summary(&self, period: Period, from: &str, to: &str) -> Result<Vec<SalesSummary>> {
        self.db.read(|c| sales::summary(c, period, from, to))
    }
}
