//! What a page adds to its `<head>` beyond the title: a description (for search engines and
//! link previews) and, on pages meant to be shared, Open Graph tags, so a link pasted into
//! WhatsApp unfolds into a card with the title, the price and the photo. Every URL in them is
//! absolute: a preview is fetched by someone else's server, which knows no base.

use super::{Lang, t};
use maud::{Markup, html};

/// The extras of one page's head.
#[derive(Debug, Default, Clone)]
pub struct Head {
    /// The page's description; the site's own when `None`.
    pub description: Option<String>,
    /// Open Graph tags, on pages worth sharing.
    pub share: Option<OpenGraph>,
}

/// The Open Graph card of a page.
#[derive(Debug, Clone)]
pub struct OpenGraph {
    /// `product` or `website`.
    pub kind: &'static str,
    /// The card's title (a product's name and price, or a shop's name).
    pub title: String,
    /// One or two lines under the title.
    pub description: String,
    /// The page's absolute URL.
    pub url: String,
    /// The absolute URL of a photo, if there is one.
    pub image: Option<String>,
    /// A product's price in rupiah (`product:price:amount`, currency IDR).
    pub price: Option<i64>,
}

/// The site's description, for pages that have none of their own.
pub fn site_description(lang: Lang) -> &'static str {
    t(
        lang,
        "Belanja produk UMKM langsung dari perajinnya: gula kristal Banyumas, jeans Rowosari, batik dan lainnya. Pesan tanpa aplikasi, bayar ke penjual.",
        "Buy straight from Indonesia's small producers: Banyumas crystal sugar, Rowosari jeans, batik and more. Order without an app, pay the seller.",
    )
}

/// The tags, for inside `<head>`.
pub fn render(lang: Lang, head: &Head) -> Markup {
    let description = head
        .description
        .as_deref()
        .unwrap_or_else(|| site_description(lang));
    html! {
        meta name="description" content=(description);
        @if let Some(og) = &head.share {
            meta property="og:type" content=(og.kind);
            meta property="og:site_name" content="Sentra";
            meta property="og:locale" content=(t(lang, "id_ID", "en_US"));
            meta property="og:title" content=(og.title);
            meta property="og:description" content=(og.description);
            meta property="og:url" content=(og.url);
            link rel="canonical" href=(og.url);
            @if let Some(image) = &og.image {
                meta property="og:image" content=(image);
                meta property="og:image:alt" content=(og.title);
                meta name="twitter:card" content="summary_large_image";
            }
            @if let Some(price) = og.price {
                meta property="product:price:amount" content=(price);
                meta property="product:price:currency" content="IDR";
            }
        }
    }
}
