//! The SQL behind [`super::Report`]. Two passes do all the work: one over the producers in
//! scope (grouped by regency and sector, with a second small one by cluster), and one over the
//! money flows (orders and direct sales) grouped by region, channel, month and reach. Every
//! chart is then summed from those groups here, so the tables scan each big table once.
//!
//! The joins are written with `CROSS JOIN`, which SQLite keeps in the written order: each flow
//! row looks its producer up by primary key, rather than each producer scanning the orders
//! (which have no index by producer).

use super::{
    Channel, ChannelSplit, MonthFigures, ProducerGroup, Reach, ReachFigures, RegionFigures, Report,
    ReportFilter, ReportScope, parse_month,
};
use crate::error::Result;
use crate::id::Id;
use crate::regions;
use rusqlite::types::Value;
use rusqlite::{Connection, Statement, ToSql};
use std::collections::{BTreeMap, HashMap};

/// Whether producer `p` is in scope: the region filter (a code prefix), the account's scope,
/// and the sector and organisation filters.
const IN_SCOPE: &str = "(:region = '' OR substr(p.region_code, 1, length(:region)) = :region) \
      AND (:scope = 'all' \
        OR (:scope = 'admin_of' AND p.id IN ( \
              SELECT m.producer_id FROM organisation_members m \
              JOIN organisation_admins a ON a.organisation_id = m.organisation_id \
              WHERE a.user_id = :user)) \
        OR (:scope = 'registered_by' AND p.registered_by = :user_text)) \
      AND (:sector = '' OR p.sector = :sector) \
      AND (:org IS NULL OR p.id IN ( \
              SELECT om.producer_id FROM organisation_members om WHERE om.organisation_id = :org))";

/// Products listed now by producer `p`.
const LISTED: &str = "(SELECT count(*) FROM products pr \
      WHERE pr.producer_id = p.id AND pr.status = 'listed')";

/// The named parameters the statements bind.
struct Params {
    region: String,
    scope: &'static str,
    user: Value,
    user_text: String,
    from: String,
    to: String,
    region_len: i64,
    sector: String,
    organisation: Value,
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
            // Money by region: provinces, or one level below the region filter.
            region_len: match filter.region.len() {
                0 => 2,
                2 => 4,
                4 => 6,
                _ => 10,
            },
            sector: filter.sector.clone(),
            organisation: filter
                .organisation
                .parse::<Id>()
                .map_or(Value::Null, |id| Value::Blob(id.as_bytes().to_vec())),
        }
    }

    /// The parameters a statement names.
    fn bind(&self, stmt: &Statement<'_>) -> Vec<(&'static str, &dyn ToSql)> {
        let all: [(&'static str, &dyn ToSql); 9] = [
            (":sector", &self.sector),
            (":org", &self.organisation),
            (":region", &self.region),
            (":scope", &self.scope),
            (":user", &self.user),
            (":user_text", &self.user_text),
            (":from", &self.from),
            (":to", &self.to),
            (":len", &self.region_len),
        ];
        all.into_iter()
            .filter(|(name, _)| matches!(stmt.parameter_index(name), Ok(Some(_))))
            .collect()
    }
}

/// Computes the whole report in one read transaction.
pub(crate) fn report(conn: &Connection, filter: &ReportFilter) -> Result<Report> {
    let filter = filter.checked()?;
    let params = Params::of(&filter);
    let tx = conn.unchecked_transaction()?;
    let (by_province, by_regency, by_sector) = producer_groups(&tx, &params)?;
    let by_cluster = cluster_groups(&tx, &params)?;
    let flows = flows(&tx, &params, &filter)?;
    tx.finish()?;
    Ok(Report {
        by_province,
        by_regency,
        by_sector,
        by_cluster,
        channels: flows.channels,
        by_region: flows.by_region,
        by_month: flows.by_month,
        reach: flows.reach,
    })
}

/// Counts of producers, workforce and listed products, summed by key.
#[derive(Default)]
struct Tally {
    producers: i64,
    workforce: i64,
    listed: i64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.producers += other.producers;
        self.workforce += other.workforce;
        self.listed += other.listed;
    }
}

/// Groups, most producers first, then by key.
fn ranked(groups: HashMap<String, (String, Tally)>) -> Vec<ProducerGroup> {
    let mut out: Vec<ProducerGroup> = groups
        .into_iter()
        .map(|(key, (name, tally))| ProducerGroup {
            key,
            name,
            producers: tally.producers,
            workforce: tally.workforce,
            listed_products: tally.listed,
        })
        .collect();
    out.sort_by(|a, b| {
        b.producers
            .cmp(&a.producers)
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

type Groups = (Vec<ProducerGroup>, Vec<ProducerGroup>, Vec<ProducerGroup>);

/// The producers in scope by province, regency and sector, from one pass grouped by regency
/// and sector.
fn producer_groups(conn: &Connection, params: &Params) -> Result<Groups> {
    let sql = format!(
        "SELECT substr(p.region_code, 1, 4), p.sector, count(*), coalesce(sum(p.workforce), 0), \
                coalesce(sum({LISTED}), 0) \
         FROM producers p WHERE {IN_SCOPE} GROUP BY 1, 2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt);
    let mut rows = stmt.query(bound.as_slice())?;
    let mut provinces: HashMap<String, (String, Tally)> = HashMap::new();
    let mut regencies: HashMap<String, (String, Tally)> = HashMap::new();
    let mut sectors: HashMap<String, (String, Tally)> = HashMap::new();
    while let Some(row) = rows.next()? {
        let regency: String = row.get(0)?;
        let sector: String = row.get(1)?;
        let tally = Tally {
            producers: row.get(2)?,
            workforce: row.get(3)?,
            listed: row.get(4)?,
        };
        let province: String = regency.chars().take(2).collect();
        for (map, key) in [
            (&mut provinces, province),
            (&mut regencies, regency),
            (&mut sectors, sector),
        ] {
            map.entry(key.clone())
                .or_insert_with(|| (region_name(&key).unwrap_or(key), Tally::default()))
                .1
                .add(&tally);
        }
    }
    Ok((ranked(provinces), ranked(regencies), ranked(sectors)))
}

/// The producers in scope by cluster or cooperative (an empty key for those in none).
fn cluster_groups(conn: &Connection, params: &Params) -> Result<Vec<ProducerGroup>> {
    let sql = format!(
        "SELECT m.organisation_id, coalesce(o.name, ''), count(*), \
                coalesce(sum(p.workforce), 0), coalesce(sum({LISTED}), 0) \
         FROM organisation_members m CROSS JOIN producers p \
         LEFT JOIN organisations o ON o.id = m.organisation_id \
         WHERE p.id = m.producer_id AND {IN_SCOPE} \
         GROUP BY m.organisation_id \
         UNION ALL \
         SELECT NULL, '', count(*), coalesce(sum(p.workforce), 0), coalesce(sum({LISTED}), 0) \
         FROM producers p \
         WHERE p.id NOT IN (SELECT producer_id FROM organisation_members) AND {IN_SCOPE}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt);
    let mut rows = stmt.query(bound.as_slice())?;
    let mut groups = HashMap::new();
    while let Some(row) = rows.next()? {
        let id: Option<Id> = row.get(0)?;
        let tally = Tally {
            producers: row.get(2)?,
            workforce: row.get(3)?,
            listed: row.get(4)?,
        };
        if tally.producers > 0 {
            let key = id.map(|id| id.to_string()).unwrap_or_default();
            groups.insert(key, (row.get(1)?, tally));
        }
    }
    Ok(ranked(groups))
}

/// The money charts, summed from one grouped pass.
struct Flows {
    channels: ChannelSplit,
    by_region: Vec<RegionFigures>,
    by_month: Vec<MonthFigures>,
    reach: Vec<ReachFigures>,
}

/// Orders not rejected or cancelled (their month in UTC+7) and direct sales, of the producers
/// in scope within the period, grouped by the producer's region, channel, month and reach.
fn flows(conn: &Connection, params: &Params, filter: &ReportFilter) -> Result<Flows> {
    let sql = format!(
        "WITH flows AS ( \
           SELECT p.region_code AS region, o.channel AS channel, \
                  strftime('%Y-%m', o.created_at / 1000 + 25200, 'unixepoch') AS month, \
                  o.total AS amount, o.buyer_regency AS buyer \
           FROM orders o CROSS JOIN producers p \
           WHERE p.id = o.producer_id AND o.status NOT IN ('rejected', 'cancelled') \
             AND {IN_SCOPE} \
           UNION ALL \
           SELECT p.region_code, 'direct', substr(s.sold_on, 1, 7), s.quantity * s.unit_price, \
                  NULL \
           FROM sales s CROSS JOIN variants v CROSS JOIN products pr CROSS JOIN producers p \
           WHERE v.id = s.variant_id AND pr.id = v.product_id AND p.id = pr.producer_id \
             AND NOT EXISTS (SELECT 1 FROM sale_voids sv WHERE sv.sale_id = s.id) \
             AND {IN_SCOPE}) \
         SELECT substr(region, 1, :len), channel, month, \
                CASE WHEN buyer IS NULL THEN '' \
                     WHEN buyer = substr(region, 1, 4) THEN 'same_regency' \
                     WHEN substr(buyer, 1, 2) = substr(region, 1, 2) THEN 'same_province' \
                     ELSE 'other_province' END, \
                count(*), CAST(total(amount) AS INTEGER) \
         FROM flows \
         WHERE month IS NOT NULL AND (:from = '' OR month >= :from) AND (:to = '' OR month <= :to) \
         GROUP BY 1, 2, 3, 4"
    );
    let mut channels = ChannelSplit::default();
    let mut regions_seen: BTreeMap<String, ChannelSplit> = BTreeMap::new();
    let mut months: BTreeMap<String, ChannelSplit> = BTreeMap::new();
    let mut reach: Vec<ReachFigures> = Reach::ALL
        .into_iter()
        .map(|reach| ReachFigures {
            reach,
            orders: 0,
            revenue: 0,
        })
        .collect();
    let mut stmt = conn.prepare_cached(&sql)?;
    let bound = params.bind(&stmt);
    let mut rows = stmt.query(bound.as_slice())?;
    while let Some(row) = rows.next()? {
        let region: String = row.get(0)?;
        let channel: String = row.get(1)?;
        let month: String = row.get(2)?;
        let reach_code: String = row.get(3)?;
        let (count, amount): (i64, i64) = (row.get(4)?, row.get(5)?);
        let Some(channel) = Channel::parse(&channel) else {
            continue;
        };
        channels.add(channel, count, amount);
        regions_seen
            .entry(region)
            .or_default()
            .add(channel, count, amount);
        months.entry(month).or_default().add(channel, count, amount);
        if let Some(figure) = reach.iter_mut().find(|f| f.reach.as_str() == reach_code) {
            figure.orders += count;
            figure.revenue = figure.revenue.saturating_add(amount);
        }
    }
    let mut by_region: Vec<RegionFigures> = regions_seen
        .into_iter()
        .map(|(code, split)| RegionFigures {
            name: region_name(&code).unwrap_or_else(|| code.clone()),
            code,
            split,
        })
        .collect();
    by_region.sort_by(|a, b| {
        b.split
            .total_revenue()
            .cmp(&a.split.total_revenue())
            .then_with(|| a.code.cmp(&b.code))
    });
    fill_months(&mut months, filter);
    Ok(Flows {
        channels,
        by_region,
        by_month: months
            .into_iter()
            .map(|(month, split)| MonthFigures { month, split })
            .collect(),
        reach,
    })
}

/// Adds the months without a flow between the first and the last (or the filter's bounds),
/// at most 25 years of them whatever the bounds say.
fn fill_months(months: &mut BTreeMap<String, ChannelSplit>, filter: &ReportFilter) {
    let first = (!filter.from_month.is_empty())
        .then(|| filter.from_month.clone())
        .or_else(|| months.keys().next().cloned());
    let last = (!filter.to_month.is_empty())
        .then(|| filter.to_month.clone())
        .or_else(|| months.keys().next_back().cloned());
    let (Some((mut y, mut m)), Some(end)) = (
        first.as_deref().and_then(parse_month),
        last.as_deref().and_then(parse_month),
    ) else {
        return;
    };
    for _ in 0..300 {
        if (y, m) > end {
            break;
        }
        months.entry(format!("{y:04}-{m:02}")).or_default();
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
}

/// The name of a province (2 digits) or regency (4 digits); other codes have none here.
fn region_name(code: &str) -> Option<String> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.len() {
        2 => regions::province(code).map(|p| p.name.clone()),
        4 => regions::regency(code).map(|r| r.name.clone()),
        _ => None,
    }
}
