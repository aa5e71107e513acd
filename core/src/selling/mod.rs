//! How a producer sells: how they deliver, how they are paid, and how a buyer reaches them.
//!
//! The buyer asks "berapa ongkirnya?" and "bayarnya ke mana?" before anything else. A producer
//! answers once, from the phone, and the storefront shows it on the product page, takes the
//! buyer's choice in the order form, puts the delivery fee in the order's total, and shows how
//! to pay on the thank-you and status pages.
//!
//! **The model: synced fields on the producer**, not an entity of its own. The settings belong to
//! exactly one producer and are public only as far as the producer is, so the producer row
//! already has the right owner, the right authorisation on the server (a producer edits their own
//! row, a facilitator the producers they registered) and the right scope on every phone; a new
//! entity would need all of that again. Each group that must change together is **one field**,
//! so per-field last-write-wins never mixes two phones' halves:
//!
//! | field | value |
//! |---|---|
//! | `delivery_pickup` | where the buyer picks up (text), or null: no pick-up |
//! | `delivery_courier` | `{"flat":15000}` or `{"per_kg":{"regency":8000,"province":12000,"national":25000}}` (rupiah; a missing zone is not delivered to), or null |
//! | `payment_bank` | `{"bank":"BRI","number":"0123456789","holder":"Siti Aminah"}`, or null |
//! | `payment_qris` | the content hash of the QRIS image, a producer photo taken through the photo pipeline, or null |
//! | `payment_cod` | 1 when cash on delivery is accepted |
//! | `contact_whatsapp` | the WhatsApp number, `+62…`, or null |
//!
//! The JSON fields must be in their canonical form (keys in this order, no spaces): a phone's
//! own write always is, and the server and every phone refuse anything else (`check_courier`,
//! `check_bank`, the same functions a local write uses). The fields are only ever written by an
//! `update`, never in a producer's `create`, so an old phone that does not know them skips only
//! these updates.
//!
//! An order carries the buyer's choice (`delivery`, `payment`) and the fee (`delivery_fee`), the
//! fee computed from the producer's settings where the order is made ([`fee`]); the total
//! includes it. A producer marks an order paid with a transition that carries only `paid_at`
//! (see [`paid`]).

pub mod fee;
pub(crate) mod order;
pub mod paid;

use crate::db::{Tx, Val};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::Checks;
use crate::sync::outbox::Entity;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// The largest delivery fee or per-kg rate: Rp 10.000.000.
pub const MAX_FEE: i64 = 10_000_000;
/// The longest pick-up place.
pub const PICKUP_MAX: usize = 200;
/// The longest bank name.
pub const BANK_MAX: usize = 60;
/// The longest account holder's name.
pub const HOLDER_MAX: usize = 100;

/// How a courier delivery is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Courier {
    /// The same fee for every order, in rupiah.
    Flat(i64),
    /// A rate per started kilogram of chargeable weight (the larger of the weight and the
    /// volumetric weight L×W×H/6000), by how far the buyer is.
    PerKg(ZoneRates),
}

/// Rupiah per kilogram to each zone; `None`: not delivered there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneRates {
    /// Within the producer's own regency or city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regency: Option<i64>,
    /// Elsewhere in the producer's province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<i64>,
    /// Anywhere else in Indonesia.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national: Option<i64>,
}

/// A bank account to transfer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    /// The bank (BRI, BNI, Bank Jateng, …).
    pub bank: String,
    /// The account number: digits only.
    pub number: String,
    /// The account holder's name.
    pub holder: String,
}

/// How a producer delivers, is paid and is reached. Also the input of
/// [`Sentra::set_selling`](crate::Sentra::set_selling): text is trimmed, the WhatsApp number
/// may be in any local form, and the account number may carry spaces, dots or dashes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Selling {
    /// Where a buyer may pick up; `None`: no pick-up.
    pub pickup_place: Option<String>,
    /// Courier delivery and its fee; `None`: no courier.
    pub courier: Option<Courier>,
    /// Bank transfer to this account; `None`: no transfer.
    pub bank: Option<BankAccount>,
    /// The QRIS image's content hash (set with
    /// [`Sentra::set_qris_photo`](crate::Sentra::set_qris_photo)); `None`: no QRIS.
    pub qris_hash: Option<String>,
    /// Cash on delivery accepted.
    pub cod: bool,
    /// WhatsApp number, `+62…`.
    pub whatsapp: Option<String>,
}

impl Selling {
    /// Whether the producer offers any way to deliver.
    pub fn delivers(&self) -> bool {
        self.pickup_place.is_some() || self.courier.is_some()
    }

    /// Whether the producer offers any way to be paid.
    pub fn takes_payment(&self) -> bool {
        self.bank.is_some() || self.qris_hash.is_some() || self.cod
    }

    /// Whether the buyer may choose this way of delivery.
    pub fn offers_delivery(&self, delivery: Delivery) -> bool {
        match delivery {
            Delivery::Pickup => self.pickup_place.is_some(),
            Delivery::Courier => self.courier.is_some(),
        }
    }

    /// Whether the buyer may choose this way of paying.
    pub fn offers_payment(&self, payment: Payment) -> bool {
        match payment {
            Payment::BankTransfer => self.bank.is_some(),
            Payment::Qris => self.qris_hash.is_some(),
            Payment::Cod => self.cod,
        }
    }
}

/// What the buyer chose in the order form, as codes (empty: not chosen). A storefront buyer
/// must choose each when the producer offers any way (`required`); a facilitator's or
/// cooperative's order may leave them open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BuyerChoice {
    /// `pickup` or `courier` (see [`Delivery`]).
    #[serde(default)]
    pub delivery: String,
    /// `bank_transfer`, `qris` or `cod` (see [`Payment`]).
    #[serde(default)]
    pub payment: String,
}

/// How the buyer chose to receive an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The buyer picks it up at the producer's place.
    Pickup,
    /// The producer sends it by courier, for the delivery fee.
    Courier,
}

impl Delivery {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Pickup => "pickup",
            Delivery::Courier => "courier",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Delivery> {
        [Delivery::Pickup, Delivery::Courier]
            .into_iter()
            .find(|d| d.as_str() == code)
    }

    /// The name shown to people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::{En, Id};
        match (self, lang) {
            (Delivery::Pickup, Id) => "Ambil sendiri",
            (Delivery::Pickup, En) => "Pick up",
            (Delivery::Courier, Id) => "Dikirim kurir",
            (Delivery::Courier, En) => "Courier delivery",
        }
    }
}

/// How the buyer chose to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payment {
    /// A bank transfer to the producer's account.
    BankTransfer,
    /// Scanning the producer's QRIS code.
    Qris,
    /// Cash on delivery.
    Cod,
}

impl Payment {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Payment::BankTransfer => "bank_transfer",
            Payment::Qris => "qris",
            Payment::Cod => "cod",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Payment> {
        [Payment::BankTransfer, Payment::Qris, Payment::Cod]
            .into_iter()
            .find(|p| p.as_str() == code)
    }

    /// The name shown to people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::{En, Id};
        match (self, lang) {
            (Payment::BankTransfer, Id) => "Transfer bank",
            (Payment::BankTransfer, En) => "Bank transfer",
            (Payment::Qris, Id) => "QRIS",
            (Payment::Qris, En) => "QRIS",
            (Payment::Cod, Id) => "Bayar di tempat (COD)",
            (Payment::Cod, En) => "Cash on delivery (COD)",
        }
    }
}

/// The synced producer columns this module owns, in the order of [`Selling`]'s fields.
pub const FIELDS: [&str; 6] = [
    "delivery_pickup",
    "delivery_courier",
    "payment_bank",
    "payment_qris",
    "payment_cod",
    "contact_whatsapp",
];

/// The canonical text of a courier setting, as stored and synced.
pub fn courier_text(courier: &Courier) -> String {
    serde_json::to_string(courier).unwrap_or_default()
}

/// The canonical text of a bank account, as stored and synced.
pub fn bank_text(bank: &BankAccount) -> String {
    serde_json::to_string(bank).unwrap_or_default()
}

/// Checks a courier setting's values.
fn check_courier_values(c: &mut Checks, courier: &Courier) {
    match courier {
        Courier::Flat(fee) => {
            c.range("delivery_courier", *fee, 0, MAX_FEE);
        }
        Courier::PerKg(rates) => {
            let all = [rates.regency, rates.province, rates.national];
            if all.iter().all(Option::is_none) {
                c.fail("delivery_courier", Rule::Required);
            }
            for rate in all.into_iter().flatten() {
                c.range("delivery_courier", rate, 1, MAX_FEE);
            }
        }
    }
}

/// The rule a synced `delivery_courier` value keeps: canonical JSON of a [`Courier`] with
/// values in range. The server and every phone run this on what they receive.
pub(crate) fn check_courier(c: &mut Checks, raw: &str) {
    match serde_json::from_str::<Courier>(raw) {
        Ok(courier) if courier_text(&courier) == raw => check_courier_values(c, &courier),
        _ => c.fail("delivery_courier", Rule::WrongType),
    }
}

/// Cleans and checks a bank account as a person typed it.
fn clean_bank(c: &mut Checks, bank: &BankAccount) -> BankAccount {
    let name = c.label("payment_bank", &bank.bank, BANK_MAX);
    let holder = c.label("payment_bank", &bank.holder, HOLDER_MAX);
    let number: String = bank
        .number
        .chars()
        .filter(|ch| !matches!(ch, ' ' | '-' | '.'))
        .collect();
    if !(6..=20).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        c.fail("payment_bank", Rule::OutOfRange);
    }
    BankAccount {
        bank: name,
        number,
        holder,
    }
}

/// The rule a synced `payment_bank` value keeps: canonical JSON of a clean [`BankAccount`].
pub(crate) fn check_bank(c: &mut Checks, raw: &str) {
    match serde_json::from_str::<BankAccount>(raw) {
        Ok(bank) => {
            let mut inner = Checks::new();
            let clean = clean_bank(&mut inner, &bank);
            if inner.finish().is_err() || clean != bank || bank_text(&bank) != raw {
                c.fail("payment_bank", Rule::OutOfRange);
            }
        }
        Err(_) => c.fail("payment_bank", Rule::WrongType),
    }
}

/// The rule a synced `delivery_pickup` keeps.
pub(crate) fn check_pickup(c: &mut Checks, place: &str) {
    let clean = c.label("delivery_pickup", place, PICKUP_MAX);
    if clean != place {
        c.fail("delivery_pickup", Rule::ControlCharacters);
    }
}

/// Checks `input` and records the fields that change, as one producer update.
pub(crate) fn set(tx: &mut Tx<'_>, producer: Id, input: &Selling) -> Result<()> {
    let current = get(tx, producer)?.ok_or(Error::NotFound { entity: "producer" })?;
    let mut c = Checks::new();
    let pickup = input
        .pickup_place
        .as_deref()
        .map(|p| c.label("delivery_pickup", p, PICKUP_MAX));
    if let Some(courier) = &input.courier {
        check_courier_values(&mut c, courier);
    }
    let bank = input.bank.as_ref().map(|b| clean_bank(&mut c, b));
    if let Some(hash) = &input.qris_hash
        && !crate::photos::is_hash(hash)
    {
        c.fail("payment_qris", Rule::Id);
    }
    let whatsapp = input
        .whatsapp
        .as_deref()
        .filter(|w| !w.trim().is_empty())
        .map(|w| c.phone("contact_whatsapp", w));
    c.finish()?;
    let next = Selling {
        pickup_place: pickup,
        courier: input.courier,
        bank,
        qris_hash: input.qris_hash.clone(),
        cod: input.cod,
        whatsapp,
    };
    let mut changes: Vec<(&'static str, Val)> = Vec::new();
    for (name, old, new) in [
        ("delivery_pickup", stored(&current).0, stored(&next).0),
        ("delivery_courier", stored(&current).1, stored(&next).1),
        ("payment_bank", stored(&current).2, stored(&next).2),
        ("payment_qris", stored(&current).3, stored(&next).3),
        ("payment_cod", stored(&current).4, stored(&next).4),
        ("contact_whatsapp", stored(&current).5, stored(&next).5),
    ] {
        if old != new {
            changes.push((name, new));
        }
    }
    tx.update("producers", Entity::Producer, producer, changes)
}

/// The stored values of [`FIELDS`].
fn stored(s: &Selling) -> (Val, Val, Val, Val, Val, Val) {
    (
        s.pickup_place.clone().into(),
        s.courier.as_ref().map(courier_text).into(),
        s.bank.as_ref().map(bank_text).into(),
        s.qris_hash.clone().into(),
        s.cod.into(),
        s.whatsapp.clone().into(),
    )
}

/// A producer's settings; `None` if there is no such producer. A stored value this build cannot
/// read (never written by the rules above) reads as not offered.
pub(crate) fn get(conn: &Connection, producer: Id) -> Result<Option<Selling>> {
    Ok(conn
        .prepare_cached(
            "SELECT delivery_pickup, delivery_courier, payment_bank, payment_qris, payment_cod, \
             contact_whatsapp FROM producers WHERE id = ?1",
        )?
        .query_row([producer], |r| {
            let courier: Option<String> = r.get(1)?;
            let bank: Option<String> = r.get(2)?;
            Ok(Selling {
                pickup_place: r.get(0)?,
                courier: courier.and_then(|c| serde_json::from_str(&c).ok()),
                bank: bank.and_then(|b| serde_json::from_str(&b).ok()),
                qris_hash: r.get(3)?,
                cod: r.get(4)?,
                whatsapp: r.get(5)?,
            })
        })
        .optional()?)
}
