//! The buyers' catalogue: newest products and full-text search with filters, and a page per
//! product. Their photos are served by [`super::product_photos`]; the cards' grid is
//! [`super::catalogue_cards`].

use super::catalogue_cards::{allow_card_script, grid};
use super::head::{Head, OpenGraph};
use super::{Lang, chosen, error_page, lang_of, page_with, respond, rupiah, share, t};
use crate::error::ApiError;
use crate::replica::refused;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::catalogue::listing::{ProductQuery, ProductSummary, Sort};
use sentra_core::catalogue::{Product, ProductStatus};
use sentra_core::organisations::Organisation;
use sentra_core::{Id, regions};
use serde::Deserialize;

/// Products on one catalogue page.
pub const PAGE_SIZE: u32 = 24;

/// The catalogue's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue))
        .route("/p/{id}", get(product_page))
}

/// What a buyer can ask of the catalogue (all optional, as typed in the URL).
#[derive(Debug, Default, Deserialize)]
pub struct Browse {
    /// Words to search for.
    #[serde(default)]
    pub q: String,
    /// A category.
    #[serde(default)]
    pub kategori: String,
    /// A province code (2 digits).
    #[serde(default)]
    pub provinsi: String,
    /// A regency code (4 digits).
    #[serde(default)]
    pub kabupaten: String,
    /// A cooperative or cluster id.
    #[serde(default)]
    pub koperasi: String,
    /// The page, from 1.
    #[serde(default)]
    pub hal: String,
    /// `id` or `en`.
    pub lang: Option<String>,
}

/// The listing the filters ask for.
fn query_of(browse: &Browse, offset: u32) -> ProductQuery {
    let clean = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    let digits = |s: &str, len: usize| {
        let s = s.trim();
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_owned())
    };
    ProductQuery {
        search: clean(&browse.q),
        category: clean(&browse.kategori),
        status: Some(ProductStatus::Listed),
        region: digits(&browse.kabupaten, 4).or_else(|| digits(&browse.provinsi, 2)),
        organisation_id: browse.koperasi.trim().parse::<Id>().ok(),
        // Best match first when the buyer typed words ("jeans" lists jeans before a sarung
        // whose description mentions them); newest first otherwise.
        sort: if browse.q.trim().is_empty() {
            Sort::Newest
        } else {
            Sort::Relevance
        },
        offset,
        limit: PAGE_SIZE + 1,
        published_only: true,
        ..Default::default()
    }
}

struct Listing {
    products: Vec<ProductSummary>,
    more: bool,
    /// How many match, over every page, when the buyer searched or filtered.
    matches: Option<u64>,
    organisations: Vec<Organisation>,
    categories: Vec<String>,
}

async fn catalogue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(browse): Query<Browse>,
) -> Response {
    let lang = lang_of(&headers, browse.lang.as_deref());
    let page_no = browse.hal.trim().parse::<u32>().unwrap_or(1).clamp(1, 1000);
    let mut query = query_of(&browse, (page_no - 1) * PAGE_SIZE);
    let listed = blocking(move || {
        let replica = state.replica()?;
        let core = replica.core();
        // On PostgreSQL its own full-text index finds the matches; on SQLite the replica's
        // FTS5 index does, inside the listing query.
        if let Some(text) = query.search.take() {
            match replica.search(&text)? {
                Some(ids) => query.only_ids = Some(ids),
                None => query.search = Some(text),
            }
        }
        let mut products = core.list_products(&query).map_err(refused)?;
        let more = products.len() > PAGE_SIZE as usize;
        products.truncate(PAGE_SIZE as usize);
        let narrowed = query.search.is_some()
            || query.only_ids.is_some()
            || query.category.is_some()
            || query.region.is_some()
            || query.organisation_id.is_some();
        let matches = if narrowed {
            Some(core.count_products(&query).map_err(refused)?)
        } else {
            None
        };
        Ok(Listing {
            products,
            more,
            matches,
            organisations: core.organisations().map_err(refused)?,
            categories: core.listed_categories().map_err(refused)?,
        })
    })
    .await;
    match listed {
        Ok(listing) => allow_card_script(respond(
            StatusCode::OK,
            chosen(browse.lang.as_deref()),
            render_catalogue(lang, &browse, page_no, &listing),
        )),
        Err(err) => error_page(lang, &err),
    }
}

fn link_with_page(browse: &Browse, page_no: u32) -> String {
    let mut parts = vec![];
    for (key, value) in [
        ("q", &browse.q),
        ("kategori", &browse.kategori),
        ("provinsi", &browse.provinsi),
        ("kabupaten", &browse.kabupaten),
        ("koperasi", &browse.koperasi),
    ] {
        if !value.trim().is_empty() {
            parts.push(format!("{key}={}", url_encode(value.trim())));
        }
    }
    parts.push(format!("hal={page_no}"));
    format!("/?{}", parts.join("&"))
}

/// Percent-encodes a query value.
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A price, or the range of a product's variant prices.
pub fn price_range(min: i64, max: i64) -> String {
    if min == max {
        rupiah(min)
    } else {
        format!("{} – {}", rupiah(min), rupiah(max))
    }
}

/// What the filters (not the words) narrow the catalogue to, in the buyer's words.
fn filter_labels(browse: &Browse, listing: &Listing) -> Vec<String> {
    let mut labels = Vec::new();
    let category = browse.kategori.trim();
    if !category.is_empty() {
        labels.push(
            listing
                .categories
                .iter()
                .find(|c| c.eq_ignore_ascii_case(category))
                .cloned()
                .unwrap_or_else(|| category.to_owned()),
        );
    }
    if let Some(regency) = regions::regency(browse.kabupaten.trim()) {
        labels.push(regency.name.clone());
    } else if let Some(province) = regions::province(browse.provinsi.trim()) {
        labels.push(province.name.clone());
    }
    if let Some(o) = listing
        .organisations
        .iter()
        .find(|o| o.id.to_string() == browse.koperasi.trim())
    {
        labels.push(o.name.clone());
    }
    labels
}

fn render_catalogue(lang: Lang, browse: &Browse, page_no: u32, listing: &Listing) -> Markup {
    let filters = filter_labels(browse, listing);
    let title = if !browse.q.trim().is_empty() {
        format!(
            "{} “{}”",
            t(lang, "Hasil pencarian", "Results for"),
            browse.q.trim()
        )
    } else if !filters.is_empty() {
        format!("{}: {}", t(lang, "Produk", "Products"), filters.join(" · "))
    } else {
        t(lang, "Produk terbaru", "Newest products").to_owned()
    };
    let province = browse.provinsi.trim();
    let regencies: Vec<&regions::Regency> = if province.len() == 2 {
        regions::regencies()
            .iter()
            .filter(|r| r.province_code == province)
            .collect()
    } else {
        Vec::new()
    };
    let content = html! {
        form.search method="get" action="/" role="search" {
            input type="search" name="q" value=(browse.q.trim())
                placeholder=(t(lang, "Cari produk, mis. gula kristal", "Search, e.g. crystal sugar"))
                aria-label=(t(lang, "Cari produk", "Search products"));
            button type="submit" { (t(lang, "Cari", "Search")) }
            // Folded away, so a phone's first screen shows products, not a form.
            details.filters {
                summary {
                    (t(lang, "Saring: kategori, wilayah, koperasi", "Filter: category, region, cooperative"))
                    @if !filters.is_empty() { " (" (filters.len()) ")" }
                }
                div {
                    select name="kategori" aria-label=(t(lang, "Kategori", "Category")) {
                        option value="" { (t(lang, "Semua kategori", "All categories")) }
                        @for category in &listing.categories {
                            option value=(category) selected[category.eq_ignore_ascii_case(browse.kategori.trim())] { (category) }
                        }
                    }
                    select name="provinsi" aria-label=(t(lang, "Provinsi", "Province")) {
                        option value="" { (t(lang, "Semua provinsi", "All provinces")) }
                        @for p in regions::provinces() {
                            option value=(p.code) selected[p.code == province] { (p.name) }
                        }
                    }
                    @if !regencies.is_empty() {
                        select name="kabupaten" aria-label=(t(lang, "Kabupaten/kota", "Regency/city")) {
                            option value="" { (t(lang, "Semua kabupaten/kota", "All regencies")) }
                            @for r in &regencies {
                                option value=(r.code) selected[r.code == browse.kabupaten.trim()] { (r.name) }
                            }
                        }
                    }
                    @if !listing.organisations.is_empty() {
                        select name="koperasi" aria-label=(t(lang, "Koperasi/sentra", "Cooperative/cluster")) {
                            option value="" { (t(lang, "Semua koperasi & sentra", "All cooperatives & clusters")) }
                            @for o in &listing.organisations {
                                option value=(o.id) selected[o.id.to_string() == browse.koperasi.trim()] { (o.name) }
                            }
                        }
                    }
                    button type="submit" { (t(lang, "Terapkan", "Apply")) }
                }
            }
        }
        h1 { (title) }
        @if let Some(n) = listing.matches {
            p.count.muted role="status" {
                (n) " " (t(lang, "produk ditemukan", if n == 1 { "product found" } else { "products found" }))
                @if !browse.q.trim().is_empty() && !filters.is_empty() { " · " (filters.join(" · ")) }
            }
        }
        @if listing.products.is_empty() {
            p.notice { (t(lang, "Belum ada produk yang cocok. Coba kata lain atau hapus filter.",
                "No products match yet. Try other words or clear the filters.")) }
        }
        (grid(lang, &listing.products))
        nav.pages {
            @if page_no > 1 { a href=(link_with_page(browse, page_no - 1)) rel="prev" { "← " (t(lang, "Sebelumnya", "Previous")) } }
            @if listing.more { a href=(link_with_page(browse, page_no + 1)) rel="next" { (t(lang, "Berikutnya", "Next")) " →" } }
        }
        @if !listing.organisations.is_empty() {
            h2 { (t(lang, "Koperasi & sentra", "Cooperatives & clusters")) }
            ul {
                @for o in &listing.organisations {
                    li { a href={ "/koperasi/" (o.id) } { (o.name) } }
                }
            }
        }
    };
    page_with(
        lang,
        &title,
        &link_with_page(browse, page_no),
        &Head::default(),
        content,
    )
}

/// Everything the product page shows (never the producer's phone or address).
pub struct ProductView {
    /// The product with its variants.
    pub product: Product,
    /// Content hashes of its display photos, in order.
    pub photos: Vec<String>,
    /// The producer's business name.
    pub producer_name: String,
    /// The producer's regency (or city) name.
    pub regency: String,
    /// The cooperatives and clusters the producer belongs to.
    pub organisations: Vec<Organisation>,
    /// How the producer delivers, is paid and is reached.
    pub selling: sentra_core::selling::Selling,
    /// The storefront's address, for the page's absolute share links ([`share::base_url`]);
    /// set by the handler, which has the request.
    pub base_url: String,
}

/// A listed product as the storefront shows it; `NotFound` for anything not listed, and for
/// every product of a producer who has not consented to publication. Blocks.
pub fn product_view(state: &AppState, id: &str) -> Result<ProductView, ApiError> {
    let id: Id = id.trim().parse().map_err(|_| ApiError::NotFound)?;
    let replica = state.replica()?;
    let core = replica.core();
    let product = match core.product(id) {
        Ok(product) if product.status == ProductStatus::Listed => product,
        Ok(_) => return Err(ApiError::NotFound),
        Err(err) => return Err(refused(err)),
    };
    let producer = core.producer(product.producer_id).map_err(refused)?;
    if !producer.consent_publish {
        return Err(ApiError::NotFound);
    }
    let photos = core
        .photos(id)
        .map_err(refused)?
        .into_iter()
        .map(|p| p.hash)
        .collect();
    Ok(ProductView {
        regency: regions::regency_of(&producer.region_code)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        organisations: core.organisations_of(producer.id).map_err(refused)?,
        selling: core.selling(producer.id).map_err(refused)?,
        producer_name: producer.business_name,
        photos,
        product,
        base_url: String::new(),
    })
}

#[derive(Debug, Deserialize)]
struct LangOnly {
    lang: Option<String>,
}

async fn product_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangOnly>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let base_url = share::base_url(&state, &headers);
    match blocking(move || product_view(&state, &id)).await {
        Ok(view) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            render_product(
                lang,
                &ProductView { base_url, ..view },
                &super::checkout::OrderForm::fresh(),
                &[],
            ),
        ),
        Err(err) => error_page(lang, &err),
    }
}

/// The product page, with the order form (filled in and with its errors after a refused
/// submission).
pub fn render_product(
    lang: Lang,
    view: &ProductView,
    form: &super::checkout::OrderForm,
    errors: &[(String, String)],
) -> Markup {
    let p = &view.product;
    let min = p
        .variants
        .iter()
        .map(|v| v.effective_price)
        .min()
        .unwrap_or(p.price);
    let max = p
        .variants
        .iter()
        .map(|v| v.effective_price)
        .max()
        .unwrap_or(p.price);
    let url = format!("{}/p/{}", view.base_url, p.id);
    let price = price_range(min, max);
    let share_text = share::product_text(lang, &p.name, &price, &p.unit, &url);
    let content = html! {
        @if !view.photos.is_empty() {
            div.photos {
                @for (i, hash) in view.photos.iter().enumerate() {
                    // A copy that fits the screen; the photo itself, 1280 px, one tap away. A
                    // phone gets the 400 px copy for its 15rem box whatever its density (about
                    // 36 KB with a real camera photo: on 2G at 250 kbit/s it shows within 2.5 s;
                    // the 640 px copy a sharp screen would pick is 86 KB); a wider screen
                    // picks by its density for a 24rem box.
                    a href={ "/foto/" (hash) } {
                        picture {
                            source media="(max-width: 40rem)" srcset={ "/foto/" (hash) "/400" };
                            img src={ "/foto/" (hash) "/400" }
                                srcset={ "/foto/" (hash) "/400 400w, /foto/" (hash) "/640 640w" }
                                sizes="24rem"
                                alt=(p.name)
                                loading=(if i == 0 { "eager" } else { "lazy" })
                                fetchpriority=[(i == 0).then_some("high")]
                                decoding="async";
                        }
                    }
                }
            }
        }
        div.two {
            div {
                h1 { (p.name) }
                p { span.price { (price) } span.muted { " / " (p.unit) } }
                p.muted {
                    (t(lang, "Minimal pesan", "Minimum order")) ": " (p.min_order) " " (p.unit)
                    @if p.weight_g > 0 { " · " (t(lang, "Berat", "Weight")) ": " (p.weight_g) " g" }
                }
                p { (p.description) }
                p {
                    (t(lang, "Dibuat oleh", "Made by")) " "
                    a href={ "/toko/" (p.producer_id) } { strong { (view.producer_name) } }
                    @if !view.regency.is_empty() { ", " (view.regency) }
                }
                (super::selling::product_section(lang, &view.selling))
                @if !view.organisations.is_empty() {
                    p.muted {
                        (t(lang, "Anggota", "Member of")) ": "
                        @for (i, o) in view.organisations.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/koperasi/" (o.id) } { (o.name) }
                        }
                    }
                }
                (share::whatsapp_link(lang, &share_text))
            }
            div {
                (super::checkout::render_form(lang, view, form, errors))
            }
        }
    };
    let head = Head {
        description: Some(summary_of(lang, view, &price)),
        share: Some(OpenGraph {
            kind: "product",
            title: format!("{} — {price} / {}", p.name, p.unit),
            description: summary_of(lang, view, &price),
            url,
            image: view
                .photos
                .first()
                .map(|h| format!("{}/foto/{h}/640", view.base_url)),
            price: Some(min),
        }),
    };
    page_with(lang, &p.name, &format!("/p/{}", p.id), &head, content)
}

/// A product in a sentence or two, for search engines and link previews.
fn summary_of(lang: Lang, view: &ProductView, price: &str) -> String {
    let p = &view.product;
    let mut text = format!(
        "{price} / {} · {} {}",
        p.unit,
        t(lang, "dari", "from"),
        view.producer_name
    );
    if !view.regency.is_empty() {
        text.push_str(&format!(", {}", view.regency));
    }
    let description: String = p
        .description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !description.is_empty() {
        text.push_str(". ");
        text.extend(description.chars().take(150));
        if description.chars().count() > 150 {
            text.push('…');
        }
    }
    text
}
