//! Orders: recording them, moving them along their states, and the order tabs.

use crate::orders::{self, NewOrder, Order, OrderTab, TabCounts, Transition};
use crate::{Error, Id, Result, Sentra};

impl Sentra {
    /// Records an order (entered by a facilitator, or for a cooperative allocation).
    pub fn create_order(&self, input: &NewOrder) -> Result<Id> {
        self.create_order_choosing(input, &crate::selling::BuyerChoice::default())
    }

    /// Records an order with the buyer's choice of delivery and payment: each is checked
    /// against the producer's settings here, and a courier delivery's fee is computed from them
    /// and added to the total.
    pub fn create_order_choosing(
        &self,
        input: &NewOrder,
        choice: &crate::selling::BuyerChoice,
    ) -> Result<Id> {
        self.db.write(|tx| orders::create(tx, input, choice))
    }

    /// Moves an order along its state machine.
    pub fn transition_order(&self, id: Id, change: &Transition) -> Result<()> {
        self.db.write(|tx| orders::transition(tx, id, change))
    }

    /// One order with its lines.
    pub fn order(&self, id: Id) -> Result<Order> {
        self.db
            .read(|c| orders::get(c, id))?
            .ok_or(Error::NotFound { entity: "order" })
    }

    /// The order a buyer knows by its code (such as `SNT-7K3QX9AB`), if this store holds it.
    pub fn order_by_code(&self, code: &str) -> Result<Option<Order>> {
        self.db.read(|c| orders::get_by_code(c, code))
    }

    /// A page of one order tab.
    pub fn orders(&self, tab: OrderTab, offset: u32, limit: u32) -> Result<Vec<Order>> {
        self.db.read(|c| orders::list(c, tab, offset, limit))
    }

    /// How many orders each tab holds, and how many are overdue now.
    pub fn order_tabs(&self) -> Result<TabCounts> {
        let now = self.db.clock().physical_ms();
        self.db.read(|c| orders::tab_counts(c, now))
    }
}
