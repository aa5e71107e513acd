//! The security headers every answer carries: pages, photos, CSV files and the JSON API.
//!
//! Pages need no JavaScript and load nothing from elsewhere, so the policy allows no script at
//! all, images and forms only from this site, the one inline stylesheet (and the few `style`
//! attributes), and no framing by anyone. (The pages with a grid of product cards answer with
//! this policy plus their one card script, allowed by its hash:
//! [`super::catalogue_cards::allow_card_script`].) Every answer says `nosniff`, so a browser never reads
//! a photo or a JSON error as HTML.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// The page policy: no script, nothing from elsewhere, never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; img-src 'self'; \
     style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers to an answer, keeping any a handler set itself.
pub async fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    response
}
