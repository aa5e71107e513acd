//! The order status page: the buyer types the order code and the last four digits of the phone
//! and sees where the order is, what it costs, and how to pay (a cooperative's `KOP-` code shows
//! its bulk request instead).

use super::catalogue::url_encode;
use super::{Lang, chosen, error_page, lang_of, page, respond, rupiah, t};
use crate::error::ApiError;
use crate::limits::ClientAddress as ClientAddr;
use crate::orders::{OrderView, buyer_view, limited_lookup};
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::orders::OrderStatus;
use serde::Deserialize;

/// The status page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/pesanan", get(status_page))
}

#[derive(Debug, Default, Deserialize)]
struct Lookup {
    #[serde(default)]
    kode: String,
    #[serde(default)]
    hp: String,
    lang: Option<String>,
}

/// A status's name for buyers.
pub fn status_label(lang: Lang, status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::New => t(
            lang,
            "Pesanan dibuat, menunggu penjual",
            "Placed, waiting for the seller",
        ),
        OrderStatus::Accepted => t(lang, "Diterima penjual", "Accepted by the seller"),
        OrderStatus::Shipped => t(lang, "Dikirim", "Shipped"),
        OrderStatus::Completed => t(lang, "Selesai", "Completed"),
        OrderStatus::Rejected => t(lang, "Ditolak penjual", "Rejected by the seller"),
        OrderStatus::Cancelled => t(lang, "Dibatalkan", "Cancelled"),
    }
}

/// A time as Indonesians in the west read it: `22/11/2026 14:05 WIB`.
pub fn wib(ms: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) else {
        return String::new();
    };
    let at = at.to_offset(time::macros::offset!(+7));
    format!(
        "{:02}/{:02}/{} {:02}:{:02} WIB",
        at.day(),
        u8::from(at.month()),
        at.year(),
        at.hour(),
        at.minute()
    )
}

fn render_view(lang: Lang, view: &OrderView) -> Markup {
    html! {
        h2 { (t(lang, "Status", "Status")) ": " (status_label(lang, view.status)) }
        ol.timeline {
            @for step in &view.timeline {
                li {
                    strong { (status_label(lang, step.status)) } " — " (wib(step.at))
                    @if step.status == OrderStatus::Shipped {
                        @if let (Some(courier), Some(tracking)) = (&view.courier, &view.tracking_no) {
                            br; (t(lang, "Kurir", "Courier")) ": " (courier) ", " (t(lang, "nomor resi", "tracking number")) ": " strong { (tracking) }
                        }
                    }
                    @if matches!(step.status, OrderStatus::Rejected | OrderStatus::Cancelled) {
                        @if let Some(reason) = &view.reason { br; (t(lang, "Alasan", "Reason")) ": " (reason) }
                    }
                }
            }
        }
        table.lines {
            thead { tr {
                th { (t(lang, "Barang", "Item")) }
                th.n { (t(lang, "Jumlah", "Quantity")) }
                th.n { (t(lang, "Subtotal", "Subtotal")) }
            } }
            tbody {
                @for line in &view.lines {
                    tr {
                        td { @if line.name.is_empty() { (t(lang, "(produk sudah dihapus)", "(product since deleted)")) } @else { (line.name) } }
                        td.n { (line.quantity) }
                        td.n.nw { (rupiah(line.unit_price.saturating_mul(line.quantity))) }
                    }
                }
            }
        }
        (super::selling::order_section(lang, view))
        p { (t(lang, "Total", "Total")) ": " span.price #total { (rupiah(view.total)) } }
    }
}

async fn status_page(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Query(lookup): Query<Lookup>,
) -> Response {
    let lang = lang_of(&headers, lookup.lang.as_deref());
    // Look up only when both are given: the confirmation page links here with the code alone,
    // and the buyer must not be told "not found" before typing the digits.
    let asked = !lookup.kode.trim().is_empty() && !lookup.hp.trim().is_empty();
    let (code, digits) = (lookup.kode.trim().to_owned(), lookup.hp.trim().to_owned());
    let found = if asked {
        let (c, d) = (code.clone(), digits.clone());
        Some(
            blocking(move || {
                let code = c.clone();
                limited_lookup(&state, client, &code, || {
                    // A cooperative's bulk request has its own code; it rolls up its members' orders.
                    if c.trim().to_ascii_uppercase().starts_with("KOP-") {
                        let (bulk, orders) = crate::bulk::find(&state, &c, &d)?;
                        let names =
                            super::cooperative::public_producer_names(&state, lang, &orders)?;
                        Ok(super::cooperative::render_bulk_status(
                            lang, &bulk, &orders, &names,
                        ))
                    } else {
                        buyer_view(&state, &c, &d).map(|view| render_view(lang, &view))
                    }
                })
            })
            .await,
        )
    } else {
        None
    };
    let (status, result) = match found {
        None => (StatusCode::OK, html! {}),
        Some(Ok(view)) => (StatusCode::OK, view),
        Some(Err(ApiError::NotFound)) => (
            StatusCode::NOT_FOUND,
            html! { p.notice role="alert" { (t(lang,
            "Pesanan tidak ditemukan. Periksa kode pesanan dan 4 angka terakhir nomor HP.",
            "No order found. Check the order code and the last 4 digits of the phone.")) } },
        ),
        Some(Err(err)) => return error_page(lang, &err),
    };
    let content = html! {
        h1 { (t(lang, "Cek status pesanan", "Track an order")) }
        form method="get" action="/pesanan" {
            div.field {
                label for="kode" { (t(lang, "Kode pesanan", "Order code")) }
                input id="kode" name="kode" value=(code) placeholder="SNT-XXXXXXXX" autocapitalize="characters" required;
            }
            div.field {
                label for="hp" { (t(lang, "4 angka terakhir nomor HP", "Last 4 digits of your phone")) }
                input id="hp" name="hp" value=(digits) inputmode="numeric" maxlength="4" pattern="[0-9]{4}" required;
            }
            p { button type="submit" { (t(lang, "Cek", "Check")) } }
        }
        (result)
    };
    // The language switch keeps the lookup, so the buyer sees the same order in the other
    // language.
    let here = if asked {
        format!(
            "/pesanan?kode={}&hp={}",
            url_encode(&code),
            url_encode(&digits)
        )
    } else {
        "/pesanan".to_owned()
    };
    respond(
        status,
        chosen(lookup.lang.as_deref()),
        page(
            lang,
            t(lang, "Cek status pesanan", "Track an order"),
            &here,
            content,
        ),
    )
}
