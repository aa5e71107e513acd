//! Sharing a product or a shop: the absolute address of a page (from `--public-url`, else the
//! request's own `Host`), the text a buyer sends, and the "Bagikan ke WhatsApp" link
//! (`https://wa.me/?text=…`, which opens WhatsApp with the text ready to send to anyone).
//!
//! The apps build the same text and link (`android/shared-logic/…/logic/Share.kt`,
//! `ios/Sources/SentraKit/Share.swift`), so a link shared from a phone and one shared from the
//! storefront read alike.

use super::catalogue::url_encode;
use super::{Lang, t};
use crate::AppState;
use axum::http::{HeaderMap, header};
use maud::{Markup, html};

/// The storefront's address without a trailing `/`: the configured public URL, else
/// `http://` and the request's `Host` when it is a plain host name or address (with a port),
/// else `http://localhost`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// What a buyer sends a friend about a product: its name, price and unit, and the link.
pub fn product_text(lang: Lang, name: &str, price: &str, unit: &str, url: &str) -> String {
    format!(
        "{} {name} — {price} / {unit} {} {url}",
        t(lang, "Lihat", "Have a look at"),
        t(lang, "di Sentra:", "on Sentra:")
    )
}

/// What a buyer sends a friend about a shop: its name and the link.
pub fn shop_text(lang: Lang, shop: &str, url: &str) -> String {
    format!(
        "{} {shop} {} {url}",
        t(lang, "Lihat produk", "Have a look at the products of"),
        t(lang, "di Sentra:", "on Sentra:")
    )
}

/// The `wa.me` link that opens WhatsApp with `text` ready to send.
pub fn whatsapp_url(text: &str) -> String {
    // wa.me wants %20 for spaces, not the form encoding's `+`.
    format!(
        "https://wa.me/?text={}",
        url_encode(text).replace('+', "%20")
    )
}

/// The "Bagikan ke WhatsApp" link.
pub fn whatsapp_link(lang: Lang, text: &str) -> Markup {
    html! {
        a.share href=(whatsapp_url(text)) rel="noopener" target="_blank" {
            (t(lang, "Bagikan ke WhatsApp", "Share on WhatsApp"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whatsapp_link_carries_the_text_percent_encoded() {
        let text = product_text(
            Lang::Id,
            "Gula Kristal & Aren",
            "Rp 15.000",
            "kg",
            "https://sentra.id/p/1",
        );
        assert_eq!(
            text,
            "Lihat Gula Kristal & Aren — Rp 15.000 / kg di Sentra: https://sentra.id/p/1"
        );
        let link = whatsapp_url(&text);
        assert!(link.starts_with("https://wa.me/?text=Lihat%20Gula%20Kristal%20%26%20Aren%20"));
        assert!(link.ends_with("https%3A%2F%2Fsentra.id%2Fp%2F1"));
        assert!(!link.contains('+') && !link.contains(' '));
        // The apps' Share.kt gives the same for the same text.
        assert_eq!(
            whatsapp_url("Rp 15.000 * 2 = 100% ✓ ~"),
            "https://wa.me/?text=Rp%2015.000%20%2A%202%20%3D%20100%25%20%E2%9C%93%20~"
        );
        assert_eq!(
            shop_text(
                Lang::Id,
                "Gula Kristal Bu Sri",
                "http://127.0.0.1:8080/toko/01a2"
            ),
            "Lihat produk Gula Kristal Bu Sri di Sentra: http://127.0.0.1:8080/toko/01a2"
        );
    }
}
