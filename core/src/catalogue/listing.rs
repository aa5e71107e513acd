//! Catalogue listing pages and full-text search.
//!
//! A page is one query: the products of the page are chosen first (by filter and sort, or by
//! search rank), and only those 50 rows are joined to their variants for price range and stock.
//! Search uses the FTS5 index: diacritics are folded and every word is matched as a prefix, so
//! "kaos" finds "Kaos Batik Pekalongan" and "kopi" finds "Kopí".

use crate::error::{Error, Result, Rule};
use crate::id::Id;
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// The largest page a caller may ask for.
pub const MAX_PAGE: u32 = 200;

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first (the default), also when searching: a phone answers a broad prefix such as
    /// "ba" from the index in order and stops at the page, instead of ranking every match.
    #[default]
    Newest,
    /// Best match first (BM25) when searching; with `only_ids` and no search, in the order
    /// given (a search ranked elsewhere); newest first otherwise. Ranks every match, so it
    /// costs more on broad searches.
    Relevance,
    /// Oldest first.
    Oldest,
    /// By name, A to Z.
    Name,
    /// Cheapest first.
    PriceLow,
    /// Dearest first.
    PriceHigh,
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductQuery {
    /// Only this producer's products.
    pub producer_id: Option<Id>,
    /// Words to search for; every word must match, as a prefix.
    pub search: Option<String>,
    /// Only this category (exact, case-insensitive).
    pub category: Option<String>,
    /// Only this status.
    pub status: Option<super::ProductStatus>,
    /// Only products with at least one variant in stock.
    pub in_stock: bool,
    /// Only producers in this region: a Kemendagri code prefix (province `33`, regency
    /// `3327`, …).
    #[serde(default)]
    pub region: Option<String>,
    /// Only members of this cooperative or cluster.
    #[serde(default)]
    pub organisation_id: Option<Id>,
    /// Only these products (at most 1,000): the matches of a search made elsewhere, such as
    /// the server's PostgreSQL full-text index.
    #[serde(default)]
    pub only_ids: Option<Vec<Id>>,
    /// Only products of producers who consented to publication (`consent_publish`): what a
    /// public page may show.
    #[serde(default)]
    pub published_only: bool,
    /// Order of the page.
    pub sort: Sort,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return, 1 to [`MAX_PAGE`].
    pub limit: u32,
}

/// One row of a listing page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductSummary {
    /// Product id.
    pub id: Id,
    /// Producer id.
    pub producer_id: Id,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Unit of sale.
    pub unit: String,
    /// Listing state.
    pub status: super::ProductStatus,
    /// Lowest price over its variants, in rupiah.
    pub min_price: i64,
    /// Highest price over its variants, in rupiah.
    pub max_price: i64,
    /// Stock summed over its variants.
    pub total_stock: i64,
    /// Number of variants.
    pub variant_count: i64,
    /// True when any variant is oversold.
    pub oversold: bool,
    /// Content hash of the first photo, if any.
    pub cover_photo: Option<String>,
    /// Content hash of the first photo's 320 px thumbnail (the photo itself if it has none).
    pub cover_thumb: Option<String>,
    /// When it was created (Unix ms).
    pub created_at: i64,
}

/// Turns what a person typed into an FTS5 query: each word quoted and matched as a prefix.
/// Returns `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn order_by(sort: Sort, searching: bool, prefix: &str) -> String {
    match (sort, searching) {
        (Sort::Relevance, true) => format!("{prefix}score, {prefix}rowid DESC"),
        (Sort::Newest, true) => format!("{prefix}rowid DESC"),
        (Sort::Newest | Sort::Relevance, false) => {
            format!("{prefix}created_at DESC, {prefix}rowid DESC")
        }
        (Sort::Oldest, _) => format!("{prefix}created_at, {prefix}rowid"),
        (Sort::Name, _) => format!("{prefix}name COLLATE NOCASE, {prefix}rowid"),
        (Sort::PriceLow, _) => format!("{prefix}price, {prefix}rowid"),
        (Sort::PriceHigh, _) => format!("{prefix}price DESC, {prefix}rowid"),
    }
}

/// The producers whose products a public page may show: those who consented to publication.
pub(crate) const PUBLISHED_PRODUCERS: &str = "SELECT id FROM producers WHERE consent_publish = 1";

/// The categories of listed products of producers who consented to publication, by name, at
/// most 100.
pub(crate) fn listed_categories(conn: &Connection) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT DISTINCT category FROM products WHERE status = 'listed' AND category <> '' \
         AND producer_id IN ({PUBLISHED_PRODUCERS}) ORDER BY category COLLATE NOCASE LIMIT 100"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The rows a query selects, before sorting and paging: its FTS5 query, its `FROM` and
/// `WHERE` clauses and their parameters, and the parameter numbers of `only_ids`, in order.
struct Selection {
    search: Option<String>,
    from: &'static str,
    filter: String,
    params: Vec<SqlValue>,
    id_marks: Vec<String>,
}

/// How many products a query selects over all its pages (for "12 produk" under a filter).
pub(crate) fn count(conn: &Connection, q: &ProductQuery) -> Result<u64> {
    let Selection {
        from,
        filter,
        params,
        ..
    } = selection(q)?;
    let sql = format!("SELECT count(*) FROM {from} {filter}");
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn selection(q: &ProductQuery) -> Result<Selection> {
    let search = q.search.as_deref().and_then(fts_query);
    let mut filters: Vec<String> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    let mut id_marks: Vec<String> = Vec::new();
    let mut bind = |filters: &mut Vec<String>, sql: &str, value: SqlValue| {
        params.push(value);
        filters.push(sql.replace('?', &format!("?{}", params.len())));
    };
    if let Some(fts) = &search {
        bind(
            &mut filters,
            "products_fts MATCH ?",
            SqlValue::Text(fts.clone()),
        );
    }
    if let Some(producer) = q.producer_id {
        bind(
            &mut filters,
            "p.producer_id = ?",
            SqlValue::Blob(producer.as_bytes().to_vec()),
        );
    }
    if let Some(category) = &q.category {
        bind(
            &mut filters,
            "p.category = ? COLLATE NOCASE",
            SqlValue::Text(category.clone()),
        );
    }
    if let Some(status) = q.status {
        bind(
            &mut filters,
            "p.status = ?",
            SqlValue::Text(status.as_str().to_owned()),
        );
    }
    if let Some(region) = &q.region {
        if region.is_empty() || region.len() > 10 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::field("region", Rule::RegionCode));
        }
        bind(
            &mut filters,
            "p.producer_id IN (SELECT id FROM producers WHERE substr(region_code, 1, length(?)) = ?)",
            SqlValue::Text(region.clone()),
        );
    }
    if let Some(organisation) = q.organisation_id {
        bind(
            &mut filters,
            "p.producer_id IN (SELECT producer_id FROM organisation_members WHERE organisation_id = ?)",
            SqlValue::Blob(organisation.as_bytes().to_vec()),
        );
    }
    if let Some(ids) = &q.only_ids {
        if ids.len() > 1_000 {
            return Err(Error::field("only_ids", Rule::TooLong));
        }
        for id in ids {
            params.push(SqlValue::Blob(id.as_bytes().to_vec()));
            id_marks.push(format!("?{}", params.len()));
        }
        filters.push(if id_marks.is_empty() {
            "0".to_owned()
        } else {
            format!("p.id IN ({})", id_marks.join(", "))
        });
    }
    if q.published_only {
        filters.push(format!("p.producer_id IN ({PUBLISHED_PRODUCERS})"));
    }
    if q.in_stock {
        filters.push(
            "EXISTS (SELECT 1 FROM variants v WHERE v.id BETWEEN sentra_first_child(p.id) \
             AND sentra_last_child(p.id) AND v.product_id = p.id AND v.removed = 0 \
             AND v.stock > 0)"
                .into(),
        );
    }
    let from = if search.is_some() {
        "products_fts JOIN products p ON p.rowid = products_fts.rowid"
    } else {
        "products p"
    };
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    Ok(Selection {
        search,
        from,
        filter,
        params,
        id_marks,
    })
}

/// One page of products.
pub(crate) fn list(conn: &Connection, q: &ProductQuery) -> Result<Vec<ProductSummary>> {
    if q.limit == 0 || q.limit > MAX_PAGE {
        return Err(Error::field("limit", Rule::OutOfRange));
    }
    let Selection {
        search,
        from,
        filter,
        mut params,
        id_marks,
    } = selection(q)?;
    // Matches of a search made elsewhere (PostgreSQL's index) come best first: by relevance,
    // they keep that order.
    let by_given_order = q.sort == Sort::Relevance && search.is_none() && !id_marks.is_empty();
    let given_order = |prefix: &str| {
        let whens: String = id_marks
            .iter()
            .enumerate()
            .map(|(i, mark)| format!(" WHEN {mark} THEN {i}"))
            .collect();
        format!("CASE {prefix}id{whens} END, {prefix}rowid DESC")
    };
    params.push(SqlValue::Integer(i64::from(q.limit)));
    let limit_at = params.len();
    params.push(SqlValue::Integer(i64::from(q.offset)));
    let offset_at = params.len();
    let sql = format!(
        "WITH page AS (
             SELECT p.rowid AS rowid, p.id, p.producer_id, p.name, p.category, p.unit, p.status,
                    p.price, p.created_at, {score} AS score
             FROM {from} {filter}
             ORDER BY {inner} LIMIT ?{limit_at} OFFSET ?{offset_at})
         SELECT page.id, page.producer_id, page.name, page.category, page.unit, page.status,
                min(coalesce(v.price, page.price)), max(coalesce(v.price, page.price)),
                coalesce(sum(v.stock), 0), count(v.id), coalesce(min(v.stock) < 0, 0),
                (SELECT hash FROM photos f WHERE f.owner_id = page.id ORDER BY f.position LIMIT 1),
                page.created_at, page.price,
                (SELECT coalesce(thumb_hash, hash) FROM photos f WHERE f.owner_id = page.id
                 ORDER BY f.position LIMIT 1)
         FROM page LEFT JOIN variants v
              ON v.id BETWEEN sentra_first_child(page.id) AND sentra_last_child(page.id)
                 AND v.product_id = page.id AND v.removed = 0
         GROUP BY page.rowid ORDER BY {outer}",
        score = if search.is_some() {
            "products_fts.rank"
        } else {
            "0"
        },
        inner = if by_given_order {
            given_order("p.")
        } else if search.is_some() && q.sort == Sort::Newest {
            // FTS5 walks its doclists in rowid order and stops at the page.
            "products_fts.rowid DESC".to_owned()
        } else {
            order_by(q.sort, search.is_some(), "p.").replace("p.score", "products_fts.rank")
        },
        outer = if by_given_order {
            given_order("page.")
        } else {
            order_by(q.sort, search.is_some(), "page.")
        },
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
        let status: String = r.get(5)?;
        let base: i64 = r.get(13)?;
        Ok(ProductSummary {
            id: r.get(0)?,
            producer_id: r.get(1)?,
            name: r.get(2)?,
            category: r.get(3)?,
            unit: r.get(4)?,
            status: super::ProductStatus::parse(&status).unwrap_or(super::ProductStatus::Draft),
            min_price: r.get::<_, Option<i64>>(6)?.unwrap_or(base),
            max_price: r.get::<_, Option<i64>>(7)?.unwrap_or(base),
            total_stock: r.get(8)?,
            variant_count: r.get(9)?,
            oversold: r.get(10)?,
            cover_photo: r.get(11)?,
            cover_thumb: r.get(14)?,
            created_at: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::{ProductQuery, fts_query, list};
    use crate::catalogue::{NewProduct, NewVariant};
    use crate::producers::NewProducer;
    use rusqlite::StatementStatus;
    use rusqlite::trace::{TraceEvent, TraceEventCodes};
    use std::sync::{Arc, Mutex};

    /// The first page of a big catalogue reads about a page of products, not the catalogue:
    /// its plan walks `products_newest` in the page's order and stops at the `LIMIT`. SQLite
    /// counts the rows a statement steps through in full scans
    /// (`SQLITE_STMTSTATUS_FULLSCAN_STEP`); the page's statements are counted as they finish,
    /// on a reader opened as the store opens them. Today a page steps through 49 rows, 98 for
    /// the in-stock page (half are sold out); planned as a sort of the whole catalogue (with
    /// the index dropped) it steps through all 1,500. No test looked at a phone's plans before:
    /// on 2026-12-04 a setting that changed them (SQLite's planner stability guarantee) made
    /// `scripts/bench store`'s first page 115 ms instead of 0.5 on 50,000 products, with every
    /// test green. At 1,500 products that setting leaves this plan as it is, so this does not
    /// catch that case; it catches a page that sorts the catalogue.
    #[test]
    fn a_first_page_of_a_big_catalogue_steps_through_a_page_not_the_catalogue() {
        const PRODUCTS: usize = 1_500;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sentra.db");
        let sentra = crate::Sentra::open(&path).unwrap();
        let producer = sentra
            .register_producer(&NewProducer {
                business_name: "Tenun Ikat Sumba".into(),
                owner_name: "Maria Ndapa".into(),
                phone: "0812-3456-7890".into(),
                address: "Jl. Waingapu 3".into(),
                region_code: "5302".into(),
                sector: "fashion_textiles".into(),
                workforce: 4,
                year_founded: None,
                nib: None,
                certifications: vec![],
                consent_publish: true,
                consent_date: Some("2026-11-01".into()),
                activation_pin: None,
            })
            .unwrap();
        for i in 0..PRODUCTS {
            sentra
                .create_product(&NewProduct {
                    producer_id: producer.to_string(),
                    name: format!("Kain tenun {i}"),
                    description: "Tenun ikat, pewarna alam.".into(),
                    category: "Kain".into(),
                    unit: "pcs".into(),
                    price: 450_000,
                    min_order: 1,
                    weight_g: 400,
                    length_cm: 30,
                    width_cm: 20,
                    height_cm: 3,
                    status: "listed".into(),
                    tiers: vec![],
                    variants: vec![NewVariant {
                        sku: String::new(),
                        options: vec![],
                        price: None,
                        // Every other one sold out, so the in-stock page skips some.
                        initial_stock: (i % 2) as i64,
                    }],
                })
                .unwrap();
        }

        let mut conn = crate::db::open::open_reader(&path).unwrap();
        let steps = Arc::new(Mutex::new(Vec::new()));
        let counted = Arc::clone(&steps);
        conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_PROFILE,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Profile(statement, _) = event {
                    counted
                        .lock()
                        .unwrap()
                        .push(statement.get_status(StatementStatus::FullscanStep));
                }
            }),
        )
        .unwrap();
        for in_stock in [false, true] {
            steps.lock().unwrap().clear();
            let page = list(
                &conn,
                &ProductQuery {
                    limit: 50,
                    in_stock,
                    ..ProductQuery::default()
                },
            )
            .unwrap();
            assert_eq!(page.len(), 50);
            let stepped: i32 = steps.lock().unwrap().iter().sum();
            assert!(
                stepped < 500,
                "the first page (in stock only: {in_stock}) stepped through {stepped} rows \
                 of {PRODUCTS} products"
            );
        }
    }

    #[test]
    fn every_word_becomes_a_quoted_prefix() {
        assert_eq!(
            fts_query("kaos batik").as_deref(),
            Some("\"kaos\"* \"batik\"*")
        );
        assert_eq!(
            fts_query("  \"AND\" OR ( * ").as_deref(),
            Some("\"AND\"* \"OR\"*")
        );
        assert_eq!(fts_query("--- ()"), None);
    }
}
