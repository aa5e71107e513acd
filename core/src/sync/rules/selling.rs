//! The rules of the fields that say how a producer sells and what an order chose
//! (`crate::selling`): the same functions a local write runs.

use super::Entry;
use crate::error::Rule;
use crate::input::MAX_AMOUNT;
use crate::selling::{self, Delivery, MAX_FEE, Payment};

impl Entry<'_> {
    /// A producer's delivery, payment and contact fields.
    pub(super) fn selling(&mut self) {
        if let Some(place) = self.nullable_string("delivery_pickup") {
            selling::check_pickup(&mut self.c, place);
        }
        if let Some(courier) = self.nullable_string("delivery_courier") {
            selling::check_courier(&mut self.c, courier);
        }
        if let Some(bank) = self.nullable_string("payment_bank") {
            selling::check_bank(&mut self.c, bank);
        }
        if self.f.contains_key("payment_qris") {
            self.hash("payment_qris", true);
        }
        self.range("payment_cod", 0, 1);
        if self.nullable_string("contact_whatsapp").is_some() {
            self.phone("contact_whatsapp");
        }
    }

    /// An order's choice of delivery and payment, and its fee: `total` is the lines' sum plus
    /// the fee, and only a courier delivery has one. Returns the fee.
    pub(super) fn order_choice(&mut self) -> i64 {
        let delivery = self.nullable_string("delivery");
        if let Some(d) = delivery
            && Delivery::parse(d).is_none()
        {
            self.c.fail("delivery", Rule::Unknown);
        }
        if let Some(p) = self.nullable_string("payment")
            && Payment::parse(p).is_none()
        {
            self.c.fail("payment", Rule::Unknown);
        }
        let fee = self.range("delivery_fee", 0, MAX_FEE).unwrap_or(0);
        if fee > 0 && delivery != Some(Delivery::Courier.as_str()) {
            self.c.fail("delivery_fee", Rule::OutOfRange);
        }
        fee.clamp(0, MAX_AMOUNT)
    }
}
