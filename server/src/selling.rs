//! What a buyer is told of how to pay and how to reach the seller, from the producer's settings
//! on the replica (`sentra_core::selling`): the part that fits the buyer's choice, and the
//! WhatsApp contact.

use sentra_core::Sentra;
use sentra_core::orders::Order;
use sentra_core::selling::{BankAccount, Delivery, Payment};
use serde::{Deserialize, Serialize};

/// How to pay for an order and reach its seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerView {
    /// Where to pick the order up, when the buyer chose to pick it up.
    pub pickup_place: Option<String>,
    /// The account to transfer to, when the buyer chose a bank transfer.
    pub bank: Option<BankAccount>,
    /// The QRIS image's address on this server, when the buyer chose QRIS.
    pub qris_url: Option<String>,
    /// Whether the buyer pays the courier or the seller in cash.
    pub cod: bool,
    /// The seller's WhatsApp number (`+62…`), when they gave one.
    pub whatsapp: Option<String>,
}

impl SellerView {
    /// A `https://wa.me/62…` link to the seller's WhatsApp.
    pub fn whatsapp_link(&self) -> Option<String> {
        self.whatsapp
            .as_deref()
            .map(|n| format!("https://wa.me/{}", n.trim_start_matches('+')))
    }
}

/// The seller's side of an order as its buyer sees it; `None` when the producer has no
/// settings that concern this order.
pub fn seller_view(core: &Sentra, order: &Order) -> Option<SellerView> {
    let settings = core.selling(order.producer_id).ok()?;
    let view = SellerView {
        pickup_place: settings
            .pickup_place
            .filter(|_| order.delivery == Some(Delivery::Pickup)),
        bank: settings
            .bank
            .filter(|_| order.payment == Some(Payment::BankTransfer)),
        qris_url: settings
            .qris_hash
            .filter(|_| order.payment == Some(Payment::Qris))
            .map(|hash| format!("/foto/{hash}")),
        cod: order.payment == Some(Payment::Cod),
        whatsapp: settings.whatsapp,
    };
    let empty = SellerView {
        pickup_place: None,
        bank: None,
        qris_url: None,
        cod: false,
        whatsapp: None,
    };
    (view != empty).then_some(view)
}
