//! The buyers' catalogue: newest products and full-text search with filters, a page per
//! product, and the public photos of listed products.

use super::{Lang, chosen, error_page, lang_of, page, respond, rupiah, t};
use crate::error::ApiError;
use crate::replica::refused;
use crate::{AppState, blocking, photos};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
        .route("/foto/{hash}", get(photo))
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
        sort: Sort::Newest,
        offset,
        limit: PAGE_SIZE + 1,
        published_only: true,
        ..Default::default()
    }
}

struct Listing {
    products: Vec<ProductSummary>,
    more: bool,
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
        Ok(Listing {
            products,
            more,
            organisations: core.organisations().map_err(refused)?,
            categories: core.listed_categories().map_err(refused)?,
        })
    })
    .await;
    match listed {
        Ok(listing) => respond(
            StatusCode::OK,
            chosen(browse.lang.as_deref()),
            render_catalogue(lang, &browse, page_no, &listing),
        ),
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

fn price_range(min: i64, max: i64) -> String {
    if min == max {
        rupiah(min)
    } else {
        format!("{} – {}", rupiah(min), rupiah(max))
    }
}

fn render_catalogue(lang: Lang, browse: &Browse, page_no: u32, listing: &Listing) -> Markup {
    let title = if browse.q.trim().is_empty() {
        t(lang, "Produk terbaru", "Newest products").to_owned()
    } else {
        format!(
            "{} “{}”",
            t(lang, "Hasil pencarian", "Results for"),
            browse.q.trim()
        )
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
            button type="submit" { (t(lang, "Cari", "Search")) }
        }
        h1 { (title) }
        @if listing.products.is_empty() {
            p.notice { (t(lang, "Belum ada produk yang cocok. Coba kata lain atau hapus filter.",
                "No products match yet. Try other words or clear the filters.")) }
        }
        ul.grid {
            @for (i, p) in listing.products.iter().enumerate() {
                li.card {
                    a href={ "/p/" (p.id) } {
                        @if let Some(thumb) = &p.cover_thumb {
                            // The first row loads at once; the rest only when scrolled to.
                            img src={ "/foto/" (thumb) } alt=(p.name) width="320" height="320"
                                loading=(if i < 4 { "eager" } else { "lazy" }) decoding="async";
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
    page(lang, &title, &link_with_page(browse, page_no), content)
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
    match blocking(move || product_view(&state, &id)).await {
        Ok(view) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            render_product(lang, &view, &super::checkout::OrderForm::fresh(), &[]),
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
    let content = html! {
        @if !view.photos.is_empty() {
            div.photos {
                @for (i, hash) in view.photos.iter().enumerate() {
                    img src={ "/foto/" (hash) } alt=(p.name) loading=(if i == 0 { "eager" } else { "lazy" }) decoding="async";
                }
            }
        }
        div.two {
            div {
                h1 { (p.name) }
                p { span.price { (price_range(min, max)) } span.muted { " / " (p.unit) } }
                p.muted {
                    (t(lang, "Minimal pesan", "Minimum order")) ": " (p.min_order) " " (p.unit)
                    @if p.weight_g > 0 { " · " (t(lang, "Berat", "Weight")) ": " (p.weight_g) " g" }
                }
                p { (p.description) }
                p {
                    (t(lang, "Dibuat oleh", "Made by")) " " strong { (view.producer_name) }
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
            }
            div {
                (super::checkout::render_form(lang, view, form, errors))
            }
        }
    };
    page(lang, &p.name, &format!("/p/{}", p.id), content)
}

/// A photo of a listed product, by content hash: cached for a year (a hash never changes its
/// bytes) with its hash as the ETag. Photos of anything else are not public.
async fn photo(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    photos::check_hash(&hash)?;
    let etag = format!("\"{hash}\"");
    let (for_check, blobs) = (hash.clone(), state.blobs.clone());
    let public = blocking(move || {
        // The page that links the photo refreshed the replica; no pull per image.
        state
            .replica_as_is()?
            .core()
            .photo_is_public(&for_check)
            .map_err(refused)
    })
    .await?;
    if !public {
        return Err(ApiError::PhotoNotFound);
    }
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let bytes =
        blocking(move || photos::read(&*blobs, &hash)?.ok_or(ApiError::PhotoNotFound)).await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    Ok(response)
}
