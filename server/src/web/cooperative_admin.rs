//! A cooperative's or cluster's admin on the web: the list of the organisation's bulk requests
//! and the page that splits one into member orders (each reaching that member's phone through
//! sync). The dashboard (`/dasbor`) links an admin to these pages.
//!
//! URLs (signed in, the organisation's admin or a Sentra admin): `/koperasi/{id}/permintaan`,
//! and `GET`/`POST /koperasi/{id}/permintaan/{code}`. After a split the admin lands on
//! `/koperasi/{id}/permintaan/{code}?dibagi=N`, which says N member orders were sent; once every
//! member with products has their part, no empty form is left to send.

use super::catalogue::url_encode;
use super::cooperative::{
    LangOnly, organisation, producer_names, region_name, render_bulk_status, rollup_label,
};
use super::order_status::wib;
use super::session::{WebSession, csrf_field, csrf_ok, forbidden, session_of, to_sign_in};
use super::{Lang, chosen, error_page, lang_of, page, respond, rupiah, t};
use crate::bulk::{self, Bulk};
use crate::error::ApiError;
use crate::replica::refused;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::catalogue::{Product, ProductStatus};
use sentra_core::orders::{NewOrderLine, Order};
use sentra_core::organisations::Organisation;
use sentra_core::{Id, Role};
use serde::Deserialize;

/// The admin pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/koperasi/{id}/permintaan", get(requests_page))
        .route(
            "/koperasi/{id}/permintaan/{code}",
            get(allocation_page).post(allocate),
        )
}

/// The allocation page's query: the language, and how many member orders were just sent.
#[derive(Debug, Deserialize)]
struct AllocationQuery {
    lang: Option<String>,
    dibagi: Option<usize>,
}

/// The signed-in admin of this organisation (or a system admin), or the response to send.
fn admin_of(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    id: &str,
    next: &str,
) -> Result<Result<(WebSession, Organisation), Response>, ApiError> {
    let Some(session) = session_of(state, headers)? else {
        return Ok(Err(to_sign_in(next)));
    };
    let organisation = organisation(state, id)?;
    let allowed = session.account.role == Role::Admin
        || (session.account.role == Role::CooperativeAdmin
            && organisation.admins.contains(&session.account.user_id));
    if !allowed {
        return Ok(Err(forbidden(lang, &session)));
    }
    Ok(Ok((session, organisation)))
}

async fn requests_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangOnly>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let next = format!("/koperasi/{id}/permintaan");
    let outcome = blocking(move || {
        let (session, organisation) = match admin_of(&state, &headers, lang, &id, &next)? {
            Ok(found) => found,
            Err(response) => return Ok(Err(response)),
        };
        let mut rows = Vec::new();
        for b in bulk::of_organisation(&state, organisation.id)? {
            let orders = bulk::allocations(&state, &b)?;
            rows.push((b, bulk::rollup(&orders)));
        }
        Ok(Ok((session, organisation, rows)))
    })
    .await;
    let (session, organisation, rows) = match outcome {
        Ok(Ok(found)) => found,
        Ok(Err(response)) => return response,
        Err(err) => return error_page(lang, &err),
    };
    let content = html! {
        p { a href="/dasbor" { "← " (t(lang, "Dasbor", "Dashboard")) } }
        h1 { (t(lang, "Permintaan partai besar", "Bulk requests")) " — " (organisation.name) }
        p { (super::session::sign_out_form(lang, &session)) }
        p { a href={ "/koperasi/" (organisation.id) "/anggota" } { (t(lang, "Kelola anggota", "Manage members")) } }
        @if rows.is_empty() { p.notice { (t(lang, "Belum ada permintaan.", "No requests yet.")) } }
        table {
            thead { tr { th { (t(lang, "Kode", "Code")) } th { (t(lang, "Permintaan", "Request")) } th { (t(lang, "Status", "Status")) } } }
            tbody {
                @for (b, rolled) in &rows {
                    tr {
                        td { a href={ "/koperasi/" (organisation.id) "/permintaan/" (b.code) } { (b.code) } }
                        td { (b.request.request) " — " (b.request.quantity) " " (b.request.unit) br; span.muted { (b.request.buyer.name) ", " (region_name(&b.request.buyer.regency_code)) } }
                        td { (rollup_label(lang, *rolled)) }
                    }
                }
            }
        }
    };
    respond(
        StatusCode::OK,
        chosen(q.lang.as_deref()),
        page(
            lang,
            t(lang, "Permintaan partai besar", "Bulk requests"),
            &format!("/koperasi/{}/permintaan", organisation.id),
            content,
        ),
    )
}

struct Allocation {
    session: WebSession,
    organisation: Organisation,
    bulk: Bulk,
    orders: Vec<Order>,
    names: Vec<String>,
    /// Each member with their listed products.
    members: Vec<(Id, String, Vec<Product>)>,
}

fn load_allocation(
    state: &AppState,
    session: WebSession,
    organisation: Organisation,
    code: &str,
) -> Result<Allocation, ApiError> {
    let bulk = bulk::by_code(state, code)?;
    if bulk.organisation != organisation.id {
        return Err(ApiError::NotFound);
    }
    let orders = bulk::allocations(state, &bulk)?;
    let names = producer_names(state, &orders)?;
    let replica = state.replica()?;
    let core = replica.core();
    let mut members = Vec::new();
    for member in &organisation.members {
        let name = core.producer(*member).map_err(refused)?.business_name;
        let listed = core
            .list_products(&ProductQuery {
                producer_id: Some(*member),
                status: Some(ProductStatus::Listed),
                limit: 50,
                ..Default::default()
            })
            .map_err(refused)?;
        let mut products = Vec::new();
        for summary in listed {
            products.push(core.product(summary.id).map_err(refused)?);
        }
        members.push((*member, name, products));
    }
    Ok(Allocation {
        session,
        organisation,
        bulk,
        orders,
        names,
        members,
    })
}

fn render_allocation(
    lang: Lang,
    a: &Allocation,
    problem: Option<&str>,
    sent: Option<usize>,
) -> Markup {
    let allocated: Vec<Id> = a.orders.iter().map(|o| o.producer_id).collect();
    // Members still to be given a part, with something to give them.
    let open = a.members.iter().any(|(member, _, products)| {
        !allocated.contains(member) && products.iter().any(|p| !p.variants.is_empty())
    });
    let b = &a.bulk;
    html! {
        p { a href={ "/koperasi/" (a.organisation.id) "/permintaan" } { "← " (t(lang, "Semua permintaan", "All requests")) } }
        @if let Some(count) = sent {
            p.notice role="status" {
                (t(lang, "Pesanan terkirim ke", "Orders sent to")) " " strong { (count) } " "
                (t(lang, "anggota. Mereka menerimanya di ponsel saat sinkronisasi berikutnya.",
                    "members. They get them on their phones at their next sync."))
            }
        }
        h1 { (b.code) }
        p { strong { (b.request.request) } " — " (b.request.quantity) " " (b.request.unit) }
        p.muted { (b.request.buyer.name) ", " (region_name(&b.request.buyer.regency_code)) " · " (wib(b.created_at)) }
        @if !b.request.note.is_empty() { p { (b.request.note) } }
        (render_bulk_status(lang, b, &a.orders, &a.names))
        h2 { (t(lang, "Bagi ke anggota", "Split among members")) }
        @if let Some(problem) = problem { p.error role="alert" { (problem) } }
        @if !open {
            p.muted { (t(lang,
                "Semua anggota yang punya produk sudah mendapat bagian; tidak ada lagi yang perlu dibagi.",
                "Every member with products has their part; there is nothing left to split.")) }
        } @else {
        form method="post" action={ "/koperasi/" (a.organisation.id) "/permintaan/" (url_encode(&b.code)) } {
            (csrf_field(&a.session))
            table {
                thead { tr { th { (t(lang, "Anggota / produk", "Member / product")) } th.n { (t(lang, "Harga", "Price")) } th.n { (t(lang, "Stok", "Stock")) } th.n { (t(lang, "Jumlah", "Quantity")) } } }
                tbody {
                    @for (member, name, products) in &a.members {
                        tr { th colspan="4" { (name) @if allocated.contains(member) { " — " (t(lang, "sudah dibagi", "already allocated")) } } }
                        @if !allocated.contains(member) {
                            @for p in products {
                                @for v in &p.variants {
                                    @let field = format!("alok_{}", v.id);
                                    tr {
                                        td { label for=(field) { (p.name) @let opts = v.options.iter().filter(|o| !o.is_empty()).cloned().collect::<Vec<_>>().join(" / "); @if !opts.is_empty() { " (" (opts) ")" } } }
                                        td.n.nw { (rupiah(v.effective_price)) }
                                        td.n { (v.stock) }
                                        td.n { input id=(field) name=(field) type="number" min="0" step="1" style="width:6rem"; }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { button type="submit" { (t(lang, "Kirim pesanan ke anggota", "Send orders to members")) } }
        }
        }
    }
}

async fn allocation_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
    Query(q): Query<AllocationQuery>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let next = format!("/koperasi/{id}/permintaan/{code}");
    let outcome = blocking(move || {
        let (session, organisation) = match admin_of(&state, &headers, lang, &id, &next)? {
            Ok(found) => found,
            Err(response) => return Ok(Err(response)),
        };
        load_allocation(&state, session, organisation, &code).map(Ok)
    })
    .await;
    match outcome {
        Ok(Ok(a)) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            page(
                lang,
                &a.bulk.code,
                &format!("/koperasi/{}/permintaan/{}", a.organisation.id, a.bulk.code),
                render_allocation(lang, &a, None, q.dibagi),
            ),
        ),
        Ok(Err(response)) => response,
        Err(err) => error_page(lang, &err),
    }
}

async fn allocate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
    Query(q): Query<LangOnly>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let next = format!("/koperasi/{id}/permintaan/{code}");
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if !csrf_ok(&headers, &csrf) {
        return error_page(lang, &ApiError::BadBody);
    }
    let outcome = blocking(move || {
        let (session, organisation) = match admin_of(&state, &headers, lang, &id, &next)? {
            Ok(found) => found,
            Err(response) => return Ok(Err(response)),
        };
        let a = load_allocation(&state, session, organisation, &code)?;
        // Quantities per variant, grouped by the member whose product it is.
        let mut per_member: Vec<(Id, Vec<NewOrderLine>)> = Vec::new();
        let mut bad = false;
        for (member, _, products) in &a.members {
            let mut lines = Vec::new();
            for v in products.iter().flat_map(|p| &p.variants) {
                let typed = fields
                    .iter()
                    .find(|(k, _)| *k == format!("alok_{}", v.id))
                    .map(|(_, q)| q.trim())
                    .unwrap_or("");
                match typed.parse::<i64>() {
                    _ if typed.is_empty() => {}
                    Ok(0) => {}
                    Ok(quantity) if quantity > 0 => lines.push(NewOrderLine {
                        variant_id: v.id.to_string(),
                        quantity,
                    }),
                    _ => bad = true,
                }
            }
            if !lines.is_empty() {
                per_member.push((*member, lines));
            }
        }
        let problem = if bad {
            Some(t(lang, "Jumlah harus angka positif.", "Quantities must be positive numbers."))
        } else if per_member.is_empty() {
            Some(t(lang, "Isi jumlah untuk setidaknya satu anggota.", "Enter a quantity for at least one member."))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Ok(Ok(Err((a, problem))));
        }
        match bulk::allocate(&state, &a.bulk, &per_member) {
            Ok(made) => Ok(Ok(Ok(format!(
                "/koperasi/{}/permintaan/{}?dibagi={}",
                a.organisation.id,
                a.bulk.code,
                made.len()
            )))),
            Err(ApiError::Refused(_)) => Ok(Ok(Err((a, t(lang,
                "Pesanan tidak dapat dibuat: periksa jumlah dan minimal pesan tiap produk.",
                "The orders could not be made: check the quantities and each product's minimum order."))))),
            Err(err) => Err(err),
        }
    })
    .await;
    match outcome {
        Ok(Ok(Ok(location))) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
        }
        Ok(Ok(Err((a, problem)))) => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            page(
                lang,
                &a.bulk.code,
                "/",
                render_allocation(lang, &a, Some(problem), None),
            ),
        ),
        Ok(Err(response)) => response,
        Err(err) => error_page(lang, &err),
    }
}
