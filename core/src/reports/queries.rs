//! The SQL behind [`super::Report`]: one common table of the producers in scope, one of the
//! money flows (orders and direct sales) of those producers in the period, and a small query
//! per chart over them.

use super::{
    Channel, ChannelSplit, MonthFigures, ProducerGroup, Reach, ReachFigures, RegionFigures, Report,
    ReportFilter, ReportScope, parse_month,
};
use crate::error::Result;
use crate::id::Id;
use crate::regions;
use rusqlite::types::Value;
use rusqlite::{Connection, Statement, ToSql};
use std::collections::BTreeMap;

/// The producers in scope: the region filter (a code prefix) and the account's scope.
const SCOPED: &str = "scoped AS ( \
    SELECT p.id, p.region_code, p.sector, p.workforce FROM producers p \
    WHERE (:region = '' OR substr(p.region_code, 1, length(:region)) = :region) \
      AND (:scope = 'all' \
        OR (:scope = 'admin_of' AND p.id IN ( \
              SELECT m.producer_id FROM organisation_members m \
              JOIN organisation_admins a ON a.organisation_id = m.organisation_id \
              WHERE a.user_id = :user)) \
        OR (:scope = 'registered_by' AND p.registered_by = :user_text)))";

/// The money flows of the producers in scope within the period: orders that were not rejected
/// or cancelled (month in UTC+7), and direct sales from the ledger.
const FLOWS: &str = "flows AS ( \
    SELECT p.region_code AS region, o.channel AS channel, \
           strftime('%Y-%m', o.created_at / 1000 + 25200, 'unixepoch') AS month, \
           o.total AS amount, o.buyer_regency AS buyer_regency \
    FROM orders o JOIN scoped p ON p.id = o.producer_id \
    WHERE o.status NOT IN ('rejected', 'cancelled') \
    UNION ALL \
    SELECT p.region_code, 'direct', substr(s.sold_on, 1, 7), s.quantity * s.unit_price, NULL \
    FROM sales s JOIN variants v ON v.id = s.variant_id \
    JOIN products pr ON pr.id = v.product_id JOIN scoped p ON p.id = pr.producer_id), \
  period AS ( \
    SELECT * FROM flows WHERE (:from = '' OR month >= :from) AND (:to = '' OR month <= :to))";

/// The named parameters every query binds.
struct Params {
    region: String,
    scope: &'static str,
    user: Value,
    user_text: String,
    from: String,
    to: String,
}

impl Params {
    fn of(filter: &ReportFilter) -> Params {
        let (scope, user) = match filter.scope {
            ReportScope::All => ("all", None),
            ReportScope::AdminOf(user) => ("admin_of", Some(user)),
            ReportScope::RegisteredBy(user) => ("registered_by", Some(user)),
        };
        Params {
            region: filter.region.clone(),
            scope,
            user: user.map_or(Value::Null, |u: Id| Value::Blob(u.as_bytes().to_vec())),
            user_text: user.map(|u| u.to_string()).unwrap_or_default(),
            from: filter.from_month.clone(),
            to: filter.to_month.clone(),
        }
    }

    /// The parameters a statement names, from this set and `extra`.
    fn bind<'a>(
        &'a self,
        stmt: &Statement<'_>,
        extra: &'a [(&'static str, &'a dyn ToSql)],
    ) -> Vec<(&'static str, &'a dyn ToSql)> {
        let all: [(&'static str, &dyn ToSql); 6] = [
            (":region", &self.region),
            (":scope", &self.scope),
            (":user", &self.user),
            (":user_text", &self.user_text),
            (":from", &self.from),
            (":to", &self.to),
        ];
        all.into_iter()
            .chain(extra.iter().copied())
            .filter(|(name, _)| matches!(stmt.parameter_index(name), Ok(Some(_))))
            .collect()
    }
}

/// Computes the whole report in one read transaction.
pub(crate) fn report(conn: &Connection, filter: &ReportFilter) -> Result<Report> {
    let filter = filter.checked()?;
    let params = Params::of(&filter);
    let tx = conn.unchecked_transaction()?;
    let report = Report {
        by_province: producer_groups(&tx, &params, "substr(c.region_code, 1, 2)")?,
        by_regency: producer_groups(&tx, &params, "substr(c.region_code, 1, 4)")?,
        by_sector: producer_groups(&tx, &params, "c.sector")?,
        by_cluster: cluster_groups(&tx, &params)?,
        channels: channels(&tx, &params)?,
        by_region: by_region(&tx, &params, &filter)?,
        by_month: by_month(&tx, &params, &filter)?,
        reach: reach(&tx, &params)?,
    };
    tx.finish()?;
    Ok(report)
}

/// The producers in scope with their listed products, grouped by `key` (an expression over
/// `c`).
fn producer_groups(conn: &Connection, params: &Params, key: &str) -> Result<Vec<ProducerGroup>> {
    let sql = format!(
        "WITH {SCOPED}, counted AS ( \
           SELECT s.*, (SELECT count(*) FROM products pr \
                        WHERE pr.producer_id = s.id AND pr.status = 'listed') AS listed \
           FROM scoped s) \
         SELECT {key} AS k, count(*), coalesce(sum(c.workforce), 0), coalesce(sum(c.listed), 0) \
         FROM counted c GROUP BY k ORDER BY 2 DESC, k"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt, &[]);
    let rows = stmt.query_map(bound.as_slice(), |r| {
        let key: String = r.get(0)?;
        Ok(ProducerGroup {
            name: region_name(&key).unwrap_or_else(|| key.clone()),
            key,
            producers: r.get(1)?,
            workforce: r.get(2)?,
            listed_products: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The producers in scope grouped by cluster or cooperative (none: an empty key).
fn cluster_groups(conn: &Connection, params: &Params) -> Result<Vec<ProducerGroup>> {
    let sql = format!(
        "WITH {SCOPED}, counted AS ( \
           SELECT s.*, (SELECT count(*) FROM products pr \
                        WHERE pr.producer_id = s.id AND pr.status = 'listed') AS listed \
           FROM scoped s) \
         SELECT m.organisation_id, coalesce(o.name, ''), count(*), \
                coalesce(sum(c.workforce), 0), coalesce(sum(c.listed), 0) \
         FROM counted c \
         LEFT JOIN organisation_members m ON m.producer_id = c.id \
         LEFT JOIN organisations o ON o.id = m.organisation_id \
         GROUP BY m.organisation_id ORDER BY 3 DESC, 2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt, &[]);
    let rows = stmt.query_map(bound.as_slice(), |r| {
        let id: Option<Id> = r.get(0)?;
        Ok(ProducerGroup {
            key: id.map(|id| id.to_string()).unwrap_or_default(),
            name: r.get(1)?,
            producers: r.get(2)?,
            workforce: r.get(3)?,
            listed_products: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counts and revenue per channel.
fn channels(conn: &Connection, params: &Params) -> Result<ChannelSplit> {
    let sql = format!(
        "WITH {SCOPED}, {FLOWS} \
         SELECT channel, count(*), coalesce(sum(amount), 0) FROM period GROUP BY channel"
    );
    let mut split = ChannelSplit::default();
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt, &[]);
    let mut rows = stmt.query(bound.as_slice())?;
    while let Some(row) = rows.next()? {
        let code: String = row.get(0)?;
        if let Some(channel) = Channel::parse(&code) {
            split.add(channel, row.get(1)?, row.get(2)?);
        }
    }
    Ok(split)
}

/// Per channel by the producer's region: provinces, or one level below the region filter.
fn by_region(
    conn: &Connection,
    params: &Params,
    filter: &ReportFilter,
) -> Result<Vec<RegionFigures>> {
    let len: i64 = match filter.region.len() {
        0 => 2,
        2 => 4,
        4 => 6,
        _ => 10,
    };
    let sql = format!(
        "WITH {SCOPED}, {FLOWS} \
         SELECT substr(region, 1, :len) AS r, channel, count(*), coalesce(sum(amount), 0) \
         FROM period GROUP BY r, channel"
    );
    let extra: [(&'static str, &dyn ToSql); 1] = [(":len", &len)];
    let mut regions_seen: BTreeMap<String, ChannelSplit> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt, &extra);
    let mut rows = stmt.query(bound.as_slice())?;
    while let Some(row) = rows.next()? {
        let code: String = row.get(0)?;
        let channel: String = row.get(1)?;
        if let Some(channel) = Channel::parse(&channel) {
            regions_seen
                .entry(code)
                .or_default()
                .add(channel, row.get(2)?, row.get(3)?);
        }
    }
    let mut figures: Vec<RegionFigures> = regions_seen
        .into_iter()
        .map(|(code, split)| RegionFigures {
            name: region_name(&code).unwrap_or_else(|| code.clone()),
            code,
            split,
        })
        .collect();
    figures.sort_by(|a, b| {
        b.split
            .total_revenue()
            .cmp(&a.split.total_revenue())
            .then_with(|| a.code.cmp(&b.code))
    });
    Ok(figures)
}

/// Per channel by month, oldest first; months without a flow between the first and the last
/// (or the filter's bounds) are filled in with zeros.
fn by_month(
    conn: &Connection,
    params: &Params,
    filter: &ReportFilter,
) -> Result<Vec<MonthFigures>> {
    let sql = format!(
        "WITH {SCOPED}, {FLOWS} \
         SELECT month, channel, count(*), coalesce(sum(amount), 0) FROM period \
         WHERE month IS NOT NULL GROUP BY month, channel"
    );
    let mut months: BTreeMap<String, ChannelSplit> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt, &[]);
    let mut rows = stmt.query(bound.as_slice())?;
    while let Some(row) = rows.next()? {
        let month: String = row.get(0)?;
        let channel: String = row.get(1)?;
        if let Some(channel) = Channel::parse(&channel) {
            months
                .entry(month)
                .or_default()
                .add(channel, row.get(2)?, row.get(3)?);
        }
    }
    let first = (!filter.from_month.is_empty())
        .then(|| filter.from_month.clone())
        .or_else(|| months.keys().next().cloned());
    let last = (!filter.to_month.is_empty())
        .then(|| filter.to_month.clone())
        .or_else(|| months.keys().next_back().cloned());
    if let (Some((mut y, mut m)), Some(end)) = (
        first.as_deref().and_then(parse_month),
        last.as_deref().and_then(parse_month),
    ) {
        // At most 25 years of months, whatever the bounds say.
        for _ in 0..300 {
            if (y, m) > end {
                break;
            }
            months.entry(format!("{y:04}-{m:02}")).or_default();
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
    }
    Ok(months
        .into_iter()
        .map(|(month, split)| MonthFigures { month, split })
        .collect())
}

/// Orders by how far the buyer's delivery regency is from the producer's region.
fn reach(conn: &Connection, params: &Params) -> Result<Vec<ReachFigures>> {
    let sql = format!(
        "WITH {SCOPED}, {FLOWS} \
         SELECT CASE \
                  WHEN buyer_regency = substr(region, 1, 4) THEN 'same_regency' \
                  WHEN substr(buyer_regency, 1, 2) = substr(region, 1, 2) THEN 'same_province' \
                  ELSE 'other_province' END AS reach, \
                count(*), coalesce(sum(amount), 0) \
         FROM period WHERE channel <> 'direct' GROUP BY reach"
    );
    let mut figures: Vec<ReachFigures> = Reach::ALL
        .into_iter()
        .map(|reach| ReachFigures {
            reach,
            orders: 0,
            revenue: 0,
        })
        .collect();
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt, &[]);
    let mut rows = stmt.query(bound.as_slice())?;
    while let Some(row) = rows.next()? {
        let code: String = row.get(0)?;
        if let Some(figure) = figures.iter_mut().find(|f| f.reach.as_str() == code) {
            figure.orders = row.get(1)?;
            figure.revenue = row.get(2)?;
        }
    }
    Ok(figures)
}

/// The name of a province (2 digits) or regency (4 digits); other codes have none here.
fn region_name(code: &str) -> Option<String> {
    match code.len() {
        2 if code.bytes().all(|b| b.is_ascii_digit()) => {
            regions::province(code).map(|p| p.name.clone())
        }
        4 if code.bytes().all(|b| b.is_ascii_digit()) => {
            regions::regency(code).map(|r| r.name.clone())
        }
        _ => None,
    }
}
