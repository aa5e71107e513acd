//! How a producer sells (delivery, payment, contact), the QRIS image, an order's delivery and
//! payment, and marking an order paid: thin wrappers over `sentra_core::selling`.

use crate::catalogue::Photo;
use crate::device::{Change, SentraDevice, runtime};
use crate::error::{Result, SentraError};
use crate::id;
use sentra_core::selling::{self, ZoneRates};
use std::path::PathBuf;

/// How a courier delivery is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CourierFee {
    /// The same fee for every order, in rupiah.
    Flat {
        /// Rupiah per order.
        fee: i64,
    },
    /// Rupiah per started kg of chargeable weight (the larger of weight and L×W×H/6000), by
    /// zone; `None`: not delivered there.
    PerKg {
        /// Within the producer's regency or city.
        regency: Option<i64>,
        /// Elsewhere in the producer's province.
        province: Option<i64>,
        /// Anywhere else.
        national: Option<i64>,
    },
}

impl From<selling::Courier> for CourierFee {
    fn from(c: selling::Courier) -> Self {
        match c {
            selling::Courier::Flat(fee) => CourierFee::Flat { fee },
            selling::Courier::PerKg(r) => CourierFee::PerKg {
                regency: r.regency,
                province: r.province,
                national: r.national,
            },
        }
    }
}

impl From<CourierFee> for selling::Courier {
    fn from(c: CourierFee) -> Self {
        match c {
            CourierFee::Flat { fee } => selling::Courier::Flat(fee),
            CourierFee::PerKg {
                regency,
                province,
                national,
            } => selling::Courier::PerKg(ZoneRates {
                regency,
                province,
                national,
            }),
        }
    }
}

/// A bank account buyers transfer to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct BankAccount {
    /// The bank (BRI, BNI, Bank Jateng, …).
    pub bank: String,
    /// The account number (spaces, dots and dashes are dropped when saved).
    pub number: String,
    /// The account holder's name.
    pub holder: String,
}

/// How a producer delivers, is paid and is reached.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SellingSettings {
    /// Where buyers may pick up; `None`: no pick-up.
    pub pickup_place: Option<String>,
    /// Courier delivery and its fee; `None`: no courier.
    pub courier: Option<CourierFee>,
    /// Bank transfer to this account; `None`: no transfer.
    pub bank: Option<BankAccount>,
    /// The QRIS image's content hash (set with `set_qris_photo`); `None`: no QRIS.
    pub qris_hash: Option<String>,
    /// Cash on delivery accepted.
    pub cod: bool,
    /// WhatsApp number (any local form; saved as `+62…`).
    pub whatsapp: Option<String>,
}

impl From<selling::Selling> for SellingSettings {
    fn from(s: selling::Selling) -> Self {
        SellingSettings {
            pickup_place: s.pickup_place,
            courier: s.courier.map(CourierFee::from),
            bank: s.bank.map(|b| BankAccount {
                bank: b.bank,
                number: b.number,
                holder: b.holder,
            }),
            qris_hash: s.qris_hash,
            cod: s.cod,
            whatsapp: s.whatsapp,
        }
    }
}

impl From<SellingSettings> for selling::Selling {
    fn from(s: SellingSettings) -> Self {
        selling::Selling {
            pickup_place: s.pickup_place,
            courier: s.courier.map(selling::Courier::from),
            bank: s.bank.map(|b| selling::BankAccount {
                bank: b.bank,
                number: b.number,
                holder: b.holder,
            }),
            qris_hash: s.qris_hash,
            cod: s.cod,
            whatsapp: s.whatsapp,
        }
    }
}

/// How the buyer chose to receive an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DeliveryChoice {
    /// The buyer picks it up.
    Pickup,
    /// Sent by courier, for the delivery fee.
    Courier,
}

/// How the buyer chose to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PaymentChoice {
    /// Bank transfer.
    BankTransfer,
    /// QRIS.
    Qris,
    /// Cash on delivery.
    Cod,
}

/// An order's delivery, fee, payment and paid mark.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OrderSelling {
    /// How the buyer receives it; `None` for an order made without a choice.
    pub delivery: Option<DeliveryChoice>,
    /// The delivery fee in rupiah (included in the order's total).
    pub delivery_fee: i64,
    /// How the buyer pays; `None` for an order made without a choice.
    pub payment: Option<PaymentChoice>,
    /// When the producer marked it paid (Unix ms); `None`: not yet.
    pub paid_at: Option<i64>,
}

#[uniffi::export]
impl SentraDevice {
    /// A producer's delivery, payment and contact settings.
    pub fn selling(&self, producer_id: String) -> Result<SellingSettings> {
        let producer = id::parse("producer_id", &producer_id)?;
        Ok(self.inner()?.selling(producer)?.into())
    }

    /// Saves a producer's delivery, payment and contact settings; a validation error names
    /// every field that breaks a rule.
    pub fn set_selling(&self, producer_id: String, settings: SellingSettings) -> Result<()> {
        let producer = id::parse("producer_id", &producer_id)?;
        self.inner()?.set_selling(producer, &settings.into())?;
        self.notify(Change::Producers);
        Ok(())
    }

    /// Takes a photo of the producer's QRIS code through the photo pipeline and makes it their
    /// QRIS (the one before is removed).
    pub async fn set_qris_photo(&self, producer_id: String, source_path: String) -> Result<Photo> {
        let producer = id::parse("producer_id", &producer_id)?;
        let inner = self.inner()?.clone();
        let source = PathBuf::from(source_path);
        let photo = runtime()?
            .spawn_blocking(move || inner.set_qris_photo(producer, &source))
            .await
            .map_err(|_| SentraError::internal())??;
        self.notify(Change::Producers);
        Ok(photo.into())
    }

    /// An order's delivery, fee, payment and paid mark.
    pub fn order_selling(&self, order_id: String) -> Result<OrderSelling> {
        let order = self.inner()?.order(id::parse("order_id", &order_id)?)?;
        Ok(OrderSelling {
            delivery: order.delivery.map(|d| match d {
                selling::Delivery::Pickup => DeliveryChoice::Pickup,
                selling::Delivery::Courier => DeliveryChoice::Courier,
            }),
            delivery_fee: order.delivery_fee,
            payment: order.payment.map(|p| match p {
                selling::Payment::BankTransfer => PaymentChoice::BankTransfer,
                selling::Payment::Qris => PaymentChoice::Qris,
                selling::Payment::Cod => PaymentChoice::Cod,
            }),
            paid_at: order.paid_at,
        })
    }

    /// Marks an order paid ("Tandai sudah dibayar"); again changes nothing, and a rejected or
    /// cancelled order is refused (`InvalidTransition`).
    pub fn mark_order_paid(&self, order_id: String) -> Result<()> {
        self.inner()?
            .mark_order_paid(id::parse("order_id", &order_id)?)?;
        self.notify(Change::Orders);
        Ok(())
    }
}
