//! Cooperatives and clusters on the web: a public page per organisation with its members'
//! listed products and a bulk-order form (request for quotation), and, for the cooperative's
//! admin, the list of requests and the page that splits one into member orders.
//!
//! URLs: `/koperasi/{id}` (public), `POST /koperasi/{id}/pesan-partai` (a buyer's request),
//! `/koperasi/{id}/permintaan` and `/koperasi/{id}/permintaan/{code}` (admin, signed in; the
//! dashboard `/dasbor` links an admin to their organisations' requests). After a split the
//! admin lands on `/koperasi/{id}/permintaan/{code}?dibagi=N`, which says N orders were sent.

use super::catalogue::url_encode;
use super::checkout::{resolve_regency, status_label, wib};
use super::session::{WebSession, csrf_field, csrf_ok, forbidden, session_of, to_sign_in};
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
use sentra_core::catalogue::listing::{ProductQuery, Sort};
use sentra_core::catalogue::{Product, ProductStatus};
use sentra_core::orders::{Buyer, NewOrderLine, Order};
use sentra_core::organisations::{Organisation, OrganisationKind};
use sentra_core::{Id, Role, regions};
use serde::Deserialize;

/// The cooperative pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/koperasi/{id}", get(public_page))
        .route("/koperasi/{id}/pesan-partai", post(request_bulk))
        .route("/koperasi/{id}/permintaan", get(requests_page))
        .route(
            "/koperasi/{id}/permintaan/{code}",
            get(allocation_page).post(allocate),
        )
}

#[derive(Debug, Deserialize)]
struct LangOnly {
    lang: Option<String>,
}

/// The allocation page's query: the language, and how many member orders were just sent.
#[derive(Debug, Deserialize)]
struct AllocationQuery {
    lang: Option<String>,
    dibagi: Option<usize>,
}

/// Members' listed products shown on a cooperative's page.
const PRODUCTS_SHOWN: u32 = 48;

struct OrgPage {
    organisation: Organisation,
    products: Vec<sentra_core::catalogue::listing::ProductSummary>,
}

fn organisation(state: &AppState, id: &str) -> Result<Organisation, ApiError> {
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

fn region_name(code: &str) -> String {
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
