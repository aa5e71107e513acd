//! The web pages the server renders: the buyers' storefront, cooperatives' pages and the
//! officials' dashboard. Every page is plain HTML that works without JavaScript, in Bahasa
//! Indonesia by default with an English switch, mobile-first, and small (the first catalogue
//! page stays under 60 KB before images). Text is escaped by the templates (maud), so a name
//! like `<script>` shows as text.

mod assignments;
pub mod catalogue;
pub mod catalogue_cards;
mod charts;
pub mod checkout;
pub mod cooperative;
mod cooperative_admin;
pub mod dashboard;
mod exports;
mod favicon;
pub mod head;
pub mod headers;
pub mod import;
mod map;
pub mod members;
pub mod order_status;
mod product_photos;
mod report_tables;
pub mod selling;
pub mod session;
pub mod share;
mod shop;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
pub use sentra_core::Lang;

/// The pages, with their responses compressed (gzip or brotli, as the browser accepts).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(catalogue::routes())
        .merge(checkout::routes())
        .merge(order_status::routes())
        .merge(cooperative::routes())
        .merge(session::routes())
        .merge(dashboard::routes())
        .merge(import::routes())
        .merge(members::routes())
        .merge(shop::routes())
        .merge(product_photos::routes())
        .merge(favicon::routes())
        .layer(tower_http::compression::CompressionLayer::new())
}

/// The language of a request: `?lang=` first, then the `lang` cookie, then the browser's
/// `Accept-Language`; Bahasa Indonesia when nothing says otherwise.
pub fn lang_of(headers: &HeaderMap, query_lang: Option<&str>) -> Lang {
    let parse = |s: &str| match s.trim().get(..2) {
        Some(two) if two.eq_ignore_ascii_case("en") => Some(Lang::En),
        Some(two) if two.eq_ignore_ascii_case("id") => Some(Lang::Id),
        _ => None,
    };
    if let Some(lang) = query_lang.and_then(parse) {
        return lang;
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang="));
    if let Some(lang) = cookie.and_then(parse) {
        return lang;
    }
    // The first of id or en the browser lists wins (q-values are in preference order in
    // practice); other languages are skipped.
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|tag| parse(tag.split(';').next()?)))
        .unwrap_or_default()
}

/// Picks the Indonesian or the English text.
pub fn t(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// Rupiah as Indonesians write it: `Rp 15.000`.
pub fn rupiah(amount: i64) -> String {
    sentra_core::money::format_rupiah(amount)
}

/// The shared stylesheet: small, mobile-first, no web fonts.
const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#faf8f5}
a{color:#0b5c8a}header{background:#7a2e0e;color:#fff;padding:.6rem 1rem;display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.15rem;margin-right:auto}
main{max-width:60rem;margin:0 auto;padding:1rem}h1{font-size:1.35rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem}
form.search{display:flex;flex-wrap:wrap;gap:.4rem;margin-bottom:1rem}form.search input[type=search]{flex:1 1 12rem}
input,select,textarea,button{font:inherit;padding:.45rem .5rem;border:1px solid #999;border-radius:.3rem;max-width:100%}
button,.button{background:#7a2e0e;color:#fff;border:0;padding:.55rem 1rem;border-radius:.3rem;cursor:pointer;text-decoration:none;display:inline-block}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.8rem;list-style:none;padding:0;margin:0}
.card{background:#fff;border:1px solid #e4ded6;border-radius:.4rem;overflow:hidden}.card a{text-decoration:none;color:inherit;display:block}
.card img,.card .noimg{width:100%;height:auto;aspect-ratio:1;object-fit:cover;background:#eee;display:block}.card div{padding:.4rem .5rem}
.price{font-weight:700;color:#7a2e0e}.muted{color:#666;font-size:.9rem}.error{color:#b00020;font-size:.9rem}
.notice{background:#fff4d6;border:1px solid #e0c36a;padding:.6rem;border-radius:.3rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #e4ded6;padding:.35rem .45rem;text-align:left}td.n,th.n{text-align:right}.nw{white-space:nowrap}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}.field input,.field textarea,.field select{width:100%}
.photos{display:flex;gap:.5rem;overflow-x:auto}.photos a{flex:none}.photos img{display:block;width:15rem;height:auto;border-radius:.3rem}.card picture{display:block}
ol.timeline{padding-left:1.2rem}ol.timeline li{margin:.3rem 0}.code{font:700 1.3rem monospace;letter-spacing:.05em}
nav.pages{display:flex;gap:1rem;margin:1rem 0}footer{padding:1rem;text-align:center;color:#666;font-size:.85rem}
h1,.card strong,td label,.field label{overflow-wrap:anywhere}details.filters{flex:1 1 100%}details.filters summary{cursor:pointer;padding:.3rem 0;color:#0b5c8a}
details.filters div{display:flex;flex-wrap:wrap;gap:.4rem}details.filters select{flex:1 1 12rem}.count{margin:-.5rem 0 .8rem}
.summary{border:2px solid #b00020;border-radius:.3rem;padding:.6rem .8rem;margin:0 0 1rem;background:#fff}.summary:focus{outline:3px solid #0b5c8a}.summary ul{margin:.3rem 0 0;padding-left:1.2rem}
.share{display:inline-block;margin:.2rem 0 .8rem;padding:.45rem .8rem;border-radius:.3rem;background:#1f7a3d;color:#fff;text-decoration:none}
@media(min-width:40rem){.two{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}.photos img{width:24rem}}
@media(scripting:enabled){.card .ph{display:block;aspect-ratio:1;background:#eee}}
"#;

/// A whole page: head, header with the language switch, the content, a footer.
pub fn page(lang: Lang, title: &str, path_for_switch: &str, content: Markup) -> Markup {
    page_with(
        lang,
        title,
        path_for_switch,
        &head::Head::default(),
        content,
    )
}

/// A whole page whose head says more: its own description, Open Graph tags ([`head`]).
pub fn page_with(
    lang: Lang,
    title: &str,
    path_for_switch: &str,
    extra: &head::Head,
    content: Markup,
) -> Markup {
    let (other, other_label) = match lang {
        Lang::Id => ("en", "English"),
        Lang::En => ("id", "Bahasa Indonesia"),
    };
    let sep = if path_for_switch.contains('?') {
        '&'
    } else {
        '?'
    };
    html! {
        (DOCTYPE)
        html lang=(match lang { Lang::Id => "id", Lang::En => "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Sentra" }
                (head::render(lang, extra))
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a.brand href="/" { "Sentra" }
                    a href="/" { (t(lang, "Produk", "Products")) }
                    a href="/pesanan" { (t(lang, "Cek pesanan", "Track order")) }
                    a href={ (path_for_switch) (sep) "lang=" (other) } hreflang=(other) { (other_label) }
                }
                main { (content) }
                footer {
                    (t(lang, "Sentra — produk UMKM langsung dari perajinnya.",
                        "Sentra — products straight from Indonesia's small producers."))
                }
            }
        }
    }
}

/// An HTML response, remembering an explicit language choice in a cookie.
pub fn respond(status: StatusCode, lang_choice: Option<Lang>, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    if let Some(lang) = lang_choice {
        let value = match lang {
            Lang::Id => "lang=id; Path=/; Max-Age=31536000; SameSite=Lax",
            Lang::En => "lang=en; Path=/; Max-Age=31536000; SameSite=Lax",
        };
        response
            .headers_mut()
            .insert(header::SET_COOKIE, HeaderValue::from_static(value));
    }
    response
}

/// The language a `?lang=` asked for, if any (to remember in a cookie).
pub fn chosen(query_lang: Option<&str>) -> Option<Lang> {
    match query_lang.map(str::trim) {
        Some("en") => Some(Lang::En),
        Some("id") => Some(Lang::Id),
        _ => None,
    }
}

/// A page for a failure: not found, or something broke. No internals are shown.
pub fn error_page(lang: Lang, err: &ApiError) -> Response {
    let (status, heading, text) = match err {
        ApiError::NotFound | ApiError::PhotoNotFound => (
            StatusCode::NOT_FOUND,
            t(lang, "Tidak ditemukan", "Not found"),
            t(
                lang,
                "Halaman atau produk ini tidak ada, atau tidak lagi dijual.",
                "This page or product does not exist, or is no longer for sale.",
            ),
        ),
        ApiError::Refused(e) if e.code() == sentra_core::ErrorCode::NotFound => (
            StatusCode::NOT_FOUND,
            t(lang, "Tidak ditemukan", "Not found"),
            t(
                lang,
                "Halaman atau produk ini tidak ada, atau tidak lagi dijual.",
                "This page or product does not exist, or is no longer for sale.",
            ),
        ),
        ApiError::RateLimited | ApiError::SlowDown(_) => (
            StatusCode::TOO_MANY_REQUESTS,
            t(lang, "Terlalu banyak permintaan", "Too many requests"),
            t(
                lang,
                "Tunggu sebentar, lalu muat ulang halaman ini.",
                "Wait a moment, then reload this page.",
            ),
        ),
        ApiError::Forbidden => (
            StatusCode::FORBIDDEN,
            t(lang, "Tidak diizinkan", "Not allowed"),
            t(
                lang,
                "Permintaan ini tidak diizinkan. Buka halaman ini langsung di Sentra.",
                "This request is not allowed. Open this page on Sentra itself.",
            ),
        ),
        ApiError::RequestKeyReused => (
            StatusCode::CONFLICT,
            t(
                lang,
                "Formulir sudah terpakai",
                "This form was already used",
            ),
            t(
                lang,
                "Formulir ini sudah dipakai untuk pesanan lain. Buka lagi halaman produknya untuk memesan.",
                "This form was already used for another order. Open the product page again to order.",
            ),
        ),
        ApiError::BadBody | ApiError::Refused(_) => (
            StatusCode::BAD_REQUEST,
            t(lang, "Permintaan tidak valid", "Invalid request"),
            t(
                lang,
                "Periksa alamat halaman atau isian formulir.",
                "Check the page address or the form.",
            ),
        ),
        _ => {
            if let ApiError::Internal(cause) = err {
                tracing::error!(%cause, "page failed");
            }
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                t(lang, "Maaf, ada gangguan", "Sorry, something went wrong"),
                t(
                    lang,
                    "Coba lagi sebentar lagi.",
                    "Please try again in a moment.",
                ),
            )
        }
    };
    let mut response = respond(
        status,
        None,
        page(
            lang,
            heading,
            "/",
            html! { h1 { (heading) } p { (text) } p { a href="/" { (t(lang, "Kembali ke produk", "Back to products")) } } },
        ),
    );
    if let Some(secs) = err.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}
