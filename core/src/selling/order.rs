//! The buyer's choice of delivery and payment on a new order, checked against the producer's
//! settings here, with the delivery fee computed from them.

use super::BuyerChoice;
use super::fee::{Zone, courier_fee, lines_g};
use super::{Delivery, Payment};
use crate::db::{Tx, Val};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::orders::OrderChannel;

/// What a new order carries of delivery and payment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Choice {
    pub(crate) delivery: Option<Delivery>,
    pub(crate) payment: Option<Payment>,
    /// Rupiah, 0 unless delivered by courier.
    pub(crate) fee: i64,
}

impl Choice {
    /// The order columns (and wire fields) of the choice; none when nothing was chosen, so the
    /// order is one an old phone understands.
    pub(crate) fn columns(&self) -> Vec<(&'static str, Val)> {
        if self.delivery.is_none() && self.payment.is_none() {
            return Vec::new();
        }
        vec![
            ("delivery", self.delivery.map(Delivery::as_str).into()),
            ("delivery_fee", self.fee.into()),
            ("payment", self.payment.map(Payment::as_str).into()),
        ]
    }
}

/// Checks the order's delivery and payment against the producer's settings and prices the
/// delivery for the parcel (variant, quantity) to `regency`. A storefront buyer must choose when
/// the producer offers a choice; a facilitator's or cooperative's order may leave it open.
pub(crate) fn choose(
    tx: &mut Tx<'_>,
    producer: Id,
    channel: OrderChannel,
    regency: &str,
    input: &BuyerChoice,
    parcel: &[(Id, i64)],
) -> Result<Choice> {
    let settings = super::get(tx, producer)?.unwrap_or_default();
    let must = channel == OrderChannel::Storefront;
    let mut errors = crate::input::Checks::new();
    let delivery = match input.delivery.trim() {
        "" if must && settings.delivers() => {
            errors.fail("delivery", Rule::Required);
            None
        }
        "" => None,
        code => match Delivery::parse(code) {
            Some(d) if settings.offers_delivery(d) => Some(d),
            _ => {
                errors.fail("delivery", Rule::Unknown);
                None
            }
        },
    };
    let payment = match input.payment.trim() {
        "" if must && settings.takes_payment() => {
            errors.fail("payment", Rule::Required);
            None
        }
        "" => None,
        code => match Payment::parse(code) {
            Some(p) if settings.offers_payment(p) => Some(p),
            _ => {
                errors.fail("payment", Rule::Unknown);
                None
            }
        },
    };
    errors.finish()?;
    let fee = match (delivery, settings.courier) {
        (Some(Delivery::Courier), Some(courier)) => {
            let origin: String = tx.query_row(
                "SELECT region_code FROM producers WHERE id = ?1",
                [producer],
                |r| r.get(0),
            )?;
            let zone = Zone::between(&origin, regency);
            let grams = lines_g(tx, parcel)?;
            // The producer does not deliver to that zone.
            courier_fee(&courier, zone, grams)
                .ok_or_else(|| Error::field("delivery", Rule::OutOfRange))?
        }
        _ => 0,
    };
    Ok(Choice {
        delivery,
        payment,
        fee,
    })
}
