//! The order's one-way state machine, its deadlines and the seller-app tabs.
//!
//! ```text
//! new ──► accepted ──► shipped ──► completed
//!  │         │
//!  ├─► rejected
//!  └─────────┴──► cancelled
//! ```
//! Each status has a rank; a merge keeps the furthest valid status, and a transition that the
//! machine does not allow is refused with [`crate::Error::InvalidTransition`].

use serde::{Deserialize, Serialize};

/// How long a seller has to accept or reject a new order: 1×24 h.
pub const RESPOND_WITHIN_MS: i64 = 24 * 3_600_000;
/// How long a seller has to ship an accepted order: 2×24 h.
pub const SHIP_WITHIN_MS: i64 = 48 * 3_600_000;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for the seller to respond.
    New,
    /// Accepted; stock is held for it.
    Accepted,
    /// Refused by the seller.
    Rejected,
    /// Handed to a courier.
    Shipped,
    /// Received by the buyer.
    Completed,
    /// Called off, with a reason.
    Cancelled,
}

impl OrderStatus {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "new",
            OrderStatus::Accepted => "accepted",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            OrderStatus::New,
            OrderStatus::Accepted,
            OrderStatus::Rejected,
            OrderStatus::Shipped,
            OrderStatus::Completed,
            OrderStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == code)
    }

    /// Whether the machine allows going from `self` to `next`.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (New, Accepted)
                | (New, Rejected)
                | (New, Cancelled)
                | (Accepted, Shipped)
                | (Accepted, Cancelled)
                | (Shipped, Completed)
        )
    }

    /// Whether `next` is reachable from `self` in any number of steps.
    pub fn leads_to(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        match self {
            New => next != New,
            Accepted => matches!(next, Shipped | Completed | Cancelled),
            Shipped => next == Completed,
            Rejected | Completed | Cancelled => false,
        }
    }

    /// Of two statuses of the same order, the furthest one along the machine: the one the other
    /// leads to. Used to merge concurrent transitions; with no order between them (for example
    /// rejected and cancelled), the earlier-ranked terminal status wins, deterministically.
    pub fn furthest(self, other: OrderStatus) -> OrderStatus {
        let other_is_further =
            self.leads_to(other) || (!other.leads_to(self) && other.rank() < self.rank());
        if other_is_further { other } else { self }
    }

    fn rank(self) -> u8 {
        match self {
            OrderStatus::New => 0,
            OrderStatus::Accepted => 1,
            OrderStatus::Shipped => 2,
            OrderStatus::Completed => 3,
            OrderStatus::Rejected => 4,
            OrderStatus::Cancelled => 5,
        }
    }

    /// The seller-app tab that shows orders in this status.
    pub fn tab(self) -> OrderTab {
        match self {
            OrderStatus::New => OrderTab::ToRespond,
            OrderStatus::Accepted => OrderTab::ToShip,
            OrderStatus::Shipped => OrderTab::Shipped,
            OrderStatus::Completed => OrderTab::Completed,
            OrderStatus::Rejected | OrderStatus::Cancelled => OrderTab::Cancelled,
        }
    }
}

/// The tabs of the seller's order screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl OrderTab {
    /// The statuses a tab shows.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            OrderTab::ToRespond => &["new"],
            OrderTab::ToShip => &["accepted"],
            OrderTab::Shipped => &["shipped"],
            OrderTab::Completed => &["completed"],
            OrderTab::Cancelled => &["rejected", "cancelled"],
        }
    }
}

/// How many orders each tab holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
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
    /// Orders past their respond-by or ship-by deadline.
    pub overdue: i64,
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::{self, *};

    const ALL: [OrderStatus; 6] = [New, Accepted, Rejected, Shipped, Completed, Cancelled];

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        let allowed: Vec<_> = ALL
            .iter()
            .flat_map(|a| ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (New, Accepted),
                (New, Rejected),
                (New, Cancelled),
                (Accepted, Shipped),
                (Accepted, Cancelled),
                (Shipped, Completed)
            ]
        );
    }

    #[test]
    fn the_furthest_status_wins_a_merge_whatever_the_order() {
        assert_eq!(Accepted.furthest(Shipped), Shipped);
        assert_eq!(Shipped.furthest(Accepted), Shipped);
        assert_eq!(New.furthest(Cancelled), Cancelled);
        assert_eq!(Accepted.furthest(Cancelled), Cancelled);
        for a in ALL {
            for b in ALL {
                assert_eq!(a.furthest(b), b.furthest(a), "{a:?} {b:?}");
            }
        }
    }
}
