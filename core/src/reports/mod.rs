//! Aggregates for the officials' dashboard: producers by province, regency, sector and cluster;
//! orders and direct sales by channel, region and month; and how far buyers are from the
//! producers they order from. Plain structs out, computed in SQL over the merged store (the
//! server's replica), inside one read transaction so every figure comes from the same moment.
//!
//! Conventions, decided here once:
//! - An order counts unless it was rejected or cancelled; its revenue is its total. Each
//!   allocation of a cooperative's bulk order is an order of its own (channel `cooperative`).
//! - Direct sales come from the sales ledger: one row per recorded sale, revenue quantity × unit
//!   price. A sale whose variant was deleted has no producer and is not counted.
//! - An order's month is its creation time in Western Indonesia Time (UTC+7); a direct sale's is
//!   the day it was sold on. The period filter applies to orders and sales, not to producers
//!   (they are a count of who is registered now).
//! - The region filter and the "by region" figures use the producer's region.
//! - A producer in two clusters counts in both on the by-cluster chart.

mod queries;

use crate::error::{Error, Result, Rule};
use crate::id::Id;
use serde::Serialize;

pub(crate) use queries::report;

/// Whose producers a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    /// Everyone (officials and admins).
    All,
    /// The members of the organisations this user administers (a cooperative admin).
    AdminOf(Id),
    /// The producers this facilitator registered.
    RegisteredBy(Id),
}

/// What a report is asked for. Empty strings mean "no filter".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilter {
    /// Whose producers.
    pub scope: ReportScope,
    /// A Kemendagri region code prefix (province 2 digits, regency 4, district 6, village 10).
    pub region: String,
    /// The first month, `YYYY-MM`, inclusive.
    pub from_month: String,
    /// The last month, `YYYY-MM`, inclusive.
    pub to_month: String,
    /// A sector code (`food_beverage`…): only producers of that sector.
    pub sector: String,
    /// A cluster's or cooperative's id: only its members.
    pub organisation: String,
}

impl ReportFilter {
    /// Everything, for everyone.
    pub fn all() -> ReportFilter {
        ReportFilter {
            scope: ReportScope::All,
            region: String::new(),
            from_month: String::new(),
            to_month: String::new(),
            sector: String::new(),
            organisation: String::new(),
        }
    }

    /// Checks the filter: a region of 2, 4, 6 or 10 digits, months as `YYYY-MM`, the first
    /// month not after the last, a known sector code and an organisation id.
    pub(crate) fn checked(&self) -> Result<ReportFilter> {
        let mut fields = Vec::new();
        let region = self.region.trim().to_owned();
        if !region.is_empty()
            && (![2, 4, 6, 10].contains(&region.len())
                || !region.bytes().all(|b| b.is_ascii_digit()))
        {
            fields.push(("region", Rule::RegionCode));
        }
        let from = self.from_month.trim().to_owned();
        let to = self.to_month.trim().to_owned();
        for (field, month) in [("from_month", &from), ("to_month", &to)] {
            if !month.is_empty() && parse_month(month).is_none() {
                fields.push((field, Rule::Date));
            }
        }
        if !from.is_empty() && !to.is_empty() && fields.is_empty() && from > to {
            fields.push(("to_month", Rule::OutOfRange));
        }
        let sector = self.sector.trim().to_owned();
        if !sector.is_empty() && crate::producers::Sector::parse(&sector).is_none() {
            fields.push(("sector", Rule::Unknown));
        }
        let organisation = self.organisation.trim().to_owned();
        if !organisation.is_empty() && organisation.parse::<Id>().is_err() {
            fields.push(("organisation", Rule::Unknown));
        }
        if !fields.is_empty() {
            return Err(Error::Validation(
                fields
                    .into_iter()
                    .map(|(field, rule)| crate::FieldError { field, rule })
                    .collect(),
            ));
        }
        Ok(ReportFilter {
            scope: self.scope,
            region,
            from_month: from,
            to_month: to,
            sector,
            organisation,
        })
    }
}

/// A month `YYYY-MM` as (year, month).
pub(crate) fn parse_month(raw: &str) -> Option<(i32, u32)> {
    let (year, month) = raw.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    ((1..=12).contains(&month) && (2000..=2200).contains(&year)).then_some((year, month))
}

/// Where an order came from, or a direct sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Ordered by a buyer on the web storefront.
    Storefront,
    /// Entered by a facilitator for a buyer.
    Facilitator,
    /// An allocation of a cooperative's bulk order.
    Cooperative,
    /// A direct sale from the producer's ledger (market stall, reseller, exhibition, …).
    Direct,
}

impl Channel {
    /// Every channel, in the order of [`ChannelSplit`]'s arrays.
    pub const ALL: [Channel; 4] = [
        Channel::Storefront,
        Channel::Facilitator,
        Channel::Cooperative,
        Channel::Direct,
    ];

    /// The stable code (the order channels' codes, and `direct`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Storefront => "storefront",
            Channel::Facilitator => "facilitator",
            Channel::Cooperative => "cooperative",
            Channel::Direct => "direct",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// Its position in [`Channel::ALL`].
    pub fn index(self) -> usize {
        match self {
            Channel::Storefront => 0,
            Channel::Facilitator => 1,
            Channel::Cooperative => 2,
            Channel::Direct => 3,
        }
    }

    /// Whether it is an online order (anything but a direct sale).
    pub fn is_online(self) -> bool {
        self != Channel::Direct
    }
}

/// Counts and revenue per channel, indexed like [`Channel::ALL`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChannelSplit {
    /// Orders (or direct sales) per channel.
    pub count: [i64; 4],
    /// Revenue in rupiah per channel.
    pub revenue: [i64; 4],
}

impl ChannelSplit {
    /// Orders and sales together.
    pub fn total_count(&self) -> i64 {
        self.count.iter().fold(0, |a, b| a.saturating_add(*b))
    }

    /// Revenue of every channel together.
    pub fn total_revenue(&self) -> i64 {
        self.revenue.iter().fold(0, |a, b| a.saturating_add(*b))
    }

    fn add(&mut self, channel: Channel, count: i64, revenue: i64) {
        let i = channel.index();
        self.count[i] = self.count[i].saturating_add(count);
        self.revenue[i] = self.revenue[i].saturating_add(revenue);
    }
}

/// Producers in one group (a province, a regency, a sector or a cluster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProducerGroup {
    /// The group's key: a region code, a sector code, or an organisation id (empty for
    /// producers in no cluster or cooperative).
    pub key: String,
    /// Its name: the region's or organisation's name; for a sector, its code.
    pub name: String,
    /// Producers.
    pub producers: i64,
    /// Their workforce (people working).
    pub workforce: i64,
    /// Their products listed for sale now.
    pub listed_products: i64,
}

/// Orders and direct sales of the producers in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionFigures {
    /// The region's code (a province when no region filter is set, else one level down).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Per channel.
    pub split: ChannelSplit,
}

/// Orders and direct sales in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    /// Per channel.
    pub split: ChannelSplit,
}

/// How far a buyer is from the producer they ordered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// The delivery regency is the producer's regency.
    SameRegency,
    /// Another regency in the producer's province.
    SameProvince,
    /// Another province.
    OtherProvince,
}

impl Reach {
    /// Every reach, nearest first.
    pub const ALL: [Reach; 3] = [
        Reach::SameRegency,
        Reach::SameProvince,
        Reach::OtherProvince,
    ];

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::SameRegency => "same_regency",
            Reach::SameProvince => "same_province",
            Reach::OtherProvince => "other_province",
        }
    }
}

/// Orders at one reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachFigures {
    /// How far.
    pub reach: Reach,
    /// Orders.
    pub orders: i64,
    /// Their revenue in rupiah.
    pub revenue: i64,
}

/// Everything the dashboard shows, for one filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Producers by province, most producers first.
    pub by_province: Vec<ProducerGroup>,
    /// Producers by regency, most producers first.
    pub by_regency: Vec<ProducerGroup>,
    /// Producers by sector, most producers first.
    pub by_sector: Vec<ProducerGroup>,
    /// Producers by cluster or cooperative, most producers first.
    pub by_cluster: Vec<ProducerGroup>,
    /// Orders and direct sales per channel (always four rows, in [`Channel::ALL`] order).
    pub channels: ChannelSplit,
    /// Orders and direct sales by the producer's region, most revenue first.
    pub by_region: Vec<RegionFigures>,
    /// Orders and direct sales by month, oldest first, with empty months filled in.
    pub by_month: Vec<MonthFigures>,
    /// Orders by the buyer's reach (always three rows, nearest first).
    pub reach: Vec<ReachFigures>,
}
