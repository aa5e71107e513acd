//! Orders: a buyer, lines priced at ordering time, a channel, and a one-way status.
//!
//! Accepting an order holds its stock with `reserve` movements; rejecting or cancelling gives
//! back what was held with `release` movements. Those movements get ids derived from the order,
//! the line and the kind, so the same hold made on two devices is one movement after sync.

mod holds;
mod read;
pub mod status;

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::Checks;
use crate::regions;
use crate::sync::outbox::{Entity, Op};
pub(crate) use holds::settle_hold;
pub(crate) use read::{get, get_by_code, list, tab_counts};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
pub use status::{OrderStatus, OrderTab, Progress, RESPOND_WITHIN_MS, SHIP_WITHIN_MS, TabCounts};

/// Where an order came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderChannel {
    /// The buyers' web storefront.
    Storefront,
    /// Entered by a facilitator for the producer.
    Facilitator,
    /// An allocation of a cooperative's bulk order.
    Cooperative,
}

impl OrderChannel {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderChannel::Storefront => "storefront",
            OrderChannel::Facilitator => "facilitator",
            OrderChannel::Cooperative => "cooperative",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "storefront" => Some(OrderChannel::Storefront),
            "facilitator" => Some(OrderChannel::Facilitator),
            "cooperative" => Some(OrderChannel::Cooperative),
            _ => None,
        }
    }
}

/// The buyer of an order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Buyer {
    /// Name.
    pub name: String,
    /// Phone, normalised to `+62…`.
    pub phone: String,
    /// Delivery regency code (4 digits).
    pub regency_code: String,
    /// Delivery address.
    pub address: String,
}

/// A line of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderLine {
    /// The variant ordered.
    pub variant_id: Id,
    /// How many units.
    pub quantity: i64,
    /// Price per unit when the order was made, in rupiah.
    pub unit_price: i64,
}

/// An order with its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    /// Its id.
    pub id: Id,
    /// The short code the buyer sees, such as `SNT-7K3QX9AB`.
    pub code: String,
    /// The producer who sells.
    pub producer_id: Id,
    /// Where it came from.
    pub channel: OrderChannel,
    /// Where it is in its life.
    pub status: OrderStatus,
    /// Who buys.
    pub buyer: Buyer,
    /// A note from the buyer.
    pub note: String,
    /// The lines.
    pub lines: Vec<OrderLine>,
    /// Sum of quantity × unit price, plus the delivery fee, in rupiah.
    pub total: i64,
    /// How the buyer chose to receive it, when the producer offers a choice.
    pub delivery: Option<crate::selling::Delivery>,
    /// The delivery fee in rupiah (included in `total`).
    pub delivery_fee: i64,
    /// How the buyer chose to pay, when the producer offers a choice.
    pub payment: Option<crate::selling::Payment>,
    /// When the producer marked it paid.
    pub paid_at: Option<i64>,
    /// Courier, once shipped.
    pub courier: Option<String>,
    /// Tracking number, once shipped.
    pub tracking_no: Option<String>,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    /// When it was made (Unix ms).
    pub created_at: i64,
    /// When it was accepted.
    pub accepted_at: Option<i64>,
    /// When it was shipped.
    pub shipped_at: Option<i64>,
    /// When it was completed.
    pub completed_at: Option<i64>,
    /// When it was rejected or cancelled.
    pub closed_at: Option<i64>,
    /// The deadline of the seller's next step: respond by (new) or ship by (accepted).
    pub due_at: Option<i64>,
}

impl Order {
    /// Whether the seller's next step is late at `now_ms`.
    pub fn is_overdue(&self, now_ms: i64) -> bool {
        self.due_at.is_some_and(|due| now_ms > due)
    }
}

/// A new order.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewOrder {
    /// The producer who sells.
    pub producer_id: String,
    /// `storefront`, `facilitator` or `cooperative`.
    pub channel: String,
    /// The buyer.
    pub buyer: Buyer,
    /// A note, up to 500 characters.
    pub note: String,
    /// The lines: variant and quantity. The price is taken from the catalogue now.
    pub lines: Vec<NewOrderLine>,
    /// A key the buyer's form or app chose for this submission (up to 100 characters), or
    /// empty. The same key always names the same order, so a form sent twice, or an order
    /// placed twice through two servers, makes one order.
    #[serde(default)]
    pub request_key: String,
}

/// A line of a new order.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewOrderLine {
    /// The variant.
    pub variant_id: String,
    /// Units, at least 1.
    pub quantity: i64,
}

/// The most lines one order may have.
pub(crate) const MAX_LINES: usize = 100;
/// The longest buyer's name.
pub(crate) const BUYER_NAME_MAX: usize = 100;
/// The longest delivery address.
pub(crate) const ADDRESS_MAX: usize = 300;
/// The longest note from the buyer.
pub(crate) const NOTE_MAX: usize = 500;
/// The longest reason for a rejection or cancellation.
pub(crate) const REASON_MAX: usize = 300;
/// The longest courier name or tracking number.
pub(crate) const COURIER_MAX: usize = 60;

/// The characters of an order code after `SNT-`: Crockford's alphabet (no I, L, O or U).
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Whether `code` is an order code as [`code_from`] makes them.
pub(crate) fn is_code(code: &str) -> bool {
    code.strip_prefix("SNT-")
        .is_some_and(|rest| rest.len() == 8 && rest.bytes().all(|b| CODE_ALPHABET.contains(&b)))
}

/// The namespace of order ids derived from a request key.
const REQUEST_KEY_NAMESPACE: Id = Id::from_bytes([
    0x53, 0x4e, 0x54, 0x52, 0x2d, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x01,
]);

/// A buyer-facing code (`SNT-` and 8 characters of Crockford's alphabet, no I, L, O or U) made
/// from random bytes, or from a derived id's bytes so the same request gets the same code.
fn code_from(bytes: &[u8]) -> String {
    let code: String = bytes
        .iter()
        .take(8)
        .map(|b| CODE_ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("SNT-{code}")
}

/// Creates an order in status `new`, pricing each line from the catalogue.
pub(crate) fn create(
    tx: &mut Tx<'_>,
    input: &NewOrder,
    chosen: &crate::selling::BuyerChoice,
) -> Result<Id> {
    let now = tx.now_ms();
    let mut c = Checks::new();
    let producer_id = Id::parse("producer_id", &input.producer_id).ok();
    if producer_id.is_none() {
        c.fail("producer_id", Rule::Id);
    }
    let channel = OrderChannel::parse(input.channel.trim());
    if channel.is_none() {
        c.fail("channel", Rule::Unknown);
    }
    let name = c.label("buyer.name", &input.buyer.name, BUYER_NAME_MAX);
    let phone = c.phone("buyer.phone", &input.buyer.phone);
    let regency = match regions::validate_code(&input.buyer.regency_code) {
        Ok(code) => code[..4].to_owned(),
        Err(_) => {
            c.fail("buyer.regency_code", Rule::RegionCode);
            String::new()
        }
    };
    let address = c.text("buyer.address", &input.buyer.address, ADDRESS_MAX);
    let note = c.optional_text("note", &input.note, NOTE_MAX);
    let request_key = c.optional_text("request_key", &input.request_key, 100);
    if input.lines.is_empty() {
        c.fail("lines", Rule::Required);
    } else if input.lines.len() > MAX_LINES {
        c.fail("lines", Rule::TooLong);
    }
    let mut lines: Vec<(Id, i64)> = Vec::new();
    for line in &input.lines {
        let quantity = c.quantity("lines.quantity", line.quantity);
        match Id::parse("lines.variant_id", &line.variant_id) {
            Ok(id) if lines.iter().any(|(v, _)| *v == id) => {
                c.fail("lines.variant_id", Rule::Duplicate)
            }
            Ok(id) => lines.push((id, quantity)),
            Err(_) => c.fail("lines.variant_id", Rule::Id),
        }
    }
    c.finish()?;
    let (Some(producer_id), Some(channel)) = (producer_id, channel) else {
        return Err(Error::field("producer_id", Rule::Id));
    };
    // A request made again (a double submit) finds the order it already made.
    let id = if request_key.is_empty() {
        Id::new()
    } else {
        Id::derived(REQUEST_KEY_NAMESPACE, request_key.as_bytes())
    };
    if !request_key.is_empty() && get(tx, id)?.is_some() {
        return Ok(id);
    }

    // Price the lines, and check each variant is this producer's and the minimum order holds.
    let mut priced: Vec<OrderLine> = Vec::new();
    let mut per_product: Vec<(Id, i64, i64)> = Vec::new(); // product, quantity, min order
    for (variant_id, quantity) in lines {
        let row = tx
            .prepare_cached(
                "SELECT p.id, p.producer_id, coalesce(v.price, p.price), p.min_order, p.status \
                 FROM variants v JOIN products p ON p.id = v.product_id \
                 WHERE v.id = ?1 AND v.removed = 0",
            )?
            .query_row([variant_id], |r| {
                Ok((
                    r.get::<_, Id>(0)?,
                    r.get::<_, Id>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        let Some((product, owner, unit_price, min_order, status)) = row else {
            return Err(Error::field("lines.variant_id", Rule::Unknown));
        };
        if owner != producer_id {
            return Err(Error::field("lines.variant_id", Rule::Unknown));
        }
        if channel == OrderChannel::Storefront && status != "listed" {
            return Err(Error::field("lines.variant_id", Rule::Unknown));
        }
        match per_product.iter_mut().find(|(p, _, _)| *p == product) {
            Some(entry) => entry.1 += quantity,
            None => per_product.push((product, quantity, min_order)),
        }
        priced.push(OrderLine {
            variant_id,
            quantity,
            unit_price,
        });
    }
    if per_product.iter().any(|(_, quantity, min)| quantity < min) {
        return Err(Error::field("lines.quantity", Rule::OutOfRange));
    }
    let total = priced
        .iter()
        .map(|l| l.quantity.saturating_mul(l.unit_price))
        .fold(0i64, i64::saturating_add);
    let parcel: Vec<(Id, i64)> = priced.iter().map(|l| (l.variant_id, l.quantity)).collect();
    let choice =
        crate::selling::order::choose(tx, producer_id, channel, &regency, chosen, &parcel)?;
    let total = total.saturating_add(choice.fee);
    if total > crate::input::MAX_AMOUNT {
        return Err(Error::field("lines.quantity", Rule::OutOfRange));
    }

    let code = if request_key.is_empty() {
        code_from(uuid::Uuid::new_v4().as_bytes())
    } else {
        code_from(&id.as_bytes()[8..])
    };
    let mut json_lines = Vec::new();
    for (line_no, line) in priced.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO order_lines(order_id, line_no, variant_id, quantity, unit_price) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(rusqlite::params![
            id,
            line_no as i64,
            line.variant_id,
            line.quantity,
            line.unit_price
        ])?;
        json_lines.push(serde_json::json!({
            "variant_id": line.variant_id.to_string(),
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }));
    }
    // The lines travel inside the order's create entry: one composite change.
    let mut lines_field = Map::new();
    lines_field.insert("lines".into(), Value::Array(json_lines));
    let mut columns = vec![
        ("code", code.into()),
        ("producer_id", producer_id.into()),
        ("channel", channel.as_str().into()),
        ("status", OrderStatus::New.as_str().into()),
        ("buyer_name", name.into()),
        ("buyer_phone", phone.into()),
        ("buyer_regency", regency.into()),
        ("buyer_address", address.into()),
        ("note", note.into()),
        ("total", total.into()),
        ("created_at", now.into()),
    ];
    // Only an order with a choice carries the fields, so old phones still take the others.
    columns.extend(choice.columns());
    tx.insert_composite("orders", Entity::Order, id, columns, lines_field)?;
    Ok(id)
}

/// A requested status change, with what each one needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to")]
pub enum Transition {
    /// Accept a new order; holds its stock.
    Accept,
    /// Reject a new order, with a reason.
    Reject {
        /// Why.
        reason: String,
    },
    /// Hand an accepted order to a courier.
    Ship {
        /// Courier name (JNE, J&T, SiCepat, Pos Indonesia, …).
        courier: String,
        /// Tracking number (*nomor resi*).
        tracking_no: String,
    },
    /// Mark a shipped order as received.
    Complete,
    /// Cancel a new or accepted order, with a reason; gives back held stock.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl Transition {
    fn target(&self) -> OrderStatus {
        match self {
            Transition::Accept => OrderStatus::Accepted,
            Transition::Reject { .. } => OrderStatus::Rejected,
            Transition::Ship { .. } => OrderStatus::Shipped,
            Transition::Complete => OrderStatus::Completed,
            Transition::Cancel { .. } => OrderStatus::Cancelled,
        }
    }
}

/// Moves an order along its state machine, holding or giving back stock as needed.
pub(crate) fn transition(tx: &mut Tx<'_>, id: Id, change: &Transition) -> Result<()> {
    let order = get(tx, id)?.ok_or(Error::NotFound { entity: "order" })?;
    let to = change.target();
    if !order.status.can_become(to) {
        return Err(Error::InvalidTransition {
            from: order.status.as_str(),
            to: to.as_str(),
        });
    }
    let mut c = Checks::new();
    let mut fields = Map::new();
    let (reason, courier, tracking_no) = match change {
        Transition::Reject { reason } | Transition::Cancel { reason } => {
            (Some(c.text("reason", reason, REASON_MAX)), None, None)
        }
        Transition::Ship {
            courier,
            tracking_no,
        } => (
            None,
            Some(c.label("courier", courier, COURIER_MAX)),
            Some(c.label("tracking_no", tracking_no, COURIER_MAX)),
        ),
        Transition::Accept | Transition::Complete => (None, None, None),
    };
    c.finish()?;
    let now = tx.now_ms();
    // The same rule as a merged transition (see `Progress::take`): the step's time is the
    // earliest any phone took it, and a close that lost leaves no time.
    let before = progress(tx, id)?.ok_or(Error::NotFound { entity: "order" })?;
    set_progress(tx, id, &before.take(to, Some(now)))?;
    tx.execute(
        "UPDATE orders SET reason = coalesce(?1, reason), courier = coalesce(?2, courier), \
         tracking_no = coalesce(?3, tracking_no) WHERE id = ?4",
        rusqlite::params![reason, courier, tracking_no, id],
    )?;
    fields.insert("status".into(), Value::from(to.as_str()));
    if let Some(at_column) = to.time_column() {
        fields.insert(at_column.into(), Value::from(now));
    }
    for (key, value) in [
        ("reason", reason),
        ("courier", courier),
        ("tracking_no", tracking_no),
    ] {
        if let Some(value) = value {
            fields.insert(key.into(), Value::from(value));
        }
    }
    let details: Vec<&str> = ["reason", "courier", "tracking_no"]
        .into_iter()
        .filter(|key| fields.contains_key(*key))
        .collect();
    tx.record(Entity::Order, id, Op::Transition, fields)?;
    crate::sync::merge::stamp(tx, "orders", id, &details)?;
    settle_hold(tx, id)?;
    Ok(())
}

/// Where an order stands and when it took each step; `None` if there is no such order.
pub(crate) fn progress(conn: &Connection, id: Id) -> Result<Option<Progress>> {
    let row = conn
        .prepare_cached(
            "SELECT status, accepted_at, shipped_at, completed_at, closed_at FROM orders WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Progress {
                    status: OrderStatus::New,
                    accepted_at: r.get(1)?,
                    shipped_at: r.get(2)?,
                    completed_at: r.get(3)?,
                    closed_at: r.get(4)?,
                },
            ))
        })
        .optional()?;
    Ok(row.and_then(|(status, progress)| {
        Some(Progress {
            status: OrderStatus::parse(&status)?,
            ..progress
        })
    }))
}

/// Stores an order's status and step times.
pub(crate) fn set_progress(tx: &mut Tx<'_>, id: Id, progress: &Progress) -> Result<()> {
    tx.execute(
        "UPDATE orders SET status = ?1, accepted_at = ?2, shipped_at = ?3, completed_at = ?4, \
         closed_at = ?5 WHERE id = ?6",
        rusqlite::params![
            progress.status.as_str(),
            progress.accepted_at,
            progress.shipped_at,
            progress.completed_at,
            progress.closed_at,
            id
        ],
    )?;
    Ok(())
}
