//! Signing in on the web: `/masuk` (staff name and password, or a producer's phone and PIN),
//! `/keluar` (signs out and revokes the token), and [`signed_in`] for the pages behind a login.
//!
//! A browser signs in through the same [`crate::signin::sign_in`] as a phone (`/v1/login`),
//! throttled by its address and the login tried, and under the same account lock, and gets a
//! bearer token issued to a fresh device id of its own. The token lives in an `HttpOnly`,
//! `SameSite=Lax` cookie, so scripts cannot read it and other sites' forms cannot send it with a
//! POST.
//!
//! Against cross-site requests: every change is a POST, and every form behind a login carries a
//! per-session token ([`WebSession::csrf`], derived from the cookie's token, which another site
//! cannot read) that [`csrf_ok`] checks. The form fields are `login`, `secret` and `lanjut`
//! (where to go afterwards); browser tests rely on these names.

use super::{Lang, chosen, lang_of, page, respond, t};
use crate::accounts::{Account, token_hash};
use crate::error::ApiError;
use crate::{AppState, blocking, internal};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use sentra_core::Role;
use serde::Deserialize;

/// The cookie that holds a browser's token.
pub const COOKIE: &str = "sentra_sesi";
/// How long a browser stays signed in (the cookie's lifetime), in seconds: 12 hours.
pub const MAX_AGE_SECS: u64 = 12 * 60 * 60;

/// The sign-in pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/masuk", get(sign_in_page).post(sign_in))
        .route("/keluar", post(sign_out))
}

/// Who a signed-in browser belongs to, and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// The account.
    pub account: Account,
    /// The per-session token for forms (`<input type=hidden name=csrf>`).
    pub csrf: String,
}

/// The account behind the request's session cookie, if it holds a live token. Blocks: call it
/// on the blocking pool. A flood of requests with one token is refused like a phone's.
pub fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Account>, ApiError> {
    Ok(session_of(state, headers)?.map(|s| s.account))
}

/// The session behind the request's cookie, with its form token. Blocks.
pub fn session_of(state: &AppState, headers: &HeaderMap) -> Result<Option<WebSession>, ApiError> {
    let Some(token) = cookie_token(headers) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let found = state.session(&hash)?;
    Ok(found.map(|(account, _device)| WebSession {
        account,
        csrf: csrf_of(&token),
    }))
}

/// Whether a submitted form token matches the request's session.
pub fn csrf_ok(headers: &HeaderMap, given: &str) -> bool {
    match cookie_token(headers) {
        // Both are short hex strings of our own making; comparing every byte keeps the
        // timing independent of where they differ.
        Some(token) => {
            let expected = csrf_of(&token);
            expected.len() == given.len()
                && expected
                    .bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        None => false,
    }
}

/// The hidden field a signed-in form carries.
pub fn csrf_field(session: &WebSession) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// A small sign-out form (a button), for the header of pages behind a login.
pub fn sign_out_form(lang: Lang, session: &WebSession) -> Markup {
    html! {
        form method="post" action="/keluar" style="display:inline" {
            (csrf_field(session))
            button type="submit" { (t(lang, "Keluar", "Sign out")) }
        }
    }
}

/// A redirect to the sign-in page that comes back to `next` afterwards.
pub fn to_sign_in(next: &str) -> Response {
    let target = format!("/masuk?lanjut={}", super::catalogue::url_encode(next));
    see_other(&target)
}

/// A page that says the signed-in account may not see this (403).
pub fn forbidden(lang: Lang, session: &WebSession) -> Response {
    respond(
        StatusCode::FORBIDDEN,
        None,
        page(
            lang,
            t(lang, "Tidak diizinkan", "Not allowed"),
            "/",
            html! {
                h1 { (t(lang, "Tidak diizinkan", "Not allowed")) }
                p { (t(lang, "Akun ini tidak boleh membuka halaman ini.",
                    "This account may not open this page.")) }
                (sign_out_form(lang, session))
            },
        ),
    )
}

/// The token in the request's session cookie.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    let prefix = format!("{COOKIE}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(prefix.as_str()).map(str::to_owned))
        .filter(|t| !t.is_empty() && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The form token of a session: a hash of its secret token, so it is fixed for the session and
/// unknown to anyone who cannot read the cookie.
fn csrf_of(token: &str) -> String {
    let hash = blake3::hash(format!("sentra-web-csrf:{token}").as_bytes());
    hash.to_hex()[..32].to_owned()
}

/// `; Secure` when the browser reached us over HTTPS (through a proxy that says so), so the
/// token never travels in clear text afterwards; nothing on plain HTTP (a village LAN, tests).
fn secure_flag(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

/// Where to go after signing in: only a path on this site (no `//host` or `/\host`).
fn safe_next(next: &str) -> Option<&str> {
    let next = next.trim();
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.bytes().any(|b| b.is_ascii_control());
    ok.then_some(next)
}

/// The landing page of a role when no `lanjut` was asked for.
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Producer => "/",
        Role::Facilitator => "/dasbor/impor",
        Role::CooperativeAdmin | Role::Official | Role::Admin => "/dasbor",
    }
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `?lanjut=` and `?lang=` on the sign-in page.
#[derive(Debug, Default, Deserialize)]
struct SignInQuery {
    #[serde(default)]
    lanjut: String,
    lang: Option<String>,
}

/// The sign-in form as submitted.
#[derive(Debug, Default, Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    lanjut: String,
}

/// The sign-out form as submitted.
#[derive(Debug, Default, Deserialize)]
struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

fn render_sign_in(lang: Lang, login: &str, next: &str, message: Option<&str>) -> Markup {
    let switch = format!("/masuk?lanjut={}", super::catalogue::url_encode(next));
    page(
        lang,
        t(lang, "Masuk", "Sign in"),
        &switch,
        html! {
            h1 { (t(lang, "Masuk", "Sign in")) }
            p.muted { (t(lang,
                "Untuk petugas dinas, admin koperasi, pendamping, dan perajin.",
                "For officials, cooperative admins, facilitators and producers.")) }
            @if let Some(message) = message {
                p.error role="alert" { (message) }
            }
            form method="post" action="/masuk" {
                input type="hidden" name="lanjut" value=(next);
                div.field {
                    label for="login" { (t(lang, "Nama pengguna atau nomor HP", "User name or phone number")) }
                    input #login name="login" type="text" value=(login) autocomplete="username"
                        required autofocus;
                }
                div.field {
                    label for="secret" { (t(lang, "Kata sandi atau PIN", "Password or PIN")) }
                    input #secret name="secret" type="password" autocomplete="current-password"
                        required;
                }
                p { button type="submit" { (t(lang, "Masuk", "Sign in")) } }
            }
        },
    )
}

async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    let next = safe_next(&q.lanjut).unwrap_or("").to_owned();
    // Someone already signed in goes straight on.
    let current = {
        let headers = headers.clone();
        blocking(move || session_of(&state, &headers)).await
    };
    if let Ok(Some(session)) = current {
        let target = if next.is_empty() {
            home_of(session.account.role)
        } else {
            &next
        };
        if q.lang.is_none() {
            return see_other(target);
        }
    }
    respond(
        StatusCode::OK,
        chosen(q.lang.as_deref()),
        render_sign_in(lang, "", &next, None),
    )
}

/// Whether a form was posted from another site: the browser's `Sec-Fetch-Site`, else its
/// `Origin` against our `Host`. A request with neither (a tool, an old browser) is let through.
fn cross_site(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        return !matches!(site.trim(), "same-origin" | "none");
    }
    match (value("origin"), value("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| !authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

async fn sign_in(
    State(state): State<AppState>,
    address: crate::limits::ClientAddress,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = lang_of(&headers, None);
    // Login CSRF: another site's form must not sign a browser in to an account of theirs.
    if cross_site(&headers) {
        return super::error_page(lang, &ApiError::Forbidden);
    }
    let next = safe_next(&form.lanjut).unwrap_or("").to_owned();
    if form.login.trim().is_empty() || form.secret.is_empty() || form.secret.len() > 256 {
        let message = t(
            lang,
            "Isi nama pengguna atau nomor HP, dan kata sandi atau PIN.",
            "Enter your user name or phone number, and your password or PIN.",
        );
        return respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            render_sign_in(lang, &form.login, &next, Some(message)),
        );
    }
    let typed_login = form.login.clone();
    let attempt = crate::signin::Attempt {
        login: form.login,
        secret: form.secret,
        device: None,
        address,
    };
    let outcome = crate::signin::sign_in(&state, attempt)
        .await
        .map(|signed_in| (signed_in.account, signed_in.token));
    let retry_after = outcome.as_ref().err().and_then(ApiError::retry_after);
    let (status, message) = match outcome {
        Ok((account, token)) => {
            let target = if next.is_empty() {
                home_of(account.role)
            } else {
                &next
            };
            let mut response = see_other(target);
            let cookie = format!(
                "{COOKIE}={token}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{}",
                secure_flag(&headers)
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            return response;
        }
        Err(ApiError::BadCredentials) => (
            StatusCode::UNAUTHORIZED,
            t(
                lang,
                "Nama pengguna, nomor HP, kata sandi, atau PIN salah.",
                "Wrong user name, phone number, password or PIN.",
            ),
        ),
        Err(ApiError::TooManyAttempts(_)) => (
            StatusCode::TOO_MANY_REQUESTS,
            t(
                lang,
                "Terlalu banyak percobaan yang salah dari sini. Tunggu sebentar, lalu coba lagi.",
                "Too many wrong attempts from here. Wait a while, then try again.",
            ),
        ),
        Err(ApiError::LockedOut(_)) => (
            StatusCode::TOO_MANY_REQUESTS,
            t(
                lang,
                "Akun ini dikunci sementara karena banyak percobaan yang salah; coba lagi nanti.",
                "This account is locked for a while after many wrong attempts; try again later.",
            ),
        ),
        Err(err) => {
            if let ApiError::Internal(cause) = &err {
                tracing::error!(%cause, "web sign-in failed");
            }
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                t(
                    lang,
                    "Maaf, ada gangguan. Coba lagi sebentar lagi.",
                    "Sorry, something went wrong. Please try again in a moment.",
                ),
            )
        }
    };
    let mut response = respond(
        status,
        None,
        render_sign_in(lang, &typed_login, &next, Some(message)),
    );
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    let lang = lang_of(&headers, None);
    if let Some(token) = cookie_token(&headers) {
        if !csrf_ok(&headers, &form.csrf) {
            return super::error_page(lang, &ApiError::BadBody);
        }
        let hash = token_hash(&token);
        if let Err(err) = blocking(move || state.store.revoke_token(&hash).map_err(internal)).await
        {
            return super::error_page(lang, &err);
        }
    }
    let mut response = see_other("/masuk");
    let cleared = format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
