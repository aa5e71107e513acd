//! The dashboard's CSV exports: `GET /dasbor/ekspor/{chart}.csv`, one chart's table with the
//! dashboard's filters and access rules (see [`super::dashboard`] for the columns).
//!
//! Made for Excel with Indonesian settings, where the comma is the decimal mark and the list
//! separator is `;`: the file starts with a UTF-8 byte-order mark (so "Rp" and names with
//! accents read right), cells are separated by `;`, headers are the page's own column names
//! (in the page's language, money columns marked "(Rp)"), and figures are plain integers.
//! No `sep=` line: Excel ignores the byte-order mark when one is there.

use super::dashboard::{CHARTS, Filters, Outcome, figures};
use super::report_tables::{Table, tables};
use super::session::{forbidden, to_sign_in};
use super::{Lang, error_page, lang_of, t};
use crate::error::ApiError;
use crate::{AppState, blocking};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

pub(super) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(file): Path<String>,
    Query(filters): Query<Filters>,
) -> Response {
    let lang = lang_of(&headers, filters.lang.as_deref());
    let Some(slug) = file.strip_suffix(".csv").filter(|s| CHARTS.contains(s)) else {
        return error_page(lang, &ApiError::NotFound);
    };
    let slug = slug.to_owned();
    let outcome = {
        let (headers, filters) = (headers.clone(), filters.clone());
        blocking(move || figures(&state, &headers, &filters)).await
    };
    let here = uri
        .path_and_query()
        .map_or("/dasbor".to_owned(), |p| p.as_str().to_owned());
    let report = match outcome {
        Ok(Outcome::SignIn) => return to_sign_in(&here),
        Ok(Outcome::Forbidden(session)) => return forbidden(lang, &session),
        Ok(Outcome::BadFilter(..)) => return error_page(lang, &ApiError::BadBody),
        Ok(Outcome::Figures(_, report)) => report,
        Err(err) => return error_page(lang, &err),
    };
    let Some(table) = tables(lang, &report).into_iter().find(|t| t.slug == slug) else {
        return error_page(lang, &ApiError::NotFound);
    };
    match to_csv(lang, &table) {
        Ok(body) => {
            let mut response = body.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(value) =
                HeaderValue::from_str(&format!("attachment; filename=\"sentra-{slug}.csv\""))
            {
                h.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(err) => error_page(lang, &err),
    }
}

/// The byte-order mark that tells Excel the file is UTF-8.
pub(crate) const BOM: &str = "\u{feff}";

/// A chart's table as CSV: `Kode`, `Nama`, then its columns' names. Every text cell (the
/// header, the key such as a month or a region code, the name) is made spreadsheet-safe and
/// quoted, so neither a leading `=` nor a separator inside it does anything in a spreadsheet
/// of any locale; the figures stay bare numbers.
fn to_csv(lang: Lang, table: &Table) -> Result<Vec<u8>, ApiError> {
    let fail = |e: csv::Error| ApiError::Internal(e.to_string());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(BOM.as_bytes().to_vec());
    let mut header = vec![
        t(lang, "Kode", "Code").to_owned(),
        t(lang, "Nama", "Name").to_owned(),
    ];
    header.extend(table.columns.iter().map(|c| {
        spreadsheet_safe(&if c.money {
            format!("{} (Rp)", c.head)
        } else {
            c.head.clone()
        })
    }));
    writer.write_record(&header).map_err(fail)?;
    for row in &table.rows {
        let mut record = vec![spreadsheet_safe(&row.key), spreadsheet_safe(&row.name)];
        record.extend(row.values.iter().map(i64::to_string));
        writer.write_record(&record).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Text that a spreadsheet will not run as a formula (names, dates and codes come from users):
/// a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
pub(crate) fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn every_formula_lead_is_neutralised() {
        for bad in ["=1+2+3", "+62", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_safe(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(spreadsheet_safe("2026-11"), "2026-11");
    }
}
