//! Orders by tab with their deadlines, the seller's status changes, and direct sales.

use crate::device::{Change, SentraDevice};
use crate::error::Result;
use crate::id;
use sentra_core::orders::{self, NewOrder, NewOrderLine, Transition};
use sentra_core::sales::{NewSale, Period};

/// The tabs of the seller's order screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OrderTab {
    /// New orders waiting for a response (*Perlu Direspons*).
    ToRespond,
    /// Accepted orders to ship (*Perlu Dikirim*).
    ToShip,
    /// On their way (*Dikirim*).
    Shipped,
    /// Done (*Selesai*).
    Completed,
    /// Rejected or cancelled (*Dibatalkan*).
    Cancelled,
}

impl From<OrderTab> for orders::OrderTab {
    fn from(t: OrderTab) -> Self {
        match t {
            OrderTab::ToRespond => orders::OrderTab::ToRespond,
            OrderTab::ToShip => orders::OrderTab::ToShip,
            OrderTab::Shipped => orders::OrderTab::Shipped,
            OrderTab::Completed => orders::OrderTab::Completed,
            OrderTab::Cancelled => orders::OrderTab::Cancelled,
        }
    }
}

/// Where an order came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OrderChannel {
    /// A buyer on the web storefront.
    Storefront,
    /// Entered by a facilitator.
    Facilitator,
    /// A cooperative's bulk order, split among its members.
    Cooperative,
}

impl From<orders::OrderChannel> for OrderChannel {
    fn from(c: orders::OrderChannel) -> Self {
        match c {
            orders::OrderChannel::Storefront => OrderChannel::Storefront,
            orders::OrderChannel::Facilitator => OrderChannel::Facilitator,
            orders::OrderChannel::Cooperative => OrderChannel::Cooperative,
        }
    }
}

impl From<OrderChannel> for orders::OrderChannel {
    fn from(c: OrderChannel) -> Self {
        match c {
            OrderChannel::Storefront => orders::OrderChannel::Storefront,
            OrderChannel::Facilitator => orders::OrderChannel::Facilitator,
            OrderChannel::Cooperative => orders::OrderChannel::Cooperative,
        }
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OrderStatus {
    /// Waiting for the seller to accept or reject it.
    New,
    /// Accepted; to ship.
    Accepted,
    /// Rejected by the seller.
    Rejected,
    /// With the courier.
    Shipped,
    /// Received.
    Completed,
    /// Cancelled after it was accepted.
    Cancelled,
}

impl From<orders::OrderStatus> for OrderStatus {
    fn from(s: orders::OrderStatus) -> Self {
        match s {
            orders::OrderStatus::New => OrderStatus::New,
            orders::OrderStatus::Accepted => OrderStatus::Accepted,
            orders::OrderStatus::Rejected => OrderStatus::Rejected,
            orders::OrderStatus::Shipped => OrderStatus::Shipped,
            orders::OrderStatus::Completed => OrderStatus::Completed,
            orders::OrderStatus::Cancelled => OrderStatus::Cancelled,
        }
    }
}

/// Where a direct sale happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SaleChannel {
    /// A market stall.
    MarketStall,
    /// Through a reseller.
    Reseller,
    /// At an exhibition or bazaar.
    Exhibition,
    /// On another marketplace.
    OtherMarketplace,
}

impl From<SaleChannel> for sentra_core::sales::SaleChannel {
    fn from(c: SaleChannel) -> Self {
        use sentra_core::sales::SaleChannel as C;
        match c {
            SaleChannel::MarketStall => C::MarketStall,
            SaleChannel::Reseller => C::Reseller,
            SaleChannel::Exhibition => C::Exhibition,
            SaleChannel::OtherMarketplace => C::OtherMarketplace,
        }
    }
}

impl From<sentra_core::sales::SaleChannel> for SaleChannel {
    fn from(c: sentra_core::sales::SaleChannel) -> Self {
        use sentra_core::sales::SaleChannel as C;
        match c {
            C::MarketStall => SaleChannel::MarketStall,
            C::Reseller => SaleChannel::Reseller,
            C::Exhibition => SaleChannel::Exhibition,
            C::OtherMarketplace => SaleChannel::OtherMarketplace,
        }
    }
}

/// The buyer of an order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Buyer {
    /// Name.
    pub name: String,
    /// Phone (normalised to `+62…` once stored).
    pub phone: String,
    /// Delivery regency code (4 digits).
    pub regency_code: String,
    /// Delivery address.
    pub address: String,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct OrderLine {
    /// The variant ordered.
    pub variant_id: String,
    /// How many units.
    pub quantity: i64,
    /// Price per unit when ordered (rupiah).
    pub unit_price: i64,
}

/// An order with its lines and its next deadline.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Order {
    /// Id.
    pub id: String,
    /// The code the buyer quotes (`SNT-…`).
    pub code: String,
    /// The producer who sells.
    pub producer_id: String,
    /// Where it came from.
    pub channel: OrderChannel,
    /// Where it stands.
    pub status: OrderStatus,
    /// The buyer.
    pub buyer: Buyer,
    /// The buyer's note.
    pub note: String,
    /// The lines.
    pub lines: Vec<OrderLine>,
    /// Total (rupiah).
    pub total: i64,
    /// Courier, once shipped.
    pub courier: Option<String>,
    /// Tracking number, once shipped.
    pub tracking_no: Option<String>,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    /// When it was placed (Unix ms).
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

impl From<orders::Order> for Order {
    fn from(o: orders::Order) -> Self {
        Order {
            id: o.id.to_string(),
            code: o.code,
            producer_id: o.producer_id.to_string(),
            channel: o.channel.into(),
            status: o.status.into(),
            buyer: Buyer {
                name: o.buyer.name,
                phone: o.buyer.phone,
                regency_code: o.buyer.regency_code,
                address: o.buyer.address,
            },
            note: o.note,
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLine {
                    variant_id: l.variant_id.to_string(),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                })
                .collect(),
            total: o.total,
            courier: o.courier,
            tracking_no: o.tracking_no,
            reason: o.reason,
            created_at: o.created_at,
            accepted_at: o.accepted_at,
            shipped_at: o.shipped_at,
            completed_at: o.completed_at,
            closed_at: o.closed_at,
            due_at: o.due_at,
        }
    }
}

/// How many orders each tab holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct TabCounts {
    /// New orders to accept or reject.
    pub to_respond: i64,
    /// Accepted orders to ship.
    pub to_ship: i64,
    /// Shipped orders.
    pub shipped: i64,
    /// Completed orders.
    pub completed: i64,
    /// Rejected and cancelled orders.
    pub cancelled: i64,
    /// Orders past their respond-by or ship-by deadline now.
    pub overdue: i64,
}

/// An order a facilitator or cooperative admin enters on the phone.
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewOrderInput {
    /// The producer who sells.
    pub producer_id: String,
    /// Where it came from: a facilitator's or a cooperative's phone.
    pub channel: OrderChannel,
    /// The buyer.
    pub buyer: Buyer,
    /// A note.
    #[uniffi(default = "")]
    pub note: String,
    /// The lines: variant and quantity; prices come from the catalogue.
    pub lines: Vec<NewOrderLineInput>,
}

/// One line of a new order.
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewOrderLineInput {
    /// The variant.
    pub variant_id: String,
    /// How many units.
    pub quantity: i64,
}

/// A status change the seller asks for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum OrderTransition {
    /// Accept a new order; holds its stock.
    Accept,
    /// Reject a new order.
    Reject {
        /// Why.
        reason: String,
    },
    /// Hand an accepted order to a courier.
    Ship {
        /// The courier (`JNE`, `J&T`...).
        courier: String,
        /// The tracking number.
        tracking_no: String,
    },
    /// Mark a shipped order as received.
    Complete,
    /// Cancel an order.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl From<OrderTransition> for Transition {
    fn from(t: OrderTransition) -> Self {
        match t {
            OrderTransition::Accept => Transition::Accept,
            OrderTransition::Reject { reason } => Transition::Reject { reason },
            OrderTransition::Ship {
                courier,
                tracking_no,
            } => Transition::Ship {
                courier,
                tracking_no,
            },
            OrderTransition::Complete => Transition::Complete,
            OrderTransition::Cancel { reason } => Transition::Cancel { reason },
        }
    }
}

/// A direct sale (at a market stall, through a reseller...).
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewSaleInput {
    /// The variant sold.
    pub variant_id: String,
    /// How many units.
    pub quantity: i64,
    /// Where it happened.
    pub channel: SaleChannel,
    /// The day of the sale, `YYYY-MM-DD`.
    pub sold_on: String,
    /// The price per unit, when not the catalogue price.
    #[uniffi(default = None)]
    pub unit_price: Option<i64>,
}

/// A recorded direct sale.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Sale {
    /// Id.
    pub id: String,
    /// The variant sold.
    pub variant_id: String,
    /// How many units.
    pub quantity: i64,
    /// Price per unit (rupiah).
    pub unit_price: i64,
    /// Where it happened.
    pub channel: SaleChannel,
    /// The day, `YYYY-MM-DD`.
    pub sold_on: String,
}

/// Direct-sales totals for one period and channel.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct SalesTotal {
    /// The day (`YYYY-MM-DD`) or month (`YYYY-MM`).
    pub period: String,
    /// Where they happened.
    pub channel: SaleChannel,
    /// Number of sales.
    pub sales: i64,
    /// Units sold.
    pub quantity: i64,
    /// Revenue (rupiah).
    pub revenue: i64,
}

#[uniffi::export]
impl SentraDevice {
    /// A page of one order tab.
    pub fn orders(&self, tab: OrderTab, offset: i64, limit: i64) -> Result<Vec<Order>> {
        let (offset, limit) = id::page(offset, limit)?;
        Ok(self
            .inner()?
            .orders(tab.into(), offset, limit)?
            .into_iter()
            .map(Order::from)
            .collect())
    }

    /// One order with its lines.
    pub fn order(&self, id: String) -> Result<Order> {
        Ok(self.inner()?.order(id::parse("id", &id)?)?.into())
    }

    /// How many orders each tab holds, and how many are overdue now.
    pub fn order_tabs(&self) -> Result<TabCounts> {
        let c = self.inner()?.order_tabs()?;
        Ok(TabCounts {
            to_respond: c.to_respond,
            to_ship: c.to_ship,
            shipped: c.shipped,
            completed: c.completed,
            cancelled: c.cancelled,
            overdue: c.overdue,
        })
    }

    /// Records an order entered on the phone; returns its id.
    pub fn create_order(&self, input: NewOrderInput) -> Result<String> {
        let order = NewOrder {
            producer_id: input.producer_id,
            channel: orders::OrderChannel::from(input.channel)
                .as_str()
                .to_owned(),
            buyer: orders::Buyer {
                name: input.buyer.name,
                phone: input.buyer.phone,
                regency_code: input.buyer.regency_code,
                address: input.buyer.address,
            },
            note: input.note,
            lines: input
                .lines
                .into_iter()
                .map(|l| NewOrderLine {
                    variant_id: l.variant_id,
                    quantity: l.quantity,
                })
                .collect(),
            ..Default::default()
        };
        let id = self.inner()?.create_order(&order)?;
        self.notify(Change::Orders);
        Ok(id.to_string())
    }

    /// Moves an order along its states (accept, reject, ship, complete, cancel).
    pub fn transition_order(&self, id: String, change: OrderTransition) -> Result<()> {
        self.inner()?
            .transition_order(id::parse("id", &id)?, &change.into())?;
        self.notify(Change::Orders);
        Ok(())
    }

    /// Records a direct sale and takes it out of stock; returns its id.
    pub fn record_sale(&self, input: NewSaleInput) -> Result<String> {
        let id = self.inner()?.record_sale(&NewSale {
            variant_id: input.variant_id,
            quantity: input.quantity,
            unit_price: input.unit_price,
            channel: sentra_core::sales::SaleChannel::from(input.channel)
                .as_str()
                .to_owned(),
            sold_on: input.sold_on,
        })?;
        self.notify(Change::Sales);
        Ok(id.to_string())
    }

    /// Direct sales between two days (`YYYY-MM-DD`, inclusive), newest first.
    pub fn sales(&self, from: String, to: String, limit: i64) -> Result<Vec<Sale>> {
        let (_, limit) = id::page(0, limit)?;
        Ok(self
            .inner()?
            .sales(&from, &to, limit)?
            .into_iter()
            .map(|s| Sale {
                id: s.id.to_string(),
                variant_id: s.variant_id.to_string(),
                quantity: s.quantity,
                unit_price: s.unit_price,
                channel: s.channel.into(),
                sold_on: s.sold_on,
            })
            .collect())
    }

    /// Direct-sales totals per month (or per day with `by_day`) and channel.
    pub fn sales_totals(&self, by_day: bool, from: String, to: String) -> Result<Vec<SalesTotal>> {
        let period = if by_day { Period::Day } else { Period::Month };
        Ok(self
            .inner()?
            .sales_summary(period, &from, &to)?
            .into_iter()
            .map(|s| SalesTotal {
                period: s.period,
                channel: s.channel.into(),
                sales: s.sales,
                quantity: s.quantity,
                revenue: s.revenue,
            })
            .collect())
    }
}
