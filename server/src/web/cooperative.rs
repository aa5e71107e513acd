//! Cooperatives and clusters on the web: a public page per organisation with its members'
//! listed products and a bulk-order form (request for quotation), and, for the cooperative's
//! admin, the list of requests and the page that splits one into member orders.
//!
//! URLs: `/koperasi/{id}` (public), `POST /koperasi/{id}/pesan-partai` (a buyer's request);
//! the admin's pages, `/koperasi/{id}/permintaan` and `/koperasi/{id}/permintaan/{code}`, are
//! in `cooperative_admin.rs`.

use super::checkout::resolve_regency;
use super::order_status::{status_label, wib};
use super::{Lang, chosen, error_page, lang_of, page, respond, rupiah, t};
use crate::bulk::{self, Bulk, BulkRequest, Problem, Rollup};
use crate::error::ApiError;
use crate::replica::refused;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use sentra_core::catalogue::ProductStatus;
use sentra_core::catalogue::listing::{ProductQuery, Sort};
use sentra_core::orders::{Buyer, Order};
use sentra_core::organisations::{Organisation, OrganisationKind};
use sentra_core::{Id, regions};
use serde::Deserialize;

/// The cooperative pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/koperasi/{id}", get(public_page))
        .route("/koperasi/{id}/pesan-partai", post(request_bulk))
        .merge(super::cooperative_admin::routes())
}

#[derive(Debug, Deserialize)]
pub(super) struct LangOnly {
    pub(super) lang: Option<String>,
}

/// Members' listed products shown on a cooperative's page.
const PRODUCTS_SHOWN: u32 = 48;

struct OrgPage {
    organisation: Organisation,
    products: Vec<sentra_core::catalogue::listing::ProductSummary>,
}

pub(super) fn organisation(state: &AppState, id: &str) -> Result<Organisation, ApiError> {
    let id: Id = id.trim().parse().map_err(|_| ApiError::NotFound)?;
    state.replica()?.core().organisation(id).map_err(refused)
}

fn load_org(state: &AppState, id: &str) -> Result<OrgPage, ApiError> {
    let organisation = organisation(state, id)?;
    let products = state
        .replica()?
        .core()
        .list_products(&ProductQuery {
            organisation_id: Some(organisation.id),
            status: Some(ProductStatus::Listed),
            sort: Sort::Newest,
            limit: PRODUCTS_SHOWN,
            published_only: true,
            ..Default::default()
        })
        .map_err(refused)?;
    Ok(OrgPage {
        organisation,
        products,
    })
}

/// The bulk-order form as the buyer filled it in.
#[derive(Debug, Clone, Default)]
struct BulkForm {
    key: String,
    fields: std::collections::HashMap<String, String>,
}

impl BulkForm {
    fn fresh() -> BulkForm {
        BulkForm {
            key: Id::new().to_string(),
            fields: Default::default(),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

fn kind_label(lang: Lang, kind: OrganisationKind) -> &'static str {
    match kind {
        OrganisationKind::Cooperative => t(lang, "Koperasi", "Cooperative"),
        OrganisationKind::Cluster => t(lang, "Sentra/klaster", "Cluster"),
    }
}

pub(super) fn region_name(code: &str) -> String {
    regions::regency_of(code)
        .map(|r| r.name.clone())
        .or_else(|| regions::province(code).map(|p| p.name.clone()))
        .unwrap_or_default()
}

fn render_org(lang: Lang, org: &OrgPage, form: &BulkForm, problems: &[(String, String)]) -> Markup {
    let o = &org.organisation;
    let error = |field: &str| {
        problems
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let input = |name: &'static str, label: &'static str, kind: &'static str| {
        let error = error(name);
        html! {
            div.field {
                label for=(name) { (label) }
                @if kind == "textarea" {
                    textarea id=(name) name=(name) rows="2" { (form.get(name)) }
                } @else {
                    input id=(name) name=(name) type=(kind) value=(form.get(name)) aria-invalid=[error.as_ref().map(|_| "true")];
                }
                @if let Some(message) = error { p.error role="alert" { (message) } }
            }
        }
    };
    let content = html! {
        h1 { (o.name) }
        p.muted { (kind_label(lang, o.kind)) " · " (region_name(&o.region_code)) " · "
            (o.members.len()) " " (t(lang, "anggota", "members")) }
        h2 { (t(lang, "Produk anggota", "Members' products")) }
        @if org.products.is_empty() {
            p.notice { (t(lang, "Belum ada produk yang dijual.", "No products listed yet.")) }
        }
        ul.grid {
            @for (i, p) in org.products.iter().enumerate() {
                li.card { a href={ "/p/" (p.id) } {
                    @if let Some(thumb) = &p.cover_thumb {
                        img src={ "/foto/" (thumb) } alt=(p.name) width="320" height="320" loading=(if i < 4 { "eager" } else { "lazy" });
                    } @else { span.noimg {} }
                    div { strong { (p.name) } br; span.price { (rupiah(p.min_price)) } span.muted { " / " (p.unit) } }
                } }
            }
        }
        h2 id="partai" { (t(lang, "Pesan partai besar / minta penawaran", "Bulk order / request a quotation")) }
        p.muted { (t(lang, "Koperasi membagi pesanan Anda ke anggota. Anda memantau satu kode pesanan.",
            "The cooperative splits your order among its members. You follow one order code.")) }
        @if !problems.is_empty() {
            p.error role="alert" { (t(lang, "Periksa isian yang ditandai di bawah.", "Check the marked fields below.")) }
        }
        form method="post" action={ "/koperasi/" (o.id) "/pesan-partai#partai" } novalidate {
            input type="hidden" name="key" value=(form.key);
            (input("permintaan", t(lang, "Yang dibutuhkan", "What you need"), "textarea"))
            (input("jumlah", t(lang, "Jumlah", "Quantity"), "number"))
            (input("satuan", t(lang, "Satuan (kg, pasang, pcs)", "Unit (kg, pairs, pcs)"), "text"))
            (input("nama", t(lang, "Nama pemesan / instansi", "Your name or organisation"), "text"))
            (input("hp", t(lang, "Nomor HP (WhatsApp)", "Phone (WhatsApp)"), "tel"))
            (input("kabupaten", t(lang, "Kabupaten/kota tujuan", "Delivery regency or city"), "text"))
            (input("alamat", t(lang, "Alamat pengiriman", "Delivery address"), "textarea"))
            (input("catatan", t(lang, "Catatan (tanggal kirim, mutu, pembayaran)", "Note (date, quality, payment)"), "textarea"))
            p { button type="submit" { (t(lang, "Kirim permintaan", "Send request")) } }
        }
    };
    page(lang, &o.name, &format!("/koperasi/{}", o.id), content)
}

async fn public_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangOnly>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    match blocking(move || load_org(&state, &id)).await {
        Ok(org) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            render_org(lang, &org, &BulkForm::fresh(), &[]),
        ),
        Err(err) => error_page(lang, &err),
    }
}

/// Why a typed delivery regency was not taken, as the product page's order form says it:
/// required, unknown, or a choice between the places the name fits ("Semarang" is both
/// Kabupaten Semarang and Kota Semarang).
fn regency_problem(lang: Lang, typed: &str, candidates: &[&regions::Regency]) -> String {
    if typed.trim().is_empty() {
        t(lang, "Wajib diisi.", "Required.").to_owned()
    } else if candidates.is_empty() {
        t(
            lang,
            "Kabupaten/kota tidak dikenal. Tulis namanya, mis. Banyumas.",
            "Unknown regency or city. Type its name, e.g. Banyumas.",
        )
        .to_owned()
    } else {
        let names: Vec<&str> = candidates.iter().map(|r| r.name.as_str()).collect();
        format!(
            "{} {}",
            t(lang, "Pilih salah satu:", "Choose one:"),
            names.join(", ")
        )
    }
}

fn problem_messages(lang: Lang, problems: &[Problem]) -> Vec<(String, String)> {
    problems
        .iter()
        .map(|p| (p.field.to_owned(), p.message(lang).to_owned()))
        .collect()
}

async fn request_bulk(
    State(state): State<AppState>,
    client: crate::limits::ClientAddress,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangOnly>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let mut form = BulkForm::default();
    for (name, value) in fields {
        if name == "key" {
            form.key = value;
        } else {
            form.fields.insert(name, value);
        }
    }
    let outcome = blocking(move || {
        let org = load_org(&state, &id)?;
        let mut problems = Vec::new();
        let regency_code = match resolve_regency(form.get("kabupaten")) {
            Ok(code) => code,
            Err(candidates) => {
                problems.push((
                    "kabupaten".to_owned(),
                    regency_problem(lang, form.get("kabupaten"), &candidates),
                ));
                String::new()
            }
        };
        let quantity = form.get("jumlah").trim().parse::<i64>().unwrap_or(0);
        let request = BulkRequest {
            buyer: Buyer {
                name: form.get("nama").to_owned(),
                phone: form.get("hp").to_owned(),
                regency_code,
                address: form.get("alamat").to_owned(),
            },
            request: form.get("permintaan").to_owned(),
            quantity,
            unit: form.get("satuan").to_owned(),
            note: form.get("catatan").to_owned(),
        };
        let request = match request.checked() {
            Ok(request) if problems.is_empty() => request,
            Ok(_) => return Ok(Err((org, form, problems))),
            Err(found) => {
                for (field, message) in problem_messages(lang, &found) {
                    if !problems.iter().any(|(f, _)| *f == field) {
                        problems.push((field, message));
                    }
                }
                return Ok(Err((org, form, problems)));
            }
        };
        crate::orders::limit_new_order(&state, client)?;
        match bulk::submit(&state, org.organisation.id, &form.key, request)? {
            Ok(made) => Ok(Ok(made.code)),
            Err(found) => {
                let problems = problem_messages(lang, &found);
                Ok(Err((org, form, problems)))
            }
        }
    })
    .await;
    match outcome {
        Ok(Ok(code)) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/pesanan/{code}/terima-kasih"))],
        )
            .into_response(),
        Ok(Err((org, form, problems))) => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            render_org(lang, &org, &form, &problems),
        ),
        Err(err) => error_page(lang, &err),
    }
}

/// The buyer's view of a bulk request on the status page: the rolled-up status and each
/// member's part.
pub fn render_bulk_status(lang: Lang, bulk: &Bulk, orders: &[Order], names: &[String]) -> Markup {
    let rolled = bulk::rollup(orders);
    html! {
        h2 { (t(lang, "Status", "Status")) ": " (rollup_label(lang, rolled)) }
        p { (bulk.request.request) " — " (bulk.request.quantity) " " (bulk.request.unit) }
        p.muted { (t(lang, "Diminta", "Requested")) " " (wib(bulk.created_at)) }
        @if !orders.is_empty() {
            table {
                thead { tr { th { (t(lang, "Anggota", "Member")) } th { (t(lang, "Status", "Status")) } th.n { (t(lang, "Total", "Total")) } } }
                tbody {
                    @for (order, name) in orders.iter().zip(names) {
                        tr {
                            td { (name) }
                            td {
                                (status_label(lang, order.status))
                                @if let (Some(courier), Some(tracking)) = (&order.courier, &order.tracking_no) {
                                    br; span.muted { (courier) " " (tracking) }
                                }
                            }
                            td.n.nw { (rupiah(order.total)) }
                        }
                    }
                }
            }
            p { (t(lang, "Total", "Total")) ": " span.price { (rupiah(orders.iter().map(|o| o.total).sum::<i64>())) } }
        }
    }
}

/// A roll-up's name for buyers.
pub fn rollup_label(lang: Lang, rollup: Rollup) -> &'static str {
    match rollup {
        Rollup::Waiting => t(
            lang,
            "Diterima koperasi, sedang dibagi ke anggota",
            "Received by the cooperative, being split among members",
        ),
        Rollup::Status(status) => status_label(lang, status),
        Rollup::Closed => t(lang, "Ditolak atau dibatalkan", "Rejected or cancelled"),
    }
}

/// The business names of the orders' producers, in the same order. Blocks.
pub fn producer_names(state: &AppState, orders: &[Order]) -> Result<Vec<String>, ApiError> {
    let replica = state.replica()?;
    orders
        .iter()
        .map(|o| {
            replica
                .core()
                .producer(o.producer_id)
                .map(|p| p.business_name)
                .map_err(refused)
        })
        .collect()
}

/// The names a buyer's status page shows for the orders' producers: the business name of one
/// who consented to publication, "a member" for one who did not. Blocks.
pub fn public_producer_names(
    state: &AppState,
    lang: Lang,
    orders: &[Order],
) -> Result<Vec<String>, ApiError> {
    let replica = state.replica()?;
    orders
        .iter()
        .map(|o| {
            let producer = replica.core().producer(o.producer_id).map_err(refused)?;
            Ok(if producer.consent_publish {
                producer.business_name
            } else {
                t(lang, "Anggota koperasi", "Cooperative member").to_owned()
            })
        })
        .collect()
}
