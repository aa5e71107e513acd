//! The sales history and voiding a mistyped sale.

use crate::device::{Change, SentraDevice};
use crate::error::Result;
use crate::id;
use crate::orders::{Sale, SaleChannel};

/// One past direct sale as the history screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SaleEntry {
    /// The sale.
    pub sale: Sale,
    /// The product's name (empty when the product is gone from this phone).
    pub product_name: String,
    /// The variant's options, in tier order (`M`, `Biru`).
    pub options: Vec<String>,
    /// When it was voided (Unix ms); `None` while it counts.
    pub voided_at_ms: Option<i64>,
    /// Why it was voided, in the producer's words.
    pub void_reason: Option<String>,
}

#[uniffi::export]
impl SentraDevice {
    /// Past direct sales between two days (`YYYY-MM-DD`, inclusive), newest first, voided ones
    /// included and marked.
    pub fn sales_history(&self, from: String, to: String, limit: i64) -> Result<Vec<SaleEntry>> {
        let (_, limit) = id::page(0, limit)?;
        Ok(self
            .inner()?
            .sales_history(&from, &to, limit)?
            .into_iter()
            .map(|e| SaleEntry {
                sale: Sale {
                    id: e.sale.id.to_string(),
                    variant_id: e.sale.variant_id.to_string(),
                    quantity: e.sale.quantity,
                    unit_price: e.sale.unit_price,
                    channel: SaleChannel::from(e.sale.channel),
                    sold_on: e.sale.sold_on,
                },
                product_name: e.product_name,
                options: e.options,
                voided_at_ms: e.voided_at,
                void_reason: e.void_reason,
            })
            .collect())
    }

    /// Voids a mistyped sale: it leaves every total (here, on the server, on the dashboard) and
    /// its units come back to stock; the void syncs as its own entry. `reason` may be empty.
    /// A sale already voided is a `Validation` error on `sale_id`; returns the void's id.
    pub fn void_sale(&self, sale_id: String, reason: String) -> Result<String> {
        let id = self.inner()?.void_sale(&sale_id, &reason)?;
        self.notify(Change::Sales);
        Ok(id.to_string())
    }
}
