//! A catalogue card (a square photo, the name and the price) and the grid of them, shared by
//! the catalogue and a producer's shop, with the one inline script that loads card photos only
//! as they come near the screen.
//!
//! Why a script: Chromium fetches `loading=lazy` images within 1,250 px of the screen (2,500 px
//! on a slow link), so a phone took 12 card photos (22 on 2G) before the buyer scrolled, and the
//! first page weighed 98 KB (174 KB on 2G) against a 60 KB budget (issue #16). The script asks
//! for a photo when its card is within [`ROOT_MARGIN`] of the screen, so a phone loads what it
//! shows and little more. Without JavaScript each card's `<noscript>` holds a plain
//! `<img loading=lazy>`, so every photo still shows; the script is allowed by its hash in the
//! page's Content-Security-Policy ([`allow_card_script`]), never by `unsafe-inline`.

use super::catalogue::price_range;
use super::headers::CONTENT_SECURITY_POLICY;
use super::{Lang, t};
use crate::photos::CARD_COPY;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use base64::Engine;
use maud::{Markup, PreEscaped, html};
use sentra_core::catalogue::listing::ProductSummary;
use sentra_core::photos::copies::CARD_EDGE;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Cards at the top of a grid whose photos load at once, with the page (the first row of a
/// phone); the others wait for the script.
pub const EAGER_CARDS: usize = 2;

/// How far below the screen a card's photo is already asked for: a little, so a photo is
/// usually in when scrolled to, and the first screen's next row is not (it would cost a
/// phone two more photos before it scrolls).
pub const ROOT_MARGIN: &str = "0px 0px 64px 0px";

/// The script, run once after a grid: each `span.ph` becomes its photo when it comes near the
/// screen (at once where `IntersectionObserver` is missing).
static CARD_SCRIPT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "(()=>{{const show=s=>{{const i=new Image({CARD_EDGE},{CARD_EDGE});i.alt=s.dataset.alt;\
i.decoding='async';i.src=s.dataset.src;s.replaceWith(i)}};\
const spans=document.querySelectorAll('.card .ph');\
if(!('IntersectionObserver' in window)){{spans.forEach(show);return}}\
const near=new IntersectionObserver(es=>{{for(const e of es)if(e.isIntersecting){{\
near.unobserve(e.target);show(e.target)}}}},{{rootMargin:'{ROOT_MARGIN}'}});\
spans.forEach(s=>near.observe(s))}})()"
    )
});

/// The page policy with the card script allowed by its SHA-256 hash.
static POLICY_WITH_SCRIPT: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(CARD_SCRIPT.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("{CONTENT_SECURITY_POLICY}; script-src 'sha256-{hash}'")
});

/// A product's card in a grid: the square card copy of its cover photo
/// (`/foto/{hash}/kartu`, one size for every screen: it is as sharp as the 320 px thumbnail
/// in a square), its name and price. An `eager` card's photo loads with the page; the others
/// are a placeholder the grid's script turns into the photo near the screen, with a lazy
/// `<img>` in `<noscript>` for a browser without JavaScript.
pub fn card(lang: Lang, p: &ProductSummary, eager: bool) -> Markup {
    html! {
        li.card {
            a href={ "/p/" (p.id) } {
                @if let Some(cover) = &p.cover_photo {
                    @let src = format!("/foto/{cover}/{CARD_COPY}");
                    @if eager {
                        img src=(src) alt=(p.name) width=(CARD_EDGE) height=(CARD_EDGE)
                            loading="eager" decoding="async";
                    } @else {
                        span.ph data-src=(src) data-alt=(p.name) {}
                        noscript {
                            img src=(src) alt=(p.name) width=(CARD_EDGE) height=(CARD_EDGE)
                                loading="lazy" decoding="async";
                        }
                    }
                } @else {
                    span.noimg {}
                }
                div {
                    strong { (p.name) } br;
                    span.price { (price_range(p.min_price, p.max_price)) }
                    span.muted { " / " (p.unit) }
                    @if p.total_stock <= 0 { br; span.muted { (t(lang, "Stok habis", "Out of stock")) } }
                }
            }
        }
    }
}

/// A grid of cards, the first [`EAGER_CARDS`] loading at once, then the script for the rest.
/// The page that shows it answers through [`allow_card_script`].
pub fn grid(lang: Lang, products: &[ProductSummary]) -> Markup {
    html! {
        ul.grid {
            @for (i, p) in products.iter().enumerate() {
                (card(lang, p, i < EAGER_CARDS))
            }
        }
        @if products.len() > EAGER_CARDS {
            script { (PreEscaped(CARD_SCRIPT.as_str())) }
        }
    }
}

/// `response` with a Content-Security-Policy that lets the grid's script run (by its hash:
/// any other inline script is still refused).
pub fn allow_card_script(mut response: Response) -> Response {
    if let Ok(value) = HeaderValue::from_str(&POLICY_WITH_SCRIPT) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{CARD_SCRIPT, POLICY_WITH_SCRIPT};

    #[test]
    fn the_policy_allows_the_card_script_by_its_hash_and_nothing_inline() {
        assert!(POLICY_WITH_SCRIPT.contains("script-src 'sha256-"));
        assert!(!POLICY_WITH_SCRIPT.contains("unsafe-inline'; script"));
        assert!(!POLICY_WITH_SCRIPT.contains("script-src 'unsafe-inline'"));
        assert!(CARD_SCRIPT.contains("IntersectionObserver"));
        assert!(
            !CARD_SCRIPT.contains("</"),
            "nothing in it can close the script element"
        );
    }
}
