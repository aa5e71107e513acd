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

    /// Whether this status closes the order without delivering it (rejected, cancelled).
    pub fn closes(self) -> bool {
        matches!(self, OrderStatus::Rejected | OrderStatus::Cancelled)
    }

    /// The order column that holds the time of this step; `None` for `new`.
    pub fn time_column(self) -> Option<&'static str> {
        match self {
            OrderStatus::New => None,
            OrderStatus::Accepted => Some("accepted_at"),
            OrderStatus::Shipped => Some("shipped_at"),
            OrderStatus::Completed => Some("completed_at"),
            OrderStatus::Rejected | OrderStatus::Cancelled => Some("closed_at"),
        }
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
    /// leads to. Used to merge concurrent transitions, so it must give the same answer whatever
    /// order phones' transitions arrive in: it takes the larger of a total order that extends
    /// the machine (its rank).
    pub fn furthest(self, other: OrderStatus) -> OrderStatus {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// A total order that extends the machine (whatever `a` leads to ranks above `a`) and
    /// settles the statuses the machine does not order, as a seller would expect when two
    /// phones disagree: goods handed to a courier stand whatever else was tapped (shipped and
    /// completed beat rejected and cancelled); an order accepted on one phone and rejected on
    /// another stays accepted, in the "to ship" tab, where the seller can still cancel it with a
    /// reason; and rejected and cancelled, both closed, settle on cancelled.
    fn rank(self) -> u8 {
        match self {
            OrderStatus::New => 0,
            OrderStatus::Rejected => 1,
            OrderStatus::Accepted => 2,
            OrderStatus::Cancelled => 3,
            OrderStatus::Shipped => 4,
            OrderStatus::Completed => 5,
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

/// Where an order stands in its machine and when it took each step: all that a transition
/// changes, and all that a merge of transitions decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The status.
    pub status: OrderStatus,
    /// When it was accepted.
    pub accepted_at: Option<i64>,
    /// When it was shipped.
    pub shipped_at: Option<i64>,
    /// When it was completed.
    pub completed_at: Option<i64>,
    /// When the close that stands (the reject or the cancel) was made.
    pub closed_at: Option<i64>,
}

impl Progress {
    /// The progress after `step` taken at `at`, whether tapped on this phone or merged from
    /// another: one rule for both, so that every phone ends with the same progress whatever
    /// order the steps reach it in.
    ///
    /// The status is the furthest of the two ([`OrderStatus::furthest`]). A step's time is the
    /// earliest time any phone took that step, and only steps on the way to the status count:
    /// a close that lost (a reject overruled by an accept, a cancel overruled by a shipment)
    /// leaves no `closed_at`, so `closed_at` is always the time of the close the order shows.
    /// Whether a step counts depends only on the status, which only moves further, so a step
    /// dropped once would be dropped in any order of arrival.
    pub fn take(mut self, step: OrderStatus, at: Option<i64>) -> Progress {
        let status = self.status.furthest(step);
        if status != self.status && self.status.closes() {
            self.closed_at = None;
        }
        self.status = status;
        if (step == status || step.leads_to(status))
            && let Some(at) = at
            && let Some(slot) = self.slot(step)
        {
            *slot = Some(slot.map_or(at, |earlier| earlier.min(at)));
        }
        self
    }

    /// Where the time of `step` is kept; `None` for `new`, whose time is the order's creation.
    fn slot(&mut self, step: OrderStatus) -> Option<&mut Option<i64>> {
        match step {
            OrderStatus::New => None,
            OrderStatus::Accepted => Some(&mut self.accepted_at),
            OrderStatus::Shipped => Some(&mut self.shipped_at),
            OrderStatus::Completed => Some(&mut self.completed_at),
            OrderStatus::Rejected | OrderStatus::Cancelled => Some(&mut self.closed_at),
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
    use super::Progress;

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
        assert_eq!(Accepted.furthest(Rejected), Accepted);
        assert_eq!(Rejected.furthest(Cancelled), Cancelled);
        assert_eq!(Cancelled.furthest(Shipped), Shipped);
        for a in ALL {
            assert_eq!(a.furthest(a), a);
            for b in ALL {
                assert_eq!(a.furthest(b), b.furthest(a), "{a:?} {b:?}");
                if a.leads_to(b) {
                    assert_eq!(a.furthest(b), b, "{a:?} leads to {b:?}");
                }
                // Three phones' transitions arriving in any grouping: found by the long
                // convergence run (rejected, accepted and cancelled on three phones ended
                // cancelled on one and rejected on another).
                for c in ALL {
                    assert_eq!(
                        a.furthest(b).furthest(c),
                        a.furthest(b.furthest(c)),
                        "{a:?} {b:?} {c:?}"
                    );
                }
            }
        }
    }

    fn fresh() -> Progress {
        Progress {
            status: New,
            accepted_at: None,
            shipped_at: None,
            completed_at: None,
            closed_at: None,
        }
    }

    fn all_orders_of(steps: &[(OrderStatus, i64)]) -> Vec<Progress> {
        if steps.len() <= 1 {
            return vec![
                steps
                    .iter()
                    .fold(fresh(), |p, (s, at)| p.take(*s, Some(*at))),
            ];
        }
        let mut ends = Vec::new();
        for (i, (step, at)) in steps.iter().enumerate() {
            let mut rest = steps.to_vec();
            rest.remove(i);
            for before in all_orders_of(&rest) {
                ends.push(before.take(*step, Some(*at)));
            }
        }
        ends
    }

    #[test]
    fn a_reject_overruled_by_an_accept_leaves_the_cancel_time_in_any_order() {
        let ends = all_orders_of(&[(Rejected, 100), (Accepted, 101), (Cancelled, 500)]);
        for end in &ends {
            assert_eq!(end.status, Cancelled);
            assert_eq!(end.accepted_at, Some(101));
            assert_eq!(
                end.closed_at,
                Some(500),
                "the cancel's time, not the reject's"
            );
        }
    }

    #[test]
    fn each_step_keeps_its_earliest_time_and_a_lost_close_is_dropped_in_any_order() {
        let ends = all_orders_of(&[
            (Cancelled, 90),
            (Accepted, 120),
            (Accepted, 110),
            (Shipped, 200),
            (Rejected, 80),
        ]);
        for end in &ends {
            assert_eq!(*end, ends[0]);
        }
        assert_eq!(ends[0].status, Shipped);
        assert_eq!(ends[0].accepted_at, Some(110));
        assert_eq!(ends[0].shipped_at, Some(200));
        assert_eq!(ends[0].closed_at, None);
    }
}
