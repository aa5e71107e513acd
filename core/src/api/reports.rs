//! The officials' dashboard figures.

use crate::{Result, Sentra, reports};

impl Sentra {
    /// The dashboard's figures for a filter: producers by region, sector and cluster, orders
    /// and direct sales by channel, region and month, and buyers' reach. Errors: a validation
    /// error naming `region`, `from_month` or `to_month`.
    pub fn report(&self, filter: &reports::ReportFilter) -> Result<reports::Report> {
        self.db.read(|c| reports::report(c, filter))
    }
}
