//! How a producer delivers and is paid, on the pages: the short section of the product page,
//! the buyer's choice in the order form, and how to pay and reach the seller on the thank-you
//! and status pages (`sentra_core::selling`, `crate::selling`).

use super::{Lang, rupiah, t};
use crate::orders::OrderView;
use maud::{Markup, html};
use sentra_core::selling::{Courier, Delivery, Payment, Selling, fee::Zone};

/// A courier's charge in words: `Rp 15.000 per pesanan`, or per kg by zone.
pub fn courier_terms(lang: Lang, courier: &Courier) -> String {
    match courier {
        Courier::Flat(fee) => format!("{} {}", rupiah(*fee), t(lang, "per pesanan", "per order")),
        Courier::PerKg(rates) => {
            let zones = [
                (Zone::Regency, rates.regency),
                (Zone::Province, rates.province),
                (Zone::National, rates.national),
            ];
            let parts: Vec<String> = zones
                .iter()
                .filter_map(|(zone, rate)| {
                    rate.map(|r| format!("{}/kg {}", rupiah(r), zone.label(lang)))
                })
                .collect();
            let mut terms = parts.join(", ");
            if rates.national.is_none() {
                terms.push_str(t(
                    lang,
                    " (tidak ke luar provinsi)",
                    " (not outside the province)",
                ));
            }
            terms
        }
    }
}

/// The product page's short section: how the producer delivers, is paid and is reached.
pub fn product_section(lang: Lang, selling: &Selling) -> Markup {
    if !selling.delivers() && !selling.takes_payment() && selling.whatsapp.is_none() {
        return html! {};
    }
    let payments: Vec<&str> = [Payment::BankTransfer, Payment::Qris, Payment::Cod]
        .into_iter()
        .filter(|p| selling.offers_payment(*p))
        .map(|p| p.label(lang))
        .collect();
    html! {
        section #pengiriman aria-labelledby="pengiriman-judul" {
            h2 #pengiriman-judul { (t(lang, "Pengiriman & pembayaran", "Delivery & payment")) }
            ul {
                @if let Some(place) = &selling.pickup_place {
                    li { strong { (Delivery::Pickup.label(lang)) } ": " (place) " — " (t(lang, "gratis", "free")) }
                }
                @if let Some(courier) = &selling.courier {
                    li {
                        strong { (t(lang, "Ongkir", "Delivery fee")) } ": " (courier_terms(lang, courier))
                        @if matches!(courier, Courier::PerKg(_)) {
                            br; span.muted { (t(lang, "Dihitung dari berat atau berat volume (P×L×T/6000), mana yang lebih besar, dibulatkan ke atas per kg.",
                                "Charged on the weight or the volumetric weight (L×W×H/6000), whichever is larger, per started kg.")) }
                        }
                    }
                }
                @if !payments.is_empty() {
                    li { strong { (t(lang, "Pembayaran", "Payment")) } ": " (payments.join(", ")) }
                }
                @if let Some(link) = whatsapp_link(selling.whatsapp.as_deref()) {
                    li { strong { "WhatsApp" } ": " a href=(link) rel="nofollow" { (selling.whatsapp.as_deref().unwrap_or_default()) } }
                }
            }
        }
    }
}

fn whatsapp_link(number: Option<&str>) -> Option<String> {
    number.map(|n| format!("https://wa.me/{}", n.trim_start_matches('+')))
}

/// The order form's choice of delivery and payment (form fields `pengiriman` and
/// `pembayaran`), among what the producer offers; nothing when the producer offers nothing.
pub fn choices(
    lang: Lang,
    selling: &Selling,
    delivery: &str,
    payment: &str,
    error_for: impl Fn(&str) -> Option<String>,
) -> Markup {
    let deliveries: Vec<(Delivery, String)> = [Delivery::Pickup, Delivery::Courier]
        .into_iter()
        .filter(|d| selling.offers_delivery(*d))
        .map(|d| {
            let detail = match d {
                Delivery::Pickup => selling.pickup_place.clone().unwrap_or_default(),
                Delivery::Courier => selling
                    .courier
                    .as_ref()
                    .map(|c| courier_terms(lang, c))
                    .unwrap_or_default(),
            };
            (d, detail)
        })
        .collect();
    let payments: Vec<Payment> = [Payment::BankTransfer, Payment::Qris, Payment::Cod]
        .into_iter()
        .filter(|p| selling.offers_payment(*p))
        .collect();
    html! {
        @if !deliveries.is_empty() {
            fieldset #pengiriman-pilihan {
                legend { (t(lang, "Cara pengiriman", "Delivery")) }
                @for (d, detail) in &deliveries {
                    label {
                        input type="radio" name="pengiriman" value=(d.as_str()) checked[delivery == d.as_str() || deliveries.len() == 1] required;
                        " " (d.label(lang)) span.muted { " — " (detail) }
                    }
                }
                @if let Some(message) = error_for("pengiriman") { p.error role="alert" { (message) } }
            }
        }
        @if !payments.is_empty() {
            fieldset #pembayaran-pilihan {
                legend { (t(lang, "Cara pembayaran", "Payment")) }
                @for p in &payments {
                    label {
                        input type="radio" name="pembayaran" value=(p.as_str()) checked[payment == p.as_str() || payments.len() == 1] required;
                        " " (p.label(lang))
                    }
                }
                @if let Some(message) = error_for("pembayaran") { p.error role="alert" { (message) } }
            }
        }
    }
}

/// The order's delivery, fee, how to pay, whether it is paid, and how to reach the seller, for
/// the thank-you and status pages.
pub fn order_section(lang: Lang, view: &OrderView) -> Markup {
    let seller = view.seller.as_ref();
    html! {
        section.selling #cara-bayar {
            @if let Some(delivery) = view.delivery {
                p { strong { (t(lang, "Pengiriman", "Delivery")) } ": " (delivery.label(lang))
                    @if let Some(place) = seller.and_then(|s| s.pickup_place.as_ref()) { " — " (place) } }
            }
            @if view.delivery_fee > 0 {
                p { (t(lang, "Ongkir", "Delivery fee")) ": " span.nw #ongkir { (rupiah(view.delivery_fee)) } }
            }
            @if let Some(payment) = view.payment {
                p { strong { (t(lang, "Pembayaran", "Payment")) } ": " (payment.label(lang)) }
                @if view.paid {
                    p.notice #status-bayar { strong { (t(lang, "Sudah dibayar", "Paid")) } }
                } @else {
                    p #status-bayar { (t(lang, "Belum dibayar", "Not paid yet")) }
                    @if let Some(bank) = seller.and_then(|s| s.bank.as_ref()) {
                        p { (t(lang, "Transfer ke", "Transfer to")) " " strong { (bank.bank) } " "
                            span.code { (bank.number) } br;
                            (t(lang, "atas nama", "account holder")) " " strong { (bank.holder) } }
                    }
                    @if let Some(url) = seller.and_then(|s| s.qris_url.as_ref()) {
                        p { (t(lang, "Pindai kode QRIS ini dengan aplikasi bank atau dompet digital:", "Scan this QRIS code with a banking or e-wallet app:")) }
                        p { img src=(url) alt=(t(lang, "Kode QRIS penjual", "The seller's QRIS code")) style="max-width:16rem;width:100%"; }
                    }
                    @if payment == Payment::Cod {
                        p { (t(lang, "Bayar tunai saat pesanan diterima.", "Pay in cash when the order arrives.")) }
                    }
                }
            } @else if view.paid {
                p.notice #status-bayar { strong { (t(lang, "Sudah dibayar", "Paid")) } }
            }
            @if let Some(link) = seller.and_then(|s| s.whatsapp_link()) {
                p { (t(lang, "Hubungi penjual", "Contact the seller")) ": "
                    a href=(link) rel="nofollow" { "WhatsApp " (seller.and_then(|s| s.whatsapp.as_deref()).unwrap_or_default()) } }
            }
        }
    }
}

/// The order form's choice, checked before the core checks it again, so the buyer sees every
/// problem of the form at once.
pub fn choice_errors(
    lang: Lang,
    selling: &Selling,
    delivery: &str,
    payment: &str,
) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if selling.delivers() && delivery.trim().is_empty() {
        errors.push((
            "pengiriman".to_owned(),
            choice_message(lang, "delivery", sentra_core::Rule::Required).to_owned(),
        ));
    }
    if selling.takes_payment() && payment.trim().is_empty() {
        errors.push((
            "pembayaran".to_owned(),
            choice_message(lang, "payment", sentra_core::Rule::Required).to_owned(),
        ));
    }
    errors
}

/// What a refused choice of delivery (`delivery`) or payment (`payment`) tells the buyer.
pub fn choice_message(lang: Lang, field: &str, rule: sentra_core::Rule) -> &'static str {
    use sentra_core::Rule;
    match (field, rule) {
        ("delivery", Rule::Required) => t(
            lang,
            "Pilih cara pengiriman.",
            "Choose how to receive the order.",
        ),
        ("payment", Rule::Required) => t(lang, "Pilih cara pembayaran.", "Choose how to pay."),
        ("delivery", Rule::OutOfRange) => t(
            lang,
            "Penjual tidak mengirim dengan kurir ke kabupaten/kota ini. Pilih ambil sendiri atau hubungi penjual.",
            "The seller does not deliver by courier to this regency or city. Choose pick-up or contact the seller.",
        ),
        _ => t(
            lang,
            "Pilih salah satu cara yang ditawarkan penjual.",
            "Choose one of the ways the seller offers.",
        ),
    }
}
