//! The members of a cluster or cooperative, managed on the web: the organisation's admin (for
//! their own organisation), a facilitator (for producers in their scope) and an admin add and
//! remove members. Every change goes through [`crate::members::change`], the same rules as a
//! phone's push, so the page can offer only what the rules allow and the rules still decide.
//!
//! URLs: `/koperasi/{id}/anggota` (signed in) and `POST /koperasi/{id}/anggota` (fields `csrf`,
//! `produsen`, `aksi` = `tambah` | `keluarkan`).

use super::session::{WebSession, csrf_field, csrf_ok, forbidden, session_of, to_sign_in};
use super::{Lang, chosen, error_page, lang_of, page, respond, t};
use crate::error::ApiError;
use crate::members::{self, Membership, MembershipRefusal};
use crate::replica::refused;
use crate::scope::Visible;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::organisations::Organisation;
use sentra_core::producers::Producer;
use sentra_core::{Id, Role, regions};
use serde::Deserialize;

/// The membership page's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/koperasi/{id}/anggota",
        get(members_page).post(change_member),
    )
}

/// The most producers offered in the "add" list.
const CANDIDATES_SHOWN: u32 = 500;

#[derive(Debug, Deserialize)]
struct PageQuery {
    lang: Option<String>,
    /// What the last change did: `ditambah` (added) or `dikeluarkan` (removed).
    pesan: Option<String>,
}

/// What the page shows.
struct Members {
    session: WebSession,
    organisation: Organisation,
    /// Members the account may see by name (and so remove), by name.
    shown: Vec<Producer>,
    /// How many other members there are.
    others: usize,
    /// Producers the account may add, by name.
    candidates: Vec<Producer>,
}

/// Whether this account may open an organisation's member page at all.
fn may_open(session: &WebSession, organisation: &Organisation) -> bool {
    match session.account.role {
        Role::Admin | Role::Facilitator => true,
        Role::CooperativeAdmin => organisation.admins.contains(&session.account.user_id),
        Role::Producer | Role::Official => false,
    }
}

fn load(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    id: &str,
) -> Result<Result<Members, Response>, ApiError> {
    let Some(session) = session_of(state, headers)? else {
        return Ok(Err(to_sign_in(&format!("/koperasi/{id}/anggota"))));
    };
    let id: Id = id.trim().parse().map_err(|_| ApiError::NotFound)?;
    let replica = state.replica()?;
    let core = replica.core();
    let organisation = core.organisation(id).map_err(refused)?;
    if !may_open(&session, &organisation) {
        return Ok(Err(forbidden(lang, &session)));
    }
    let visible = state
        .store
        .visible(&session.account)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let sees = |producer: Id| match &visible {
        Visible::All => true,
        Visible::Producers(set) => set.contains(&producer),
    };
    let mut shown = Vec::new();
    let mut others = 0;
    for member in &organisation.members {
        if sees(*member) {
            shown.push(core.producer(*member).map_err(refused)?);
        } else {
            others += 1;
        }
    }
    shown.sort_by(|a, b| a.business_name.cmp(&b.business_name));
    let candidates = core
        .producers(false, 0, CANDIDATES_SHOWN)
        .map_err(refused)?
        .into_iter()
        .filter(|p| sees(p.id) && !organisation.members.contains(&p.id))
        .collect();
    Ok(Ok(Members {
        session,
        organisation,
        shown,
        others,
        candidates,
    }))
}

fn region_name(code: &str) -> String {
    regions::regency_of(code)
        .map(|r| r.name.clone())
        .unwrap_or_default()
}

fn render(lang: Lang, m: &Members, message: Option<&str>, problem: Option<&str>) -> Markup {
    let action = format!("/koperasi/{}/anggota", m.organisation.id);
    html! {
        h1 { (t(lang, "Anggota", "Members")) " — " (m.organisation.name) }
        p { (super::session::sign_out_form(lang, &m.session)) }
        @if let Some(problem) = problem { p.error #masalah role="alert" tabindex="-1" { (problem) } }
        @if let Some(message) = message { p.notice role="status" { (message) } }
        @if m.shown.is_empty() && m.others == 0 {
            p.notice { (t(lang, "Belum ada anggota.", "No members yet.")) }
        } @else {
            table {
                thead { tr { th { (t(lang, "Usaha", "Business")) } th { (t(lang, "Wilayah", "Region")) } th { (t(lang, "Tindakan", "Action")) } } }
                tbody {
                    @for p in &m.shown {
                        tr {
                            td { (p.business_name) br; span.muted { (p.owner_name) } }
                            td { (region_name(&p.region_code)) }
                            td {
                                form method="post" action=(action) {
                                    (csrf_field(&m.session))
                                    input type="hidden" name="produsen" value=(p.id);
                                    input type="hidden" name="aksi" value="keluarkan";
                                    button type="submit" aria-label={ (t(lang, "Keluarkan ", "Remove ")) (p.business_name) } {
                                        (t(lang, "Keluarkan", "Remove"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if m.others > 0 {
                p.muted { (m.others) " " (t(lang, "anggota lain di luar cakupan akun ini.", "other members outside this account's scope.")) }
            }
        }
        h2 { (t(lang, "Tambah anggota", "Add a member")) }
        @if m.candidates.is_empty() {
            p.muted { (t(lang,
                "Tidak ada produsen lain dalam cakupan akun ini. Pendamping produsen dapat menambahkannya.",
                "No other producers are in this account's scope. The producer's facilitator can add them.")) }
        } @else {
            form method="post" action=(action) {
                (csrf_field(&m.session))
                input type="hidden" name="aksi" value="tambah";
                div.field {
                    label for="produsen" { (t(lang, "Produsen", "Producer")) }
                    select #produsen name="produsen" required {
                        @for p in &m.candidates {
                            option value=(p.id) { (p.business_name) " — " (region_name(&p.region_code)) }
                        }
                    }
                }
                p { button type="submit" { (t(lang, "Tambahkan", "Add")) } }
            }
        }
    }
}

fn message_of(lang: Lang, code: Option<&str>) -> Option<&'static str> {
    match code {
        Some("ditambah") => Some(t(lang, "Anggota ditambahkan.", "Member added.")),
        Some("dikeluarkan") => Some(t(lang, "Anggota dikeluarkan.", "Member removed.")),
        _ => None,
    }
}

fn refusal_text(lang: Lang, refusal: &MembershipRefusal) -> &'static str {
    match refusal {
        MembershipRefusal::Forbidden => t(
            lang,
            "Akun ini tidak boleh mengubah keanggotaan produsen itu di organisasi ini.",
            "This account may not change that producer's membership of this organisation.",
        ),
        MembershipRefusal::Unknown => t(
            lang,
            "Produsen atau organisasi itu tidak dikenal server.",
            "The server does not know that producer or organisation.",
        ),
        MembershipRefusal::Other(_) => t(
            lang,
            "Perubahan keanggotaan ditolak.",
            "The membership change was refused.",
        ),
    }
}

fn title(lang: Lang) -> &'static str {
    t(lang, "Anggota", "Members")
}

async fn members_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let path = format!("/koperasi/{id}/anggota");
    match blocking(move || load(&state, &headers, lang, &id)).await {
        Ok(Ok(m)) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            page(
                lang,
                title(lang),
                &path,
                render(lang, &m, message_of(lang, q.pesan.as_deref()), None),
            ),
        ),
        Ok(Err(response)) => response,
        Err(err) => error_page(lang, &err),
    }
}

async fn change_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    if !csrf_ok(&headers, &field("csrf")) {
        return error_page(lang, &ApiError::BadBody);
    }
    let (aksi, produsen) = (field("aksi"), field("produsen"));
    let outcome = blocking(move || {
        // Who may open the page is checked before the form is read.
        let m = match load(&state, &headers, lang, &id)? {
            Ok(m) => m,
            Err(response) => return Ok(Err(response)),
        };
        let what = match aksi.as_str() {
            "tambah" => Membership::Add,
            "keluarkan" => Membership::Remove,
            _ => return Err(ApiError::BadBody),
        };
        let Ok(producer) = produsen.parse::<Id>() else {
            return Ok(Ok((m, what, Err(MembershipRefusal::Unknown))));
        };
        let done = members::change(
            &state,
            &m.session.account,
            m.organisation.id,
            producer,
            what,
        )?;
        Ok(Ok((m, what, done)))
    })
    .await;
    match outcome {
        Ok(Ok((m, what, Ok(())))) => {
            let said = match what {
                Membership::Add => "ditambah",
                Membership::Remove => "dikeluarkan",
            };
            let location = format!("/koperasi/{}/anggota?pesan={said}", m.organisation.id);
            (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
        }
        Ok(Ok((m, _, Err(refusal)))) => {
            let status = match refusal {
                MembershipRefusal::Forbidden => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            respond(
                status,
                None,
                page(
                    lang,
                    title(lang),
                    &format!("/koperasi/{}/anggota", m.organisation.id),
                    render(lang, &m, None, Some(refusal_text(lang, &refusal))),
                ),
            )
        }
        Ok(Err(response)) => response,
        Err(err) => error_page(lang, &err),
    }
}
