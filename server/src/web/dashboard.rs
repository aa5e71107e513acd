//! The officials' dashboard: producers by province (on a map), regency, sector and cluster;
//! orders and revenue by channel, region (on a map) and month; and buyers' reach. Each chart is
//! inline SVG (bars, lines for months, or a choropleth of the provinces) with its table beside
//! it, or above it for the ten-column tables, which get the page's whole width and scroll, if
//! they must, in a region a keyboard can focus; and a CSV export. The figures come from
//! [`sentra_core::Sentra::report`] on the server's replica; this file only lays them out, with
//! the SVG drawing in `charts.rs` and `map.rs` and the CSV files in `exports.rs`. A cooperative
//! admin (or a Sentra admin) also finds here the links to their organisations' bulk requests.
//!
//! URLs (stable; the browser tests use them):
//! - `GET /dasbor?dari=YYYY-MM&sampai=YYYY-MM&wilayah=CODE&sektor=CODE&klaster=ID&lang=id|en`:
//!   the dashboard. Every filter is optional: `dari`/`sampai` bound the months of orders and
//!   direct sales (inclusive), `wilayah` is a province (2 digits) or regency (4 digits) code of
//!   the producers, `sektor` a sector code (`food_beverage`…), `klaster` a cluster's or
//!   cooperative's id (only its members).
//! - `GET /dasbor/ekspor/{chart}.csv?` with the same filters: one chart's table as CSV for
//!   Excel with Indonesian settings (`exports.rs`: a UTF-8 byte-order mark, `;` between cells,
//!   the page's column names as headers, money columns marked "(Rp)", figures as plain
//!   integers). `{chart}` is one of `provinsi`, `kabupaten`, `sektor`, `klaster`, `kanal`,
//!   `wilayah`, `bulan` and `jangkauan`. The first two columns are always `Kode` (a stable
//!   code: a region code, a sector, channel or reach code, a month `YYYY-MM`) and `Nama`.
//!
//! Who sees what: officials and admins see everyone; a cooperative admin sees only the members
//! of the organisations they administer; a facilitator sees the producers they registered;
//! a producer may not open the dashboard. Anyone not signed in is sent to `/masuk`.

use super::charts::{bar_svg, line_svg};
use super::report_tables::{Drawing, Table, figure, tables};
use super::session::{WebSession, forbidden, session_of, sign_out_form, to_sign_in};
use super::{Lang, chosen, error_page, exports, lang_of, map, page, respond, rupiah, t};
use crate::error::ApiError;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, PreEscaped, html};
use sentra_core::producers::Sector;
use sentra_core::regions;
use sentra_core::reports::{Channel, Report, ReportFilter, ReportScope};
use sentra_core::{ErrorCode, Role};
use serde::Deserialize;

/// The dashboard's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dasbor", get(dashboard))
        .route("/dasbor/ekspor/{file}", get(exports::export))
}

/// The filters, as typed in the URL (all optional).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    /// First month, `YYYY-MM`.
    #[serde(default)]
    pub dari: String,
    /// Last month, `YYYY-MM`.
    #[serde(default)]
    pub sampai: String,
    /// A province or regency code.
    #[serde(default)]
    pub wilayah: String,
    /// A sector code.
    #[serde(default)]
    pub sektor: String,
    /// A cluster's or cooperative's id.
    #[serde(default)]
    pub klaster: String,
    /// `id` or `en`.
    pub lang: Option<String>,
}

impl Filters {
    /// The query string of these filters (without `lang`), for links.
    fn query(&self) -> String {
        let encode = super::catalogue::url_encode;
        let parts: Vec<String> = [
            ("dari", &self.dari),
            ("sampai", &self.sampai),
            ("wilayah", &self.wilayah),
            ("sektor", &self.sektor),
            ("klaster", &self.klaster),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect();
        parts.join("&")
    }
}

/// What an account's dashboard covers, or `None` when it may not open it.
pub fn scope_of(role: Role, user: sentra_core::Id) -> Option<ReportScope> {
    match role {
        Role::Official | Role::Admin => Some(ReportScope::All),
        Role::CooperativeAdmin => Some(ReportScope::AdminOf(user)),
        Role::Facilitator => Some(ReportScope::RegisteredBy(user)),
        Role::Producer => None,
    }
}

/// What a request for figures came to.
pub(super) enum Outcome {
    SignIn,
    Forbidden(WebSession),
    BadFilter(WebSession, sentra_core::Error),
    Figures(WebSession, Report),
}

/// Checks the session and computes the report. Blocks.
pub(super) fn figures(
    state: &AppState,
    headers: &HeaderMap,
    filters: &Filters,
) -> Result<Outcome, ApiError> {
    let Some(session) = session_of(state, headers)? else {
        return Ok(Outcome::SignIn);
    };
    let Some(scope) = scope_of(session.account.role, session.account.user_id) else {
        return Ok(Outcome::Forbidden(session));
    };
    let filter = ReportFilter {
        scope,
        region: filters.wilayah.clone(),
        from_month: filters.dari.clone(),
        to_month: filters.sampai.clone(),
        sector: filters.sektor.clone(),
        organisation: filters.klaster.clone(),
    };
    let replica = state.replica()?;
    match replica.core().report(&filter) {
        Ok(report) => Ok(Outcome::Figures(session, report)),
        Err(err) if err.code() == ErrorCode::Validation => Ok(Outcome::BadFilter(session, err)),
        Err(err) => Err(ApiError::Internal(err.to_string())),
    }
}

async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(filters): Query<Filters>,
) -> Response {
    let lang = lang_of(&headers, filters.lang.as_deref());
    let outcome = {
        let (headers, filters) = (headers.clone(), filters.clone());
        blocking(move || {
            let outcome = figures(&state, &headers, &filters)?;
            let extra = match &outcome {
                Outcome::BadFilter(session, _) | Outcome::Figures(session, _) => {
                    extras(&state, session)?
                }
                _ => Extras::default(),
            };
            Ok((outcome, extra))
        })
        .await
    };
    let here = uri
        .path_and_query()
        .map_or("/dasbor".to_owned(), |p| p.as_str().to_owned());
    match outcome {
        Ok((Outcome::SignIn, _)) => to_sign_in(&here),
        Ok((Outcome::Forbidden(session), _)) => forbidden(lang, &session),
        Ok((Outcome::BadFilter(session, err), extra)) => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            chosen(filters.lang.as_deref()),
            render(lang, &session, &filters, &extra, Err(&err)),
        ),
        Ok((Outcome::Figures(session, report), extra)) => respond(
            StatusCode::OK,
            chosen(filters.lang.as_deref()),
            render(lang, &session, &filters, &extra, Ok(&report)),
        ),
        Err(err) => error_page(lang, &err),
    }
}

/// What the page shows besides the report: the clusters to filter by, and a cooperative
/// admin's way to their bulk requests.
#[derive(Default)]
pub(super) struct Extras {
    /// (id, name) of the clusters and cooperatives this account may filter by.
    organisations: Vec<(String, String)>,
    /// The organisations whose bulk requests this account handles: id, name, how many
    /// requests, how many still waiting to be split.
    requests: Vec<(String, String, usize, usize)>,
}

/// Loads the [`Extras`] for a signed-in session. Blocks.
fn extras(state: &AppState, session: &WebSession) -> Result<Extras, ApiError> {
    let replica = state.replica()?;
    let core = replica.core();
    let me = session.account.user_id;
    let all = core
        .organisations()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let visible: Vec<_> = all
        .into_iter()
        .filter(|o| session.account.role != Role::CooperativeAdmin || o.admins.contains(&me))
        .collect();
    drop(replica);
    let mut requests = Vec::new();
    if matches!(session.account.role, Role::CooperativeAdmin | Role::Admin) {
        for o in &visible {
            let bulks = crate::bulk::of_organisation(state, o.id)?;
            let mut waiting = 0;
            for b in &bulks {
                let orders = crate::bulk::allocations(state, b)?;
                if crate::bulk::rollup(&orders) == crate::bulk::Rollup::Waiting {
                    waiting += 1;
                }
            }
            requests.push((o.id.to_string(), o.name.clone(), bulks.len(), waiting));
        }
    }
    Ok(Extras {
        organisations: visible
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
        requests,
    })
}

/// The charts, by their URL name.
pub const CHARTS: [&str; 8] = [
    "provinsi",
    "kabupaten",
    "sektor",
    "klaster",
    "kanal",
    "wilayah",
    "bulan",
    "jangkauan",
];

fn render_table(lang: Lang, table: &Table) -> Markup {
    // A wide table scrolls inside its own region, which a keyboard can reach and a screen
    // reader names (axe: scrollable-region-focusable).
    html! {
        div.scroll tabindex="0" role="region" aria-label={ (table.title) " — " (t(lang, "tabel", "table")) } {
            table {
                caption.sr { (table.title) }
                thead { tr {
                    th { (t(lang, "Nama", "Name")) }
                    @for c in &table.columns { th.n { (c.head) } }
                } }
                tbody {
                    @for row in &table.rows {
                        tr {
                            td { (row.name) }
                            @for (c, v) in table.columns.iter().zip(&row.values) {
                                td.n { (figure(c.money, *v)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn render_chart(lang: Lang, filters: &Filters, table: &Table) -> Markup {
    let query = filters.query();
    let csv = if query.is_empty() {
        format!("/dasbor/ekspor/{}.csv", table.slug)
    } else {
        format!("/dasbor/ekspor/{}.csv?{query}", table.slug)
    };
    // A place on a map filters the dashboard to it and comes back to this chart.
    let link = |code: &str| {
        let to = Filters {
            wilayah: code.to_owned(),
            ..filters.clone()
        };
        match to.query() {
            query if query.is_empty() => format!("/dasbor#{}", table.slug),
            query => format!("/dasbor?{query}#{}", table.slug),
        }
    };
    html! {
        section.chart id=(table.slug) {
            h2 { (table.title) }
            @if table.rows.is_empty() {
                p.muted { (t(lang, "Belum ada data.", "No data yet.")) }
            } @else {
                div.pair.(if table.columns.len() > 3 { "wide" } else { "narrow" }) {
                    div.svg {
                        @match &table.drawing {
                            Drawing::Bars { column, limit } => (bar_svg(table, *column, *limit)),
                            Drawing::Lines { columns } => (line_svg(lang, table, columns)),
                            Drawing::Map { column } => (map::region_map(lang, table, *column, &filters.wilayah, &link)),
                            Drawing::RegencyMap { column, limit } => {
                                @match map::regency_map(lang, table, *column, &filters.wilayah, &link) {
                                    Some(drawn) => (drawn),
                                    None => (bar_svg(table, *column, *limit)),
                                }
                            }
                        }
                    }
                    (render_table(lang, table))
                }
            }
            p { a href=(csv) download { (t(lang, "Unduh CSV", "Download CSV")) } }
        }
    }
}

fn role_name(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Official => t(lang, "Petugas dinas", "Official"),
        Role::Admin => t(lang, "Admin Sentra", "Sentra admin"),
        Role::CooperativeAdmin => t(lang, "Admin koperasi", "Cooperative admin"),
        Role::Facilitator => t(lang, "Pendamping", "Facilitator"),
        Role::Producer => t(lang, "Perajin", "Producer"),
    }
}

fn region_options(lang: Lang, selected: &str) -> Markup {
    let selected = selected.trim();
    let province_of_selection = selected.get(..2).unwrap_or("");
    html! {
        select #wilayah name="wilayah" {
            option value="" selected[selected.is_empty()] { (t(lang, "Semua wilayah", "All regions")) }
            @for p in regions::provinces() {
                option value=(p.code) selected[selected == p.code] { (p.name) }
                @if p.code == province_of_selection {
                    @for r in regions::regencies().iter().filter(|r| r.province_code == p.code) {
                        option value=(r.code) selected[selected == r.code] { "— " (r.name) }
                    }
                }
            }
        }
    }
}

fn filter_messages(lang: Lang, err: &sentra_core::Error) -> Vec<String> {
    err.fields()
        .iter()
        .map(|f| {
            let field = match f.field {
                "region" => t(lang, "Wilayah", "Region"),
                "sector" => t(lang, "Sektor", "Sector"),
                "organisation" => t(lang, "Klaster/koperasi", "Cluster or cooperative"),
                "from_month" => t(lang, "Dari bulan", "From month"),
                _ => t(lang, "Sampai bulan", "To month"),
            };
            let rule = match f.rule {
                sentra_core::Rule::OutOfRange => t(
                    lang,
                    "bulan akhir tidak boleh sebelum bulan awal.",
                    "the last month cannot be before the first.",
                ),
                sentra_core::Rule::RegionCode => {
                    t(lang, "kode wilayah tidak dikenal.", "unknown region code.")
                }
                sentra_core::Rule::Unknown => {
                    t(lang, "pilih dari daftar.", "choose one from the list.")
                }
                _ => t(
                    lang,
                    "tulis bulan sebagai TTTT-BB, mis. 2026-03.",
                    "write the month as YYYY-MM, e.g. 2026-03.",
                ),
            };
            format!("{field}: {rule}")
        })
        .collect()
}

/// Extra styles for charts (the shared stylesheet stays small for the storefront).
const CHART_CSS: &str = "main{max-width:92rem}.svg svg{width:100%;height:auto;max-width:40rem}\
    .scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:2px solid #0b5c8a}\
    .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
    .pair{display:grid;gap:1rem;grid-template-columns:minmax(0,1fr)}\
    @media(min-width:62rem){.pair.narrow{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}\
    .pair.wide .svg svg{max-width:48rem}td,th{font-size:.92rem}figure.map{margin:0}\
    figure.map svg{width:100%;height:auto}figure.map path:hover{stroke:#000}\
    figure.map.regencies svg{max-height:30rem}figure.map a:focus path{stroke:#000;stroke-width:1.5}\
    .key{margin-right:.6rem;white-space:nowrap;font-size:.85rem}.key i{display:inline-block;\
    width:.9em;height:.9em;vertical-align:middle;border:1px solid #ccc}\
    section.chart{margin:1.5rem 0;border-top:1px solid #e4ded6}form.filters{display:flex;\
    flex-wrap:wrap;gap:.6rem;align-items:end}form.filters label{margin:0}\
    .totals{display:flex;flex-wrap:wrap;gap:.6rem;list-style:none;padding:0}\
    .totals li{background:#fff;border:1px solid #e4ded6;border-radius:.4rem;padding:.5rem .7rem}\
    .totals b{display:block;font-size:1.2rem}.who{display:flex;gap:.8rem;align-items:center;\
    flex-wrap:wrap}";

fn render(
    lang: Lang,
    session: &WebSession,
    filters: &Filters,
    extras: &Extras,
    report: Result<&Report, &sentra_core::Error>,
) -> Markup {
    let query = filters.query();
    let switch = if query.is_empty() {
        "/dasbor".to_owned()
    } else {
        format!("/dasbor?{query}")
    };
    let role = session.account.role;
    let scope_note = match role {
        Role::CooperativeAdmin => Some(t(
            lang,
            "Angka ini hanya mencakup anggota koperasi/klaster yang Anda kelola.",
            "These figures cover only the members of the cooperatives and clusters you run.",
        )),
        Role::Facilitator => Some(t(
            lang,
            "Angka ini hanya mencakup perajin yang Anda daftarkan.",
            "These figures cover only the producers you registered.",
        )),
        _ => None,
    };
    page(
        lang,
        t(lang, "Dasbor", "Dashboard"),
        &switch,
        html! {
            style { (PreEscaped(CHART_CSS)) }
            div.who {
                h1 { (t(lang, "Dasbor UMKM", "UMKM dashboard")) }
                span.muted { (role_name(lang, role)) }
                @if matches!(role, Role::Facilitator | Role::Admin) {
                    a href="/dasbor/impor" { (t(lang, "Impor perajin (CSV)", "Import producers (CSV)")) }
                }
                @if role == Role::Admin {
                    a href="/dasbor/pendamping" { (t(lang, "Wilayah pendamping", "Facilitators' regions")) }
                }
                (sign_out_form(lang, session))
            }
            @if let Some(note) = scope_note { p.notice { (note) } }
            @if !extras.requests.is_empty() {
                nav.requests aria-labelledby="permintaan-judul" {
                    h2 #permintaan-judul { (t(lang, "Permintaan partai besar", "Bulk requests")) }
                    ul {
                        @for (id, name, total, waiting) in &extras.requests {
                            li {
                                a href={ "/koperasi/" (id) "/permintaan" } { (name) }
                                " — " (total) " " (t(lang, "permintaan", "requests"))
                                @if *waiting > 0 {
                                    ", " strong { (waiting) " " (t(lang, "menunggu dibagi", "waiting to be split")) }
                                }
                            }
                        }
                    }
                }
            }
            form.filters method="get" action="/dasbor" {
                div { label for="dari" { (t(lang, "Dari bulan", "From month")) }
                    input #dari type="month" name="dari" value=(filters.dari) placeholder="2026-01"; }
                div { label for="sampai" { (t(lang, "Sampai bulan", "To month")) }
                    input #sampai type="month" name="sampai" value=(filters.sampai) placeholder="2026-12"; }
                div { label for="wilayah" { (t(lang, "Wilayah", "Region")) }
                    (region_options(lang, &filters.wilayah)) }
                div { label for="sektor" { (t(lang, "Sektor", "Sector")) }
                    select #sektor name="sektor" {
                        option value="" selected[filters.sektor.trim().is_empty()] { (t(lang, "Semua sektor", "All sectors")) }
                        @for sector in Sector::ALL {
                            option value=(sector.as_str()) selected[filters.sektor.trim() == sector.as_str()] { (sector.label(lang)) }
                        }
                    } }
                div { label for="klaster" { (t(lang, "Klaster/koperasi", "Cluster or cooperative")) }
                    select #klaster name="klaster" {
                        option value="" selected[filters.klaster.trim().is_empty()] { (t(lang, "Semua", "All")) }
                        @for (id, name) in &extras.organisations {
                            option value=(id) selected[filters.klaster.trim() == id] { (name) }
                        }
                    } }
                div { button type="submit" { (t(lang, "Terapkan", "Apply")) } }
            }
            @match report {
                Err(err) => {
                    @for message in filter_messages(lang, err) {
                        p.error role="alert" { (message) }
                    }
                }
                Ok(report) => {
                    (render_totals(lang, report))
                    @for table in tables(lang, report) {
                        (render_chart(lang, filters, &table))
                    }
                }
            }
        },
    )
}

fn render_totals(lang: Lang, report: &Report) -> Markup {
    let producers: i64 = report.by_province.iter().map(|g| g.producers).sum();
    let workforce: i64 = report.by_province.iter().map(|g| g.workforce).sum();
    let listed: i64 = report.by_province.iter().map(|g| g.listed_products).sum();
    let online_count: i64 = Channel::ALL
        .iter()
        .filter(|c| c.is_online())
        .map(|c| report.channels.count[c.index()])
        .sum();
    let online_revenue: i64 = Channel::ALL
        .iter()
        .filter(|c| c.is_online())
        .map(|c| report.channels.revenue[c.index()])
        .fold(0, i64::saturating_add);
    let direct = Channel::Direct.index();
    html! {
        ul.totals {
            li { (t(lang, "Produsen", "Producers")) b { (figure(false, producers)) } }
            li { (t(lang, "Tenaga kerja", "Workforce")) b { (figure(false, workforce)) } }
            li { (t(lang, "Produk tayang", "Listed products")) b { (figure(false, listed)) } }
            li { (t(lang, "Pesanan daring", "Online orders")) b { (figure(false, online_count)) }
                span.muted { (rupiah(online_revenue)) } }
            li { (t(lang, "Penjualan langsung", "Direct sales")) b { (figure(false, report.channels.count[direct])) }
                span.muted { (rupiah(report.channels.revenue[direct])) } }
        }
    }
}
