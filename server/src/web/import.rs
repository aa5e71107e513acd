//! Facilitators' tools on the web: a bulk import of producers from CSV, and (for admins) the
//! facilitators' assignments to regions.
//!
//! URLs:
//! - `GET /dasbor/impor`: the import form (a file upload, or CSV pasted in a text box).
//! - `GET /dasbor/impor/templat.csv`: the template, a header row of [`COLUMNS`] (byte-order
//!   mark, `;`-separated, as Excel in Indonesian saves it; `,` files are read too).
//! - `POST /dasbor/impor`: `multipart/form-data` (fields `berkas`, the file, and/or `teks`, the
//!   pasted CSV) or `application/x-www-form-urlencoded` (`teks`), with `csrf`.
//! - `GET`/`POST /dasbor/pendamping`: an admin assigns a facilitator to a region
//!   (`assignments.rs`).
//!
//! The import registers each good row on the server's replica as a producer registered by the
//! signed-in facilitator and pushes it into the store, so the facilitator's phone gets them on
//! its next sync. Each bad row is reported with its line number and every column that is wrong
//! (the import's own checks and the core's rules together); good rows go in all the same. A row whose phone number is already registered is skipped, so importing the same
//! file again creates nothing new.

use super::session::{WebSession, csrf_field, csrf_ok, forbidden, session_of, to_sign_in};
use super::{Lang, chosen, error_page, lang_of, page, respond, t};
use crate::error::ApiError;
use crate::{AppState, blocking};
use axum::Router;
use axum::extract::{Form, FromRequest, Multipart, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use sentra_core::producers::{NewProducer, Sector};
use sentra_core::{Id, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// The most data rows one import may carry.
pub const MAX_ROWS: usize = 2_000;

/// The template's columns, in order: (CSV header, the core's field name, required).
pub const COLUMNS: [(&str, &str, bool); 13] = [
    ("nama_usaha", "business_name", true),
    ("nama_pemilik", "owner_name", true),
    ("hp", "phone", true),
    ("alamat", "address", false),
    ("kode_wilayah", "region_code", true),
    ("sektor", "sector", true),
    ("tenaga_kerja", "workforce", false),
    ("tahun_berdiri", "year_founded", false),
    ("nib", "nib", false),
    ("sertifikasi", "certifications", false),
    ("setuju_tayang", "consent_publish", false),
    ("tanggal_setuju", "consent_date", false),
    ("pin", "activation_pin", false),
];

/// The import's and the assignments' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dasbor/impor", get(import_page).post(import))
        .route("/dasbor/impor/templat.csv", get(template))
        .merge(super::assignments::routes())
}

/// A problem with one row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The CSV column.
    pub column: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Producers registered now.
    pub created: usize,
    /// Rows skipped because their phone number is already registered.
    pub skipped: usize,
    /// Rows refused, with why.
    pub errors: Vec<RowError>,
}

/// A row that parsed, ready for the core's own checks.
struct ParsedRow {
    line: u64,
    producer: NewProducer,
}

/// Who may use a page, decided per request.
pub(super) enum Gate {
    SignIn,
    Forbidden(WebSession),
    Open(WebSession),
}

pub(super) async fn gate(
    state: &AppState,
    headers: &HeaderMap,
    allowed: fn(Role) -> bool,
) -> Result<Gate, ApiError> {
    let (state, headers) = (state.clone(), headers.clone());
    blocking(move || {
        Ok(match session_of(&state, &headers)? {
            None => Gate::SignIn,
            Some(s) if allowed(s.account.role) => Gate::Open(s),
            Some(s) => Gate::Forbidden(s),
        })
    })
    .await
}

fn may_import(role: Role) -> bool {
    matches!(role, Role::Facilitator | Role::Admin)
}

/// `?lang=` only.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LangOnly {
    pub(super) lang: Option<String>,
}

/// The template: the header row.
async fn template() -> Response {
    let header_row: Vec<&str> = COLUMNS.iter().map(|(name, _, _)| *name).collect();
    // For Excel with Indonesian settings, like the dashboard's exports.
    let mut response =
        format!("{}{}\r\n", super::exports::BOM, header_row.join(";")).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"sentra-templat-perajin.csv\""),
    );
    response
}

async fn import_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangOnly>,
) -> Response {
    let lang = lang_of(&headers, q.lang.as_deref());
    match gate(&state, &headers, may_import).await {
        Ok(Gate::SignIn) => to_sign_in("/dasbor/impor"),
        Ok(Gate::Forbidden(s)) => forbidden(lang, &s),
        Ok(Gate::Open(s)) => respond(
            StatusCode::OK,
            chosen(q.lang.as_deref()),
            render_import(lang, &s, None, ""),
        ),
        Err(err) => error_page(lang, &err),
    }
}

/// The submitted import: the CSV text and the form token.
#[derive(Debug, Default, Deserialize)]
struct ImportForm {
    #[serde(default)]
    teks: String,
    #[serde(default)]
    csrf: String,
}

/// Reads the form, whether multipart (a file and/or the text box) or urlencoded.
async fn read_import(request: Request, state: &AppState) -> Result<ImportForm, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(form) = Form::<ImportForm>::from_request(request, state)
            .await
            .map_err(|_| ApiError::BadBody)?;
        return Ok(form);
    }
    let mut parts = Multipart::from_request(request, state)
        .await
        .map_err(|_| ApiError::BadBody)?;
    let mut form = ImportForm::default();
    let mut file = String::new();
    while let Some(field) = parts.next_field().await.map_err(|_| ApiError::BadBody)? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| ApiError::BadBody)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "berkas" => file = text,
            "teks" => form.teks = text,
            "csrf" => form.csrf = text,
            _ => {}
        }
    }
    // A chosen file wins over the text box.
    if !file.trim().is_empty() {
        form.teks = file;
    }
    Ok(form)
}

async fn import(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let lang = lang_of(&headers, None);
    let session = match gate(&state, &headers, may_import).await {
        Ok(Gate::SignIn) => return to_sign_in("/dasbor/impor"),
        Ok(Gate::Forbidden(s)) => return forbidden(lang, &s),
        Ok(Gate::Open(s)) => s,
        Err(err) => return error_page(lang, &err),
    };
    let form = match read_import(request, &state).await {
        Ok(form) => form,
        Err(err) => return error_page(lang, &err),
    };
    if !csrf_ok(&headers, &form.csrf) {
        return error_page(lang, &ApiError::BadBody);
    }
    let (rows, mut errors) = match parse(lang, &form.teks) {
        Ok(parsed) => parsed,
        Err(message) => {
            return respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                render_import(lang, &session, Some(Err(message)), &form.teks),
            );
        }
    };
    let by = session.account.user_id;
    let outcome = blocking(move || register(&state, lang, by, rows)).await;
    match outcome {
        Ok(mut report) => {
            errors.append(&mut report.errors);
            errors.sort_by_key(|e| e.line);
            report.errors = errors;
            respond(
                StatusCode::OK,
                None,
                render_import(lang, &session, Some(Ok(report)), ""),
            )
        }
        Err(err) => error_page(lang, &err),
    }
}

/// Reads the CSV: the header names the columns (in any order); each row becomes a producer or
/// errors naming its line and column. `Err` when the file as a whole cannot be read.
fn parse(lang: Lang, text: &str) -> Result<(Vec<ParsedRow>, Vec<RowError>), String> {
    let text = text.trim_start_matches('\u{feff}');
    // Windows line ends (and old Mac ones) become plain ones, so every row's line number is the
    // line a spreadsheet shows.
    let text = &text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return Err(t(lang, "Berkas CSV kosong.", "The CSV file is empty.").to_owned());
    }
    // Spreadsheets in Indonesian locales save with semicolons.
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| {
        t(
            lang,
            "Baris judul kolom tidak terbaca.",
            "The header row cannot be read.",
        )
        .to_owned()
    })?;
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in headers.iter().enumerate() {
        let name = name.trim().to_lowercase();
        if let Some((csv, _, _)) = COLUMNS
            .iter()
            .find(|(csv, field, _)| name == *csv || name == *field)
        {
            index.insert(csv, i);
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(csv, _, required)| *required && !index.contains_key(csv))
        .map(|(csv, _, _)| *csv)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} {}",
            t(
                lang,
                "Kolom wajib tidak ada:",
                "Required columns are missing:"
            ),
            missing.join(", ")
        ));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut phones: HashMap<String, u64> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        if n >= MAX_ROWS {
            return Err(format!(
                "{} {MAX_ROWS}.",
                t(
                    lang,
                    "Terlalu banyak baris; paling banyak",
                    "Too many rows; at most"
                )
            ));
        }
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(n as u64 + 2, |p| p.line());
                errors.push(RowError {
                    line,
                    column: String::new(),
                    message: t(
                        lang,
                        "Baris ini tidak terbaca (tanda kutip tidak tertutup?).",
                        "This row cannot be read (an unclosed quote?).",
                    )
                    .to_owned(),
                });
                continue;
            }
        };
        let line = record.position().map_or(n as u64 + 2, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |column: &str| {
            index
                .get(column)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .to_owned()
        };
        let mut problems = Vec::new();
        let mut fail = |column: &str, message: &str| {
            problems.push(RowError {
                line,
                column: column.to_owned(),
                message: message.to_owned(),
            });
        };
        let number = |raw: &str| raw.replace(['.', ' '], "").parse::<i64>().ok();
        let workforce = match cell("tenaga_kerja").as_str() {
            "" => 0,
            raw => number(raw).unwrap_or_else(|| {
                fail(
                    "tenaga_kerja",
                    t(lang, "Isi dengan angka, mis. 5.", "Enter a number, e.g. 5."),
                );
                0
            }),
        };
        let year_founded = match cell("tahun_berdiri").as_str() {
            "" => None,
            raw => number(raw).or_else(|| {
                fail(
                    "tahun_berdiri",
                    t(lang, "Isi tahun, mis. 2015.", "Enter a year, e.g. 2015."),
                );
                None
            }),
        };
        let consent = match cell("setuju_tayang").to_lowercase().as_str() {
            "" | "tidak" | "no" | "0" | "t" | "n" => false,
            "ya" | "yes" | "1" | "y" => true,
            _ => {
                fail(
                    "setuju_tayang",
                    t(
                        lang,
                        "Isi \"ya\" atau \"tidak\".",
                        "Enter \"yes\" or \"no\".",
                    ),
                );
                false
            }
        };
        let sector_typed = cell("sektor");
        let sector = sector_code(&sector_typed).unwrap_or_else(|| {
            fail(
                "sektor",
                t(
                    lang,
                    "Sektor tidak dikenal: tulis fesyen, makanan, kriya, pertanian atau lainnya (atau kodenya, mis. food_beverage).",
                    "Unknown sector: write fashion, food, crafts, agriculture or other (or its code, e.g. food_beverage).",
                ),
            );
            String::new()
        });
        let phone = cell("hp");
        if let Some(normal) = sentra_core::normalise_phone(&phone) {
            if let Some(first) = phones.get(&normal) {
                fail(
                    "hp",
                    &format!(
                        "{} {first}.",
                        t(
                            lang,
                            "Nomor HP sama dengan baris",
                            "Same phone number as row"
                        )
                    ),
                );
            } else {
                phones.insert(normal, line);
            }
        }
        let optional = |raw: String| (!raw.is_empty()).then_some(raw);
        let producer = NewProducer {
            business_name: cell("nama_usaha"),
            owner_name: cell("nama_pemilik"),
            phone,
            address: cell("alamat"),
            region_code: cell("kode_wilayah"),
            sector,
            workforce,
            year_founded,
            nib: optional(cell("nib")),
            certifications: cell("sertifikasi")
                .split([';', ',', ' ', '/'])
                .map(|c| c.trim().to_lowercase())
                .filter(|c| !c.is_empty())
                .collect(),
            consent_publish: consent,
            consent_date: optional(cell("tanggal_setuju")),
            activation_pin: optional(cell("pin")),
        };
        if problems.is_empty() {
            rows.push(ParsedRow { line, producer });
        } else {
            // The core's own rules name the row's other problems too (a bad region or phone
            // besides a bad sector), each column once.
            for field in producer.problems(crate::now_ms()) {
                let column = column_of(field.field);
                if !problems.iter().any(|p| p.column == column) {
                    problems.push(RowError {
                        line,
                        column: column.to_owned(),
                        message: field.rule.message(lang).to_owned(),
                    });
                }
            }
            errors.append(&mut problems);
        }
    }
    Ok((rows, errors))
}

/// The words a facilitator may write for a sector besides its code and its full Indonesian or
/// English name ("makanan" for "Makanan & minuman").
fn sector_words(sector: Sector) -> &'static [&'static str] {
    match sector {
        Sector::FashionTextiles => &[
            "fesyen",
            "fashion",
            "tekstil",
            "textiles",
            "pakaian",
            "busana",
            "konveksi",
            "garmen",
            "fesyen dan tekstil",
        ],
        Sector::FoodBeverage => &[
            "makanan",
            "minuman",
            "kuliner",
            "food",
            "makanan dan minuman",
            "mamin",
        ],
        Sector::Crafts => &["kriya", "kerajinan", "kerajinan tangan", "crafts", "craft"],
        Sector::ProcessedAgriculture => &[
            "pertanian",
            "olahan pertanian",
            "hasil pertanian",
            "agrikultur",
            "agriculture",
        ],
        Sector::Other => &["lainnya", "lain-lain", "lain", "other"],
    }
}

/// A sector's code from its code, its Indonesian or English name, or a word for it
/// ([`sector_words`]); case, spaces and "&" versus "dan" do not matter.
fn sector_code(typed: &str) -> Option<String> {
    let plain = |text: &str| {
        text.to_lowercase()
            .replace('&', " dan ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let typed = plain(typed);
    Sector::ALL
        .into_iter()
        .find(|s| {
            typed == s.as_str()
                || typed == plain(s.label(Lang::Id))
                || typed == plain(s.label(Lang::En))
                || sector_words(*s).contains(&typed.as_str())
        })
        .map(|s| s.as_str().to_owned())
}

/// The CSV column of a core field.
fn column_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(_, core, _)| *core == field)
        .map_or("", |(csv, _, _)| csv)
}

/// Registers the parsed rows on the replica (skipping phones already registered) and pushes
/// them into the store. Blocks.
fn register(
    state: &AppState,
    lang: Lang,
    facilitator: Id,
    rows: Vec<ParsedRow>,
) -> Result<ImportReport, ApiError> {
    let replica = state.replica()?;
    replica.act(|core| {
        let mut report = ImportReport::default();
        for row in rows {
            if core.producer_by_phone(&row.producer.phone)?.is_some() {
                report.skipped += 1;
                continue;
            }
            match core.register_producer_for(&row.producer, facilitator) {
                Ok(_) => report.created += 1,
                Err(err) if err.code() == sentra_core::ErrorCode::Validation => {
                    for field in err.fields() {
                        report.errors.push(RowError {
                            line: row.line,
                            column: column_of(field.field).to_owned(),
                            message: field.rule.message(lang).to_owned(),
                        });
                    }
                }
                Err(err) => return Err(err),
            }
        }
        Ok(report)
    })
}

/// How many rows have at least one problem (a row may have several).
fn bad_rows(report: &ImportReport) -> usize {
    let mut lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    lines.dedup();
    lines.len()
}

fn render_import(
    lang: Lang,
    session: &WebSession,
    outcome: Option<Result<ImportReport, String>>,
    typed: &str,
) -> Markup {
    page(
        lang,
        t(lang, "Impor perajin", "Import producers"),
        "/dasbor/impor",
        html! {
            p { a href="/dasbor" { "← " (t(lang, "Dasbor", "Dashboard")) } }
            h1 { (t(lang, "Impor perajin dari CSV", "Import producers from CSV")) }
            @match &outcome {
                Some(Err(message)) => { p.error role="alert" { (message) } }
                Some(Ok(report)) => {
                    p.notice role="status" {
                        (t(lang, "Terdaftar baru:", "Registered now:")) " " strong { (report.created) } ". "
                        (t(lang, "Dilewati (nomor HP sudah terdaftar):", "Skipped (phone already registered):"))
                        " " strong { (report.skipped) } ". "
                        (t(lang, "Baris bermasalah:", "Rows with problems:")) " " strong { (bad_rows(report)) } "."
                    }
                    @if !report.errors.is_empty() {
                        table.errors {
                            thead { tr {
                                th { (t(lang, "Baris", "Row")) }
                                th { (t(lang, "Kolom", "Column")) }
                                th { (t(lang, "Masalah", "Problem")) }
                            } }
                            tbody {
                                @for e in &report.errors {
                                    tr { td.n { (e.line) } td { code { (e.column) } } td { (e.message) } }
                                }
                            }
                        }
                    }
                }
                None => {}
            }
            p {
                (t(lang,
                    "Isi satu perajin per baris. Perajin terdaftar atas nama Anda dan masuk ke ponsel Anda pada sinkronisasi berikutnya. Nomor HP yang sudah terdaftar dilewati, jadi berkas yang sama boleh diimpor ulang.",
                    "One producer per row. They are registered in your name and reach your phone on its next sync. Phone numbers already registered are skipped, so the same file may be imported again."))
            }
            p { a href="/dasbor/impor/templat.csv" download { (t(lang, "Unduh templat CSV", "Download the CSV template")) } }
            details {
                summary { (t(lang, "Kolom", "Columns")) }
                ul {
                    @for (csv, _, required) in COLUMNS {
                        li { code { (csv) } @if required { " *" } }
                    }
                }
                p.muted { (t(lang,
                    "* wajib. kode_wilayah: kode Kemendagri kabupaten/kota (4 digit), kecamatan atau desa. sektor: fesyen, makanan, kriya, pertanian atau lainnya (kode fashion_textiles, food_beverage, crafts, processed_agriculture, other juga boleh). sertifikasi: halal;pirt;sni;bpom. setuju_tayang: ya/tidak, dengan tanggal_setuju TTTT-BB-HH. pin: 6 digit (opsional) agar perajin bisa masuk di ponselnya sendiri.",
                    "* required. kode_wilayah: Kemendagri code of the regency or city (4 digits), district or village. sektor: fesyen, makanan, kriya, pertanian or lainnya (or the codes fashion_textiles, food_beverage, crafts, processed_agriculture, other). sertifikasi: halal;pirt;sni;bpom. setuju_tayang: yes/no, with tanggal_setuju YYYY-MM-DD. pin: 6 digits (optional) so the producer can sign in on their own phone.")) }
            }
            form method="post" action="/dasbor/impor" enctype="multipart/form-data" {
                (csrf_field(session))
                div.field {
                    label for="berkas" { (t(lang, "Berkas CSV", "CSV file")) }
                    input #berkas type="file" name="berkas" accept=".csv,text/csv";
                }
                div.field {
                    label for="teks" { (t(lang, "…atau tempel isi CSV di sini", "…or paste the CSV here")) }
                    textarea #teks name="teks" rows="8" { (typed) }
                }
                p { button type="submit" { (t(lang, "Impor", "Import")) } }
            }
        },
    )
}
