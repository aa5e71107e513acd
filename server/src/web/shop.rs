//! A producer's shop, `/toko/<producer>`: every listed product of one producer who consented
//! to publication, newest first, with the shop's Open Graph card and a "Bagikan ke WhatsApp"
//! link, so a producer can send one link for everything they sell. Never their phone or
//! address.

use super::catalogue::PAGE_SIZE;
use super::catalogue_cards::{allow_card_script, grid};
use super::head::{Head, OpenGraph};
use super::{Lang, chosen, error_page, lang_of, page_with, respond, share, t};
use crate::error::ApiError;
use crate::replica::refused;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::catalogue::ProductStatus;
use sentra_core::catalogue::listing::{ProductQuery, ProductSummary, Sort};
use sentra_core::organisations::Organisation;
use sentra_core::{Id, regions};
use serde::Deserialize;

/// The shop's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/toko/{producer}", get(shop_page))
}

#[derive(Debug, Default, Deserialize)]
struct ShopQuery {
    #[serde(default)]
    hal: String,
    lang: Option<String>,
}

struct Shop {
    id: Id,
    name: String,
    regency: String,
    organisations: Vec<Organisation>,
    products: Vec<ProductSummary>,
    total: u64,
    more: bool,
}

/// The shop of a consenting producer; `NotFound` for anyone else. Blocks.
fn shop_of(state: &AppState, producer: &str, page_no: u32) -> Result<Shop, ApiError> {
    let id: Id = producer.trim().parse().map_err(|_| ApiError::NotFound)?;
    let replica = state.replica()?;
    let core = replica.core();
    let producer = match core.producer(id) {
        Ok(p) if p.consent_publish => p,
        Ok(_) => return Err(ApiError::NotFound),
        Err(err) => return Err(refused(err)),
    };
    let query = ProductQuery {
        producer_id: Some(id),
        status: Some(ProductStatus::Listed),
        published_only: true,
        sort: Sort::Newest,
        offset: (page_no - 1) * PAGE_SIZE,
        limit: PAGE_SIZE + 1,
        ..Default::default()
    };
    let mut products = core.list_products(&query).map_err(refused)?;
    let more = products.len() > PAGE_SIZE as usize;
    products.truncate(PAGE_SIZE as usize);
    Ok(Shop {
        id,
        total: core.count_products(&query).map_err(refused)?,
        regency: regions::regency_of(&producer.region_code)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        organisations: core.organisations_of(id).map_err(refused)?,
        name: producer.business_name,
        products,
        more,
    })
}

async fn shop_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(producer): Path<String>,
    Query(q): Query<ShopQuery>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let base_url = share::base_url(&state, &headers);
    let page_no = q.hal.trim().parse::<u32>().unwrap_or(1).clamp(1, 1000);
    match blocking(move || shop_of(&state, &producer, page_no)).await {
        Ok(shop) => allow_card_script(respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            render(lang, &shop, page_no, &base_url),
        )),
        Err(err) => error_page(lang, &err),
    }
}

fn render(lang: Lang, shop: &Shop, page_no: u32, base_url: &str) -> Markup {
    let path = format!("/toko/{}", shop.id);
    let url = format!("{base_url}{path}");
    let mut about = format!("{} {}", shop.total, t(lang, "produk", "products"));
    if !shop.regency.is_empty() {
        about.push_str(&format!(" · {}", shop.regency));
    }
    let content = html! {
        h1 { (shop.name) }
        p.muted {
            (about)
            @if !shop.organisations.is_empty() {
                br; (t(lang, "Anggota", "Member of")) ": "
                @for (i, o) in shop.organisations.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/koperasi/" (o.id) } { (o.name) }
                }
            }
        }
        (share::whatsapp_link(lang, &share::shop_text(lang, &shop.name, &url)))
        @if shop.products.is_empty() {
            p.notice { (t(lang, "Belum ada produk yang dijual.", "Nothing for sale yet.")) }
        }
        (grid(lang, &shop.products))
        nav.pages {
            @if page_no > 1 { a href={ (path) "?hal=" (page_no - 1) } rel="prev" { "← " (t(lang, "Sebelumnya", "Previous")) } }
            @if shop.more { a href={ (path) "?hal=" (page_no + 1) } rel="next" { (t(lang, "Berikutnya", "Next")) " →" } }
        }
    };
    let description = format!(
        "{} {} {about}",
        t(lang, "Produk dari", "Products from"),
        shop.name
    );
    let head = Head {
        description: Some(description.clone()),
        share: Some(OpenGraph {
            kind: "website",
            title: format!(
                "{} · {}",
                shop.name,
                t(lang, "Toko di Sentra", "Shop on Sentra")
            ),
            description,
            url,
            image: shop
                .products
                .iter()
                .find_map(|p| p.cover_photo.as_ref())
                .map(|h| format!("{base_url}/foto/{h}/640")),
            price: None,
        }),
    };
    let switch = if page_no > 1 {
        format!("{path}?hal={page_no}")
    } else {
        path.clone()
    };
    page_with(lang, &shop.name, &switch, &head, content)
}
