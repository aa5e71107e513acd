//! Ordering from the storefront: the order form on a product's page, the confirmation with the
//! order code, and the status page reached with the code and the phone's last four digits.

use super::catalogue::{ProductView, product_view, render_product, url_encode};
use super::{Lang, chosen, error_page, lang_of, page, respond, rupiah, t};
use crate::error::ApiError;
use crate::limits::ClientAddress as ClientAddr;
use crate::orders::{OrderRequest, buyer_view, limited_lookup, place_order_choosing};
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use sentra_core::orders::{Buyer, NewOrderLine};
use sentra_core::{Id, regions};
use serde::Deserialize;

/// The checkout's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/p/{id}/pesan", post(submit))
        .route("/pesanan/{code}/terima-kasih", get(thanks))
}

/// The order form as the buyer filled it in.
#[derive(Debug, Clone, Default)]
pub struct OrderForm {
    /// The submission key: a second submit of the same form makes no second order.
    pub key: String,
    /// Buyer's name.
    pub name: String,
    /// Buyer's phone.
    pub phone: String,
    /// Delivery regency, as typed (a name or a 4-digit code).
    pub regency: String,
    /// Delivery address.
    pub address: String,
    /// A note for the producer.
    pub note: String,
    /// Quantity per variant, as typed.
    pub quantities: Vec<(String, String)>,
    /// The delivery chosen (`pickup`, `courier`).
    pub delivery: String,
    /// The payment chosen (`bank_transfer`, `qris`, `cod`).
    pub payment: String,
}

impl OrderForm {
    /// An empty form with a new submission key.
    pub fn fresh() -> OrderForm {
        OrderForm {
            key: Id::new().to_string(),
            ..OrderForm::default()
        }
    }

    /// Reads a submitted form; unknown fields are ignored, and a field given twice keeps the
    /// last value.
    pub fn parse(fields: &[(String, String)]) -> OrderForm {
        let mut form = OrderForm::default();
        for (name, value) in fields {
            let value = value.clone();
            match name.as_str() {
                "key" => form.key = value,
                "nama" => form.name = value,
                "hp" => form.phone = value,
                "kabupaten" => form.regency = value,
                "alamat" => form.address = value,
                "catatan" => form.note = value,
                "pengiriman" => form.delivery = value,
                "pembayaran" => form.payment = value,
                other => {
                    if let Some(variant) = other.strip_prefix("jumlah_") {
                        form.quantities.retain(|(v, _)| v != variant);
                        form.quantities.push((variant.to_owned(), value));
                    }
                }
            }
        }
        form
    }

    fn quantity_of(&self, variant: Id) -> &str {
        let id = variant.to_string();
        self.quantities
            .iter()
            .find(|(v, _)| *v == id)
            .map(|(_, q)| q.as_str())
            .unwrap_or("")
    }
}

/// A form field and the message shown under it.
type FieldMessage = (String, String);

/// The delivery regency a buyer typed: a 4-digit code, or a name (with or without "Kabupaten"
/// or "Kota") that names exactly one regency.
pub fn resolve_regency(typed: &str) -> Result<String, Vec<&'static regions::Regency>> {
    let typed = typed.trim();
    if typed.len() == 4
        && typed.bytes().all(|b| b.is_ascii_digit())
        && let Some(regency) = regions::regency(typed)
    {
        return Ok(regency.code.clone());
    }
    let matches = regions::search_regencies(typed, 8);
    let exact: Vec<&regions::Regency> = matches
        .iter()
        .copied()
        .filter(|r| {
            let name = r.name.to_lowercase();
            let bare = name
                .strip_prefix("kabupaten ")
                .or_else(|| name.strip_prefix("kota "))
                .unwrap_or(&name);
            let typed = typed.to_lowercase();
            name == typed || bare == typed
        })
        .collect();
    match (exact.as_slice(), matches.as_slice()) {
        ([one], _) | ([], [one]) => Ok(one.code.clone()),
        (more, _) if more.len() > 1 => Err(more.to_vec()),
        _ => Err(matches),
    }
}

/// Turns the form into an order request, or says which fields are wrong.
fn to_request(
    lang: Lang,
    view: &ProductView,
    form: &OrderForm,
) -> Result<OrderRequest, Vec<FieldMessage>> {
    let mut errors: Vec<FieldMessage> = Vec::new();
    let mut lines = Vec::new();
    for variant in &view.product.variants {
        let typed = form.quantity_of(variant.id).trim();
        if typed.is_empty() {
            continue;
        }
        match typed.parse::<i64>() {
            Ok(0) => {}
            Ok(negative) if negative < 0 => errors.push((
                format!("jumlah_{}", variant.id),
                t(
                    lang,
                    "Jumlah tidak boleh negatif.",
                    "A quantity cannot be negative.",
                )
                .to_owned(),
            )),
            Ok(quantity) => lines.push(NewOrderLine {
                variant_id: variant.id.to_string(),
                quantity,
            }),
            Err(_) => errors.push((
                format!("jumlah_{}", variant.id),
                t(lang, "Isi dengan angka, mis. 2.", "Enter a number, e.g. 2.").to_owned(),
            )),
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push((
            "jumlah".to_owned(),
            t(
                lang,
                "Isi jumlah minimal 1 untuk setidaknya satu varian.",
                "Enter a quantity of at least 1 for at least one variant.",
            )
            .to_owned(),
        ));
    }
    let regency_code = match resolve_regency(&form.regency) {
        Ok(code) => code,
        Err(candidates) => {
            let message = if form.regency.trim().is_empty() {
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
            };
            errors.push(("kabupaten".to_owned(), message));
            String::new()
        }
    };
    // The core checks everything again when the order is placed; these checks only let the
    // buyer see every problem at once.
    for (name, value) in [
        ("nama", &form.name),
        ("hp", &form.phone),
        ("alamat", &form.address),
    ] {
        if value.trim().is_empty() {
            errors.push((
                name.to_owned(),
                t(lang, "Wajib diisi.", "Required.").to_owned(),
            ));
        }
    }
    if !form.phone.trim().is_empty() && sentra_core::normalise_phone(&form.phone).is_none() {
        errors.push((
            "hp".to_owned(),
            sentra_core::Rule::Phone.message(lang).to_owned(),
        ));
    }
    errors.extend(super::selling::choice_errors(
        lang,
        &view.selling,
        &form.delivery,
        &form.payment,
    ));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrderRequest {
        key: form.key.clone(),
        producer_id: view.product.producer_id.to_string(),
        buyer: Buyer {
            name: form.name.clone(),
            phone: form.phone.clone(),
            regency_code,
            address: form.address.clone(),
        },
        note: form.note.clone(),
        lines,
    })
}

/// The form field a core validation error names.
fn form_field(field: &str) -> &'static str {
    match field {
        "buyer.name" => "nama",
        "buyer.phone" => "hp",
        "buyer.regency_code" => "kabupaten",
        "buyer.address" => "alamat",
        "note" => "catatan",
        "delivery" | "delivery_fee" => "pengiriman",
        "payment" => "pembayaran",
        _ => "jumlah",
    }
}

fn core_errors(lang: Lang, view: &ProductView, err: &sentra_core::Error) -> Vec<FieldMessage> {
    err.fields()
        .iter()
        .map(|f| {
            let field = form_field(f.field);
            let message = match (f.field, f.rule) {
                ("lines.quantity", sentra_core::Rule::OutOfRange) => format!(
                    "{} {} {}.",
                    t(
                        lang,
                        "Jumlah harus positif dan memenuhi minimal pesan",
                        "Quantities must be positive and meet the minimum order of"
                    ),
                    view.product.min_order,
                    view.product.unit
                ),
                ("delivery" | "payment", rule) => {
                    super::selling::choice_message(lang, f.field, rule).to_owned()
                }
                ("lines.variant_id", _) => t(
                    lang,
                    "Produk ini tidak dapat dipesan saat ini.",
                    "This product cannot be ordered right now.",
                )
                .to_owned(),
                (_, rule) => rule.message(lang).to_owned(),
            };
            (field.to_owned(), message)
        })
        .collect()
}

fn error_for<'a>(errors: &'a [FieldMessage], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

/// The id of the field an error is about, for the summary's links: the quantity of the
/// first variant for an error about the quantities as a whole.
fn field_id(view: &ProductView, field: &str) -> String {
    match (field, view.product.variants.first()) {
        ("jumlah", Some(first)) => format!("jumlah_{}", first.id),
        _ => field.to_owned(),
    }
}

/// Where a field sits in the form, for listing its errors in the order the buyer meets them.
fn form_position(view: &ProductView, field: &str) -> usize {
    let variants = view.product.variants.len();
    match field {
        "jumlah" => variants,
        "nama" => variants + 1,
        "hp" => variants + 2,
        "kabupaten" => variants + 3,
        "alamat" => variants + 4,
        "catatan" => variants + 5,
        other => view
            .product
            .variants
            .iter()
            .position(|v| other.strip_prefix("jumlah_") == Some(v.id.to_string().as_str()))
            .unwrap_or(variants),
    }
}

/// A field's label, for the summary of errors.
fn field_label(lang: Lang, view: &ProductView, field: &str) -> String {
    match field {
        "nama" => t(lang, "Nama pemesan", "Your name").to_owned(),
        "hp" => t(lang, "Nomor HP (WhatsApp)", "Phone (WhatsApp)").to_owned(),
        "kabupaten" => t(lang, "Kabupaten/kota tujuan", "Delivery regency or city").to_owned(),
        "alamat" => t(lang, "Alamat pengiriman", "Delivery address").to_owned(),
        "catatan" => t(lang, "Catatan untuk penjual", "Note for the seller").to_owned(),
        other => {
            let variant = other.strip_prefix("jumlah_").and_then(|id| {
                view.product
                    .variants
                    .iter()
                    .find(|v| v.id.to_string() == id)
            });
            match variant.map(variant_label) {
                Some(label) if !label.is_empty() => {
                    format!("{} {label}", t(lang, "Jumlah", "Quantity"))
                }
                _ => t(lang, "Jumlah", "Quantity").to_owned(),
            }
        }
    }
}

/// A variant's options, as a buyer reads them ("L / Merah"); empty for a product's only
/// variant.
fn variant_label(v: &sentra_core::catalogue::Variant) -> String {
    v.options
        .iter()
        .filter(|o| !o.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The order form on a product's page. After a refused submission it opens with a summary of
/// the errors, focused (`autofocus`, so the browser scrolls to it without any script), each a
/// link to its field: the buyer lands on what to fix, not at the top of a page that looks
/// unchanged.
pub fn render_form(
    lang: Lang,
    view: &ProductView,
    form: &OrderForm,
    errors: &[FieldMessage],
) -> Markup {
    let p = &view.product;
    let field = |name: &'static str,
                 label: &'static str,
                 value: &str,
                 kind: &'static str,
                 autocomplete: &'static str| {
        let error = error_for(errors, name);
        html! {
            div.field {
                label for=(name) { (label) }
                @if kind == "textarea" {
                    textarea id=(name) name=(name) rows="2" aria-invalid=[error.map(|_| "true")] { (value) }
                } @else {
                    input id=(name) name=(name) type=(kind) value=(value) autocomplete=(autocomplete)
                        required[name != "catatan"] aria-invalid=[error.map(|_| "true")];
                }
                @if let Some(message) = error { p.error role="alert" { (message) } }
            }
        }
    };
    // The tiers name the column ("Ukuran / Warna"); a product without tiers has one variant,
    // ordered by a single quantity field, so its (possibly long) name is not repeated.
    let tiers: Vec<&str> = p
        .tiers
        .iter()
        .map(String::as_str)
        .filter(|t| !t.is_empty())
        .collect();
    let single = p.variants.len() == 1 && p.variants.iter().all(|v| variant_label(v).is_empty());
    let mut in_form_order: Vec<&FieldMessage> = errors.iter().collect();
    in_form_order.sort_by_key(|(name, _)| form_position(view, name));
    html! {
        form method="post" action={ "/p/" (p.id) "/pesan" } novalidate {
            h2 { (t(lang, "Pesan produk ini", "Order this product")) }
            @if !errors.is_empty() {
                div.summary id="kesalahan" tabindex="-1" autofocus role="alert" aria-labelledby="kesalahan-judul" {
                    p.error id="kesalahan-judul" { strong { (t(lang, "Pesanan belum terkirim. Periksa isian yang ditandai di bawah.", "The order was not sent. Check the marked fields below.")) } }
                    ul {
                        @for (name, message) in in_form_order {
                            li { a href={ "#" (field_id(view, name)) } { (field_label(lang, view, name)) ": " (message) } }
                        }
                    }
                }
            }
            input type="hidden" name="key" value=(form.key);
            @if single {
                @for v in &p.variants {
                    @let name = format!("jumlah_{}", v.id);
                    div.field {
                        label for=(name) { (t(lang, "Jumlah", "Quantity")) " (" (p.unit) ")" }
                        p.muted {
                            (rupiah(v.effective_price)) " / " (p.unit) " · "
                            @if v.stock > 0 { (t(lang, "Stok", "Stock")) ": " (v.stock) } @else { (t(lang, "Habis", "Sold out")) }
                        }
                        input id=(name) name=(name) type="number" inputmode="numeric" min="0" step="1"
                            style="width:7rem" value=(form.quantity_of(v.id)) aria-invalid=[error_for(errors, &name).map(|_| "true")];
                        @if let Some(message) = error_for(errors, &name) { p.error { (message) } }
                    }
                }
            } @else {
                table {
                    thead { tr {
                        th { @if tiers.is_empty() { (t(lang, "Varian", "Variant")) } @else { (tiers.join(" / ")) } }
                        th.n { (t(lang, "Harga", "Price")) }
                        th.n { (t(lang, "Stok", "Stock")) }
                        th.n { (t(lang, "Jumlah", "Quantity")) }
                    } }
                    tbody {
                        @for v in &p.variants {
                            @let name = format!("jumlah_{}", v.id);
                            @let label = variant_label(v);
                            tr {
                                td { label for=(name) { @if label.is_empty() { (p.name) } @else { (label) } } }
                                td.n.nw { (rupiah(v.effective_price)) }
                                td.n {
                                    @if v.stock > 0 { (v.stock) } @else { span.muted { (t(lang, "Habis", "Sold out")) } }
                                }
                                td.n {
                                    input id=(name) name=(name) type="number" inputmode="numeric" min="0" step="1"
                                        style="width:5rem" value=(form.quantity_of(v.id)) aria-invalid=[error_for(errors, &name).map(|_| "true")];
                                    @if let Some(message) = error_for(errors, &name) { p.error { (message) } }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(message) = error_for(errors, "jumlah") { p.error role="alert" { (message) } }
            p.muted { (t(lang, "Minimal pesan", "Minimum order")) ": " (p.min_order) " " (p.unit) }
            (super::selling::choices(lang, &view.selling, &form.delivery, &form.payment, |f| error_for(errors, f).map(str::to_owned)))
            (field("nama", t(lang, "Nama pemesan", "Your name"), &form.name, "text", "name"))
            (field("hp", t(lang, "Nomor HP (WhatsApp)", "Phone (WhatsApp)"), &form.phone, "tel", "tel"))
            (field("kabupaten", t(lang, "Kabupaten/kota tujuan", "Delivery regency or city"), &form.regency, "text", "address-level2"))
            (field("alamat", t(lang, "Alamat pengiriman", "Delivery address"), &form.address, "textarea", "street-address"))
            (field("catatan", t(lang, "Catatan untuk penjual (boleh kosong)", "Note for the seller (optional)"), &form.note, "textarea", "off"))
            p { button type="submit" { (t(lang, "Kirim pesanan", "Place order")) } }
            p.muted { (t(lang, "Nomor HP dan alamat Anda hanya dilihat penjual untuk mengirim pesanan.",
                "Your phone and address are seen only by the seller, to deliver the order.")) }
        }
    }
}

#[derive(Debug, Deserialize)]
struct LangOnly {
    lang: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangOnly>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let form = OrderForm::parse(&fields);
    let base_url = super::share::base_url(&state, &headers);
    let outcome = blocking(move || {
        let view = ProductView {
            base_url,
            ..product_view(&state, &id)?
        };
        let request = match to_request(lang, &view, &form) {
            Ok(request) => request,
            Err(errors) => return Ok(Err((view, form, errors))),
        };
        let choice = sentra_core::selling::BuyerChoice {
            delivery: form.delivery.trim().to_owned(),
            payment: form.payment.trim().to_owned(),
        };
        let last4: String = sentra_core::normalise_phone(&form.phone)
            .map(|p| {
                p.chars()
                    .rev()
                    .take(4)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect()
            })
            .unwrap_or_default();
        match place_order_choosing(&state, client, request, choice) {
            Ok(order) => Ok(Ok((order.code, last4))),
            Err(ApiError::Refused(err)) => {
                let errors = core_errors(lang, &view, &err);
                Ok(Err((view, form, errors)))
            }
            Err(other) => Err(other),
        }
    })
    .await;
    match outcome {
        // The phone's last digits go along in a short-lived cookie for this order's pages (the
        // status page's second key), so the thank-you page can show the fee and how to pay.
        Ok(Ok((code, last4))) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, format!("/pesanan/{code}/terima-kasih")),
                (
                    header::SET_COOKIE,
                    format!(
                        "{THANKS_COOKIE}={last4}; Path=/pesanan/{code}/; Max-Age=900; HttpOnly; SameSite=Lax"
                    ),
                ),
            ],
        )
            .into_response(),
        Ok(Err((view, form, errors))) => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            render_product(lang, &view, &form, &errors),
        ),
        Err(err) => error_page(lang, &err),
    }
}

#[derive(Debug, Deserialize)]
struct ThanksQuery {
    lang: Option<String>,
    /// The last four digits of the buyer's phone, as the order form's redirect gives them.
    #[serde(default)]
    hp: String,
}

/// The cookie that carries the buyer's last four phone digits from the order form to its
/// thank-you page.
const THANKS_COOKIE: &str = "pesanan_hp";

/// The digits in the thank-you cookie, if the request carries it.
fn thanks_cookie(headers: &HeaderMap) -> String {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == THANKS_COOKIE)
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

async fn thanks(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<ThanksQuery>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(20)
        .collect();
    let typed = if q.hp.is_empty() {
        thanks_cookie(&headers)
    } else {
        q.hp.clone()
    };
    let digits: String = typed.chars().filter(char::is_ascii_digit).take(4).collect();
    // With the phone's digits (the same two keys as the status page), the fee, the total and
    // how to pay; without them, the code alone.
    let payment = if digits.len() == 4 {
        let (c, d) = (code.clone(), digits.clone());
        blocking(move || limited_lookup(&state, client, &c, || buyer_view(&state, &c, &d)))
            .await
            .ok()
    } else {
        None
    };
    let content = html! {
        h1 { (t(lang, "Terima kasih, pesanan terkirim", "Thank you, your order was sent")) }
        p { (t(lang, "Kode pesanan Anda:", "Your order code:")) }
        p.code { (code) }
        p { (t(lang, "Simpan kode ini. Penjual akan menanggapi dalam 1×24 jam; pantau statusnya dengan kode ini dan 4 angka terakhir nomor HP Anda.",
            "Keep this code. The seller responds within 24 hours; follow the order with this code and the last 4 digits of your phone.")) }
        @if let Some(view) = &payment {
            (super::selling::order_section(lang, view))
            p { (t(lang, "Total", "Total")) ": " span.price #total { (rupiah(view.total)) } }
        }
        p { a.button href={ "/pesanan?kode=" (url_encode(&code)) } { (t(lang, "Cek status pesanan", "Track this order")) } }
    };
    let here = format!("/pesanan/{code}/terima-kasih");
    respond(
        StatusCode::OK,
        chosen(q.lang.as_deref()),
        page(
            lang,
            t(lang, "Pesanan terkirim", "Order sent"),
            &here,
            content,
        ),
    )
}
