//! What a change may carry: for every kind of entry, the fields it may hold and the rule each
//! must pass, the same rules and limits a local write passes (the domains' own checks, through
//! [`Checks`]).
//!
//! A phone's own writes always pass. The server checks every pushed change with [`check`]
//! before it applies it, and every phone checks every pulled change before it merges it, so a
//! change that no local write could have made (a hostile or broken app's) is refused with the
//! field it broke, quarantined on the phone that made it, and never reaches a page.
//!
//! Links to a parent (a product's producer, a variant's product, a photo's owner) and the facts
//! of a creation (who registered a producer, when a row was made) are set when the row is
//! created and never change: an update that carries one is refused. A variant's id is a child
//! of its product's id (see [`Id::child`]); a variant whose id is not is refused, so no one can
//! slip a variant into someone else's product's id range.
//!
//! [`WIRE`] lists every field of every kind of entry; the hostile-push suite
//! (`server/tests/hostile`) walks it, so a field added without a rule fails that suite.

use crate::catalogue::{self, ProductStatus};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::{self, Checks, MAX_AMOUNT, MAX_QUANTITY};
use crate::orders::{self, OrderChannel, OrderStatus};
use crate::organisations::OrganisationKind;
use crate::producers;
use crate::regions;
use crate::sales::SaleChannel;
use crate::stock::MovementKind;
use crate::sync::wire::Change;

mod kinds;
mod selling;
pub use kinds::{EntryKind, FIXED, WIRE};
use serde_json::{Map, Value};

/// The kind of entry a change is, if it is one at all.
pub fn kind_of(change: &Change) -> Option<&'static EntryKind> {
    WIRE.iter()
        .find(|k| k.entity == change.entity && k.op == change.op)
}

/// Checks a change against the rules of its kind of entry: only known fields, every field a
/// create needs, no change to a fixed field, and every value within the rule a local write
/// keeps. `Err(Error::Validation)` lists every field that broke a rule.
pub fn check(change: &Change) -> Result<()> {
    let Some(kind) = kind_of(change) else {
        return Err(Error::field("op", Rule::Unknown));
    };
    let mut e = Entry {
        c: Checks::new(),
        f: &change.fields,
    };
    if change
        .fields
        .keys()
        .any(|k| !kind.fields.contains(&k.as_str()))
    {
        e.c.fail("fields", Rule::Unknown);
    }
    if matches!(kind.op, "create" | "append" | "remove") {
        for name in kind.fields {
            if !kind.optional.contains(name) && !change.fields.contains_key(*name) {
                e.c.fail(name, Rule::Required);
            }
        }
    }
    if kind.op == "update" {
        let fixed = FIXED.iter().find(|(entity, _)| *entity == kind.entity);
        for name in fixed.map_or(&[][..], |(_, names)| names) {
            if change.fields.contains_key(*name) {
                e.c.fail(name, Rule::Immutable);
            }
        }
    }
    match kind.entity {
        "producer" => {
            e.producer(change);
            e.selling();
        }
        "organisation" => e.organisation(),
        "organisation_member" => e.id("producer_id"),
        "organisation_admin" => e.id("user_id"),
        "product" => e.product(),
        "variant" => e.variant(change),
        "photo" => e.photo(),
        "order" if kind.op == "create" => e.order_create(),
        "order" => e.order_transition(),
        "stock_movement" => e.movement(),
        "sale" => e.sale(),
        "sale_void" => e.sale_void(change),
        _ => {}
    }
    e.c.finish()
}

/// The latest instant a timestamp field may hold: 2100-01-01.
const MAX_MILLIS: i64 = 4_102_444_800_000;
/// The most photos one product or producer may show.
const MAX_PHOTO_POSITION: i64 = 1_000;

/// One change's fields and the checks run on them. Each accessor checks a field only when the
/// change carries it (a create's missing fields were already reported).
struct Entry<'a> {
    c: Checks,
    f: &'a Map<String, Value>,
}

impl<'a> Entry<'a> {
    fn value(&self, name: &str) -> Option<&'a Value> {
        self.f.get(name)
    }

    /// A text field; `None` when absent, or (reported) when not text.
    fn string(&mut self, name: &'static str) -> Option<&'a str> {
        let f = self.f;
        match f.get(name)? {
            Value::String(s) => Some(s),
            _ => {
                self.c.fail(name, Rule::WrongType);
                None
            }
        }
    }

    /// A text field that may also be null.
    fn nullable_string(&mut self, name: &'static str) -> Option<&'a str> {
        let f = self.f;
        match f.get(name)? {
            Value::Null => None,
            Value::String(s) => Some(s),
            _ => {
                self.c.fail(name, Rule::WrongType);
                None
            }
        }
    }

    /// An integer field; `None` when absent, or (reported) when not an integer.
    fn int(&mut self, name: &'static str) -> Option<i64> {
        match self.f.get(name)? {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            _ => {
                self.c.fail(name, Rule::WrongType);
                None
            }
        }
    }

    /// An integer field that may also be null.
    fn nullable_int(&mut self, name: &'static str) -> Option<i64> {
        match self.f.get(name) {
            Some(Value::Null) | None => None,
            Some(_) => self.int(name),
        }
    }

    fn label(&mut self, name: &'static str, max: usize) {
        if let Some(s) = self.string(name) {
            let s = s.to_owned();
            self.c.label(name, &s, max);
        }
    }

    fn nullable_label(&mut self, name: &'static str, max: usize) {
        if let Some(s) = self.nullable_string(name) {
            let s = s.to_owned();
            self.c.label(name, &s, max);
        }
    }

    fn text(&mut self, name: &'static str, max: usize) {
        if let Some(s) = self.string(name) {
            let s = s.to_owned();
            self.c.text(name, &s, max);
        }
    }

    fn optional_text(&mut self, name: &'static str, max: usize) {
        if let Some(s) = self.string(name) {
            let s = s.to_owned();
            self.c.optional_text(name, &s, max);
        }
    }

    fn range(&mut self, name: &'static str, min: i64, max: i64) -> Option<i64> {
        let v = self.int(name)?;
        self.c.range(name, v, min, max);
        Some(v)
    }

    fn rupiah(&mut self, name: &'static str) -> Option<i64> {
        let v = self.int(name)?;
        self.c.rupiah(name, v);
        Some(v)
    }

    fn millis(&mut self, name: &'static str) {
        self.range(name, 0, MAX_MILLIS);
    }

    fn id(&mut self, name: &'static str) {
        if let Some(s) = self.string(name)
            && Id::parse(name, s).is_err()
        {
            self.c.fail(name, Rule::Id);
        }
    }

    fn nullable_id(&mut self, name: &'static str) {
        if let Some(s) = self.nullable_string(name)
            && Id::parse(name, s).is_err()
        {
            self.c.fail(name, Rule::Id);
        }
    }

    /// A value that must be one of a domain's codes, as the domain itself parses them.
    fn code(&mut self, name: &'static str, known: impl Fn(&str) -> bool) {
        if let Some(s) = self.string(name)
            && !known(s)
        {
            self.c.fail(name, Rule::Unknown);
        }
    }

    fn region(&mut self, name: &'static str) {
        if let Some(s) = self.string(name)
            && regions::validate_code(s).is_err()
        {
            self.c.fail(name, Rule::RegionCode);
        }
    }

    /// A phone as the core stores it: already normalised to `+62…`.
    fn phone(&mut self, name: &'static str) {
        if let Some(s) = self.string(name)
            && input::normalise_phone(s).as_deref() != Some(s)
        {
            self.c.fail(name, Rule::Phone);
        }
    }

    fn date(&mut self, name: &'static str) {
        if let Some(s) = self.string(name)
            && input::parse_date(s).as_deref() != Some(s)
        {
            self.c.fail(name, Rule::Date);
        }
    }

    fn hash(&mut self, name: &'static str, nullable: bool) {
        let hash = if nullable {
            self.nullable_string(name)
        } else {
            self.string(name)
        };
        if let Some(h) = hash
            && !crate::photos::is_hash(h)
        {
            self.c.fail(name, Rule::Id);
        }
    }

    fn producer(&mut self, change: &Change) {
        self.label("business_name", producers::NAME_MAX);
        self.label("owner_name", producers::NAME_MAX);
        self.phone("phone");
        self.optional_text("address", producers::ADDRESS_MAX);
        self.region("region_code");
        self.code("sector", |s| producers::Sector::parse(s).is_some());
        self.range("workforce", 0, producers::MAX_WORKFORCE);
        let this_year = producers::this_year(change.hlc.millis);
        if let Some(year) = self.nullable_int("year_founded") {
            self.c.range("year_founded", year, 1900, this_year);
        }
        if let Some(nib) = self.nullable_string("nib")
            && !input::is_nib(nib)
        {
            self.c.fail("nib", Rule::Nib);
        }
        if let Some(certs) = self.string("certifications") {
            let codes: Vec<String> = certs
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
            producers::check_certifications(&mut self.c, &codes);
        }
        let consent = self.range("consent_publish", 0, 1);
        if self.nullable_string("consent_date").is_some() {
            self.date("consent_date");
        } else if consent == Some(1) && change.op == "create" {
            self.c.fail("consent_date", Rule::Required);
        }
        if let Some(by) = self.string("registered_by")
            && by != "self"
            && by.parse::<Id>().is_err()
        {
            self.c.fail("registered_by", Rule::Id);
        }
        self.millis("created_at");
        if let Some(hash) = self.string("activation_pin_hash")
            && (!hash.starts_with("$argon2id$") || hash.len() > 200)
        {
            self.c.fail("activation_pin_hash", Rule::Pin);
        }
    }

    fn organisation(&mut self) {
        self.code("kind", |s| OrganisationKind::parse(s).is_some());
        self.label("name", crate::organisations::NAME_MAX);
        self.region("region_code");
        self.millis("created_at");
    }

    fn product(&mut self) {
        self.int("seen");
        self.id("producer_id");
        self.label("name", catalogue::NAME_MAX);
        self.optional_text("description", catalogue::DESCRIPTION_MAX);
        self.label("category", catalogue::CATEGORY_MAX);
        self.code("unit", |s| catalogue::UNITS.contains(&s));
        self.rupiah("price");
        self.range("min_order", 1, MAX_QUANTITY);
        self.range("weight_g", 0, catalogue::MAX_WEIGHT_G);
        for name in ["length_cm", "width_cm", "height_cm"] {
            self.range(name, 0, catalogue::MAX_DIMENSION_CM);
        }
        self.code("status", |s| ProductStatus::parse(s).is_some());
        self.nullable_label("tier1", catalogue::TIER_MAX);
        self.nullable_label("tier2", catalogue::TIER_MAX);
        self.millis("created_at");
    }

    fn variant(&mut self, change: &Change) {
        self.id("product_id");
        self.range("position", 0, catalogue::MAX_VARIANTS as i64 - 1);
        self.label("sku", catalogue::OPTION_MAX);
        self.nullable_label("option1", catalogue::OPTION_MAX);
        self.nullable_label("option2", catalogue::OPTION_MAX);
        if let Some(price) = self.nullable_int("price") {
            self.c.rupiah("price", price);
        }
        self.range("removed", 0, 1);
        // A variant's id is a child of its product's: the catalogue finds a product's variants by
        // that id range.
        if change.op == "create"
            && let Some(product) = self.value("product_id").and_then(Value::as_str)
            && let Ok(product) = product.parse::<Id>()
            && !change.id.is_child_of(product)
        {
            self.c.fail("product_id", Rule::Id);
        }
    }

    fn photo(&mut self) {
        self.id("owner_id");
        self.range("position", 0, MAX_PHOTO_POSITION);
        self.hash("hash", false);
        self.hash("thumb_hash", true);
    }

    fn order_create(&mut self) {
        if let Some(code) = self.string("code")
            && !orders::is_code(code)
        {
            self.c.fail("code", Rule::Id);
        }
        self.id("producer_id");
        self.code("channel", |s| OrderChannel::parse(s).is_some());
        self.code("status", |s| s == OrderStatus::New.as_str());
        self.label("buyer_name", orders::BUYER_NAME_MAX);
        self.phone("buyer_phone");
        if let Some(regency) = self.string("buyer_regency")
            && (regency.len() != 4 || regions::regency(regency).is_none())
        {
            self.c.fail("buyer_regency", Rule::RegionCode);
        }
        self.text("buyer_address", orders::ADDRESS_MAX);
        self.optional_text("note", orders::NOTE_MAX);
        self.millis("created_at");
        let fee = self.order_choice();
        let total = self.range("total", 0, MAX_AMOUNT);
        let Some(lines) = self.value("lines") else {
            return;
        };
        let Some(lines) = lines.as_array() else {
            self.c.fail("lines", Rule::WrongType);
            return;
        };
        if lines.is_empty() {
            self.c.fail("lines", Rule::Required);
        } else if lines.len() > orders::MAX_LINES {
            self.c.fail("lines", Rule::TooLong);
        }
        let mut sum: i64 = 0;
        let mut seen: Vec<Id> = Vec::new();
        for line in lines {
            let Some(line) = line.as_object() else {
                self.c.fail("lines", Rule::WrongType);
                continue;
            };
            if line
                .keys()
                .any(|k| !["variant_id", "quantity", "unit_price"].contains(&k.as_str()))
            {
                self.c.fail("lines", Rule::Unknown);
            }
            let mut one = Entry {
                c: Checks::new(),
                f: line,
            };
            match line
                .get("variant_id")
                .and_then(Value::as_str)
                .map(|s| s.parse::<Id>())
            {
                Some(Ok(id)) if seen.contains(&id) => {
                    self.c.fail("lines.variant_id", Rule::Duplicate)
                }
                Some(Ok(id)) => seen.push(id),
                _ => self.c.fail("lines.variant_id", Rule::Id),
            }
            let quantity = one.range("quantity", 1, MAX_QUANTITY);
            let price = one.rupiah("unit_price");
            if one.c.finish().is_err() {
                self.c.fail("lines.quantity", Rule::OutOfRange);
            }
            match (quantity, price) {
                (Some(q), Some(p)) => sum = sum.saturating_add(q.saturating_mul(p)),
                _ => self.c.fail("lines", Rule::Required),
            }
        }
        if sum > MAX_AMOUNT || total.is_some_and(|t| t != sum.saturating_add(fee)) {
            self.c.fail("total", Rule::OutOfRange);
        }
    }

    fn order_transition(&mut self) {
        // A paid mark carries only `paid_at` (see `crate::selling::paid`).
        if self.f.contains_key("paid_at") {
            self.millis("paid_at");
        } else if !self.f.contains_key("status") {
            self.c.fail("status", Rule::Required);
        }
        self.code("status", |s| {
            OrderStatus::parse(s).is_some_and(|s| s != OrderStatus::New)
        });
        for name in ["accepted_at", "shipped_at", "completed_at", "closed_at"] {
            if self.f.contains_key(name) {
                self.millis(name);
            }
        }
        self.text("reason", orders::REASON_MAX);
        self.label("courier", orders::COURIER_MAX);
        self.label("tracking_no", orders::COURIER_MAX);
    }

    fn movement(&mut self) {
        self.optional_text("reason", crate::stock::REASON_MAX);
        self.id("variant_id");
        self.nullable_id("ref_id");
        self.millis("at");
        let kind = self
            .string("kind")
            .map(|k| (k.to_owned(), MovementKind::parse(k)));
        let delta = self.range("delta", -MAX_QUANTITY, MAX_QUANTITY);
        match (kind, delta) {
            // A void's movement is made by every replica from the void, never sent.
            (Some((_, None | Some(MovementKind::Void))), _) => self.c.fail("kind", Rule::Unknown),
            (Some((_, Some(kind))), Some(delta)) if !kind.allows(delta) => {
                self.c.fail("delta", Rule::OutOfRange)
            }
            _ => {}
        }
    }

    fn sale_void(&mut self, change: &Change) {
        self.optional_text("reason", crate::sales::VOID_REASON_MAX);
        self.millis("voided_at");
        // A void's id comes from its sale's, so a sale is voided once however many phones void
        // it: a void under any other id is refused.
        if let Some(sale) = self.string("sale_id") {
            match sale.parse::<Id>() {
                Ok(sale) if change.id == crate::sales::void_id(sale) => {}
                _ => self.c.fail("sale_id", Rule::Id),
            }
        }
    }

    fn sale(&mut self) {
        self.id("variant_id");
        let quantity = self.range("quantity", 1, MAX_QUANTITY);
        let price = self.rupiah("unit_price");
        self.code("channel", |s| SaleChannel::parse(s).is_some());
        self.date("sold_on");
        self.millis("created_at");
        if let (Some(q), Some(p)) = (quantity, price)
            && q.saturating_mul(p) > MAX_AMOUNT
        {
            self.c.fail("quantity", Rule::OutOfRange);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_the_merge_writes_is_a_wire_field_with_a_rule() {
        for (entity, columns) in crate::sync::merge::columns() {
            let ops: &[&str] = if entity == "order" {
                &["create"]
            } else {
                &["create", "update"]
            };
            for op in ops {
                let kind = WIRE
                    .iter()
                    .find(|k| k.entity == entity && k.op == *op)
                    .unwrap_or_else(|| panic!("no {entity} {op} in WIRE"));
                for column in &columns {
                    assert!(
                        kind.fields.contains(column),
                        "{entity}.{column} is merged but has no rule for {op}"
                    );
                }
            }
        }
    }
}
