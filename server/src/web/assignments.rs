//! The facilitators' assignments to regions, for admins on the web: `GET`/`POST
//! /dasbor/pendamping` assigns a facilitator (`login`) to a region (`wilayah`, a province,
//! regency, district or village code), so they see and may edit every producer there.

use super::import::{Gate, LangOnly, gate};
use super::session::{WebSession, csrf_field, csrf_ok, forbidden, to_sign_in};
use super::{Lang, chosen, error_page, lang_of, page, respond, t};
use crate::error::ApiError;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::{Role, regions};
use serde::Deserialize;

/// The assignments' routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/dasbor/pendamping", get(assign_page).post(assign))
}

fn may_assign(role: Role) -> bool {
    role == Role::Admin
}

/// The assignment form as submitted.
#[derive(Debug, Default, Deserialize)]
struct AssignForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    wilayah: String,
    #[serde(default)]
    csrf: String,
}

async fn assign_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangOnly>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    match gate(&state, &headers, may_assign).await {
        Ok(Gate::SignIn) => to_sign_in("/dasbor/pendamping"),
        Ok(Gate::Forbidden(s)) => forbidden(lang, &s),
        Ok(Gate::Open(s)) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            render_assign(lang, &s, None, &AssignForm::default()),
        ),
        Err(err) => error_page(lang, &err),
    }
}

async fn assign(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<AssignForm>,
) -> Response {
    let lang = lang_of(&headers, None);
    let session = match gate(&state, &headers, may_assign).await {
        Ok(Gate::SignIn) => return to_sign_in("/dasbor/pendamping"),
        Ok(Gate::Forbidden(s)) => return forbidden(lang, &s),
        Ok(Gate::Open(s)) => s,
        Err(err) => return error_page(lang, &err),
    };
    if !csrf_ok(&headers, &form.csrf) {
        return error_page(lang, &ApiError::BadBody);
    }
    let (login, region) = (form.login.clone(), form.wilayah.clone());
    let outcome = blocking(move || state.assign_region(&login, &region)).await;
    let (status, message) = match outcome {
        Ok(()) => {
            let code: String = form.wilayah.chars().filter(char::is_ascii_digit).collect();
            let name = regions::province(&code)
                .map(|p| p.name.clone())
                .or_else(|| regions::regency(&code).map(|r| r.name.clone()))
                .unwrap_or_else(|| code.clone());
            (
                StatusCode::OK,
                Ok(format!(
                    "{} {} {} {name} ({code}).",
                    t(lang, "Pendamping", "Facilitator"),
                    form.login.trim(),
                    t(lang, "kini bertugas di", "is now assigned to"),
                )),
            )
        }
        Err(ApiError::BadCredentials) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Err(t(
                lang,
                "Pendamping dengan nama pengguna atau nomor HP ini tidak ada.",
                "No facilitator signs in with this user name or phone number.",
            )),
        ),
        Err(ApiError::BadBody) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Err(t(
                lang,
                "Kode wilayah tidak dikenal: tulis kode provinsi (2 digit), kabupaten/kota (4), kecamatan (6), atau desa (10).",
                "Unknown region code: enter a province (2 digits), regency (4), district (6) or village (10) code.",
            )),
        ),
        Err(err) => return error_page(lang, &err),
    };
    respond(
        status,
        None,
        render_assign(lang, &session, Some(message), &form),
    )
}

fn render_assign(
    lang: Lang,
    session: &WebSession,
    message: Option<Result<String, &str>>,
    form: &AssignForm,
) -> Markup {
    page(
        lang,
        t(lang, "Wilayah pendamping", "Facilitators' regions"),
        "/dasbor/pendamping",
        html! {
            p { a href="/dasbor" { "← " (t(lang, "Dasbor", "Dashboard")) } }
            h1 { (t(lang, "Tugaskan pendamping ke wilayah", "Assign a facilitator to a region")) }
            p.muted { (t(lang,
                "Pendamping melihat dan boleh mengubah semua perajin di wilayahnya, selain perajin yang ia daftarkan sendiri.",
                "A facilitator sees and may edit every producer in their regions, besides the ones they registered.")) }
            @match &message {
                Some(Ok(done)) => { p.notice role="status" { (done) } }
                Some(Err(problem)) => { p.error role="alert" { (problem) } }
                None => {}
            }
            form method="post" action="/dasbor/pendamping" {
                (csrf_field(session))
                div.field {
                    label for="login" { (t(lang, "Nama pengguna atau nomor HP pendamping", "Facilitator's user name or phone")) }
                    input #login name="login" type="text" required value=(form.login);
                }
                div.field {
                    label for="wilayah" { (t(lang, "Kode wilayah", "Region code")) }
                    input #wilayah name="wilayah" type="text" inputmode="numeric" required
                        placeholder="3327" value=(form.wilayah);
                }
                p { button type="submit" { (t(lang, "Tugaskan", "Assign")) } }
            }
        },
    )
}
