//! The catalogue: products with up to two variant tiers, each variant with its own SKU, price
//! override and stock. Listing and search live in [`listing`].

pub mod listing;

use crate::db::{Tx, Val};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::{Checks, MAX_QUANTITY};
use crate::stock::{self, MovementKind};
use crate::sync::outbox::{Entity, Op};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Map;

/// The units a product may be sold in.
pub const UNITS: [&str; 14] = [
    "pcs", "lusin", "kodi", "kg", "gram", "ton", "kuintal", "liter", "ml", "pack", "box", "meter",
    "set", "pasang",
];

/// At most this many variants per product.
pub const MAX_VARIANTS: usize = 100;

/// A product's listing state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Being prepared; only the producer sees it.
    Draft,
    /// Visible in the storefront.
    Listed,
    /// Taken down; only the producer, facilitator and cooperative see it.
    Unlisted,
}

impl ProductStatus {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Listed => "listed",
            ProductStatus::Unlisted => "unlisted",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "draft" => Some(ProductStatus::Draft),
            "listed" => Some(ProductStatus::Listed),
            "unlisted" => Some(ProductStatus::Unlisted),
            _ => None,
        }
    }
}

/// A product with its variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// Its id.
    pub id: Id,
    /// The producer who sells it.
    pub producer_id: Id,
    /// Name, such as "Kaos Batik Pekalongan".
    pub name: String,
    /// Description.
    pub description: String,
    /// Category label.
    pub category: String,
    /// Unit of sale (see [`UNITS`]).
    pub unit: String,
    /// Price per unit in rupiah.
    pub price: i64,
    /// Minimum order quantity.
    pub min_order: i64,
    /// Weight in grams.
    pub weight_g: i64,
    /// Length in cm.
    pub length_cm: i64,
    /// Width in cm.
    pub width_cm: i64,
    /// Height in cm.
    pub height_cm: i64,
    /// Volumetric weight in grams: L×W×H/6000 kg, rounded up.
    pub volumetric_weight_g: i64,
    /// Listing state.
    pub status: ProductStatus,
    /// Names of the variant tiers, 0 to 2 (for example `["Ukuran", "Warna"]`).
    pub tiers: Vec<String>,
    /// Variants in order.
    pub variants: Vec<Variant>,
    /// When it was created (Unix ms).
    pub created_at: i64,
}

/// One variant of a product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Its id.
    pub id: Id,
    /// Stock-keeping unit code, unique within the product.
    pub sku: String,
    /// One option per tier, in tier order (for example `["L", "Merah"]`).
    pub options: Vec<String>,
    /// The variant's own price, if it differs from the product's.
    pub price: Option<i64>,
    /// The price a buyer pays: the variant's own, or the product's.
    pub effective_price: i64,
    /// Current stock: the sum of the variant's movements. Negative when oversold.
    pub stock: i64,
    /// True when more was sold than was in stock.
    pub oversold: bool,
}

/// A new product.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewProduct {
    /// The producer selling it.
    pub producer_id: String,
    /// Name, 1–120 characters.
    pub name: String,
    /// Description, up to 2,000 characters.
    pub description: String,
    /// Category, 1–60 characters.
    pub category: String,
    /// Unit (see [`UNITS`]).
    pub unit: String,
    /// Price per unit in rupiah.
    pub price: i64,
    /// Minimum order quantity, at least 1.
    pub min_order: i64,
    /// Weight in grams.
    pub weight_g: i64,
    /// Length in cm.
    pub length_cm: i64,
    /// Width in cm.
    pub width_cm: i64,
    /// Height in cm.
    pub height_cm: i64,
    /// `draft`, `listed` or `unlisted`.
    pub status: String,
    /// Tier names, 0 to 2.
    pub tiers: Vec<String>,
    /// Variants; with no tiers, at most one. None given makes one default variant.
    pub variants: Vec<NewVariant>,
}

/// A new variant.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewVariant {
    /// SKU; made up from the options when empty.
    pub sku: String,
    /// One option per product tier.
    pub options: Vec<String>,
    /// Price override in rupiah.
    pub price: Option<i64>,
    /// Stock on hand, recorded as a restock movement.
    pub initial_stock: i64,
}

/// Changes to a product; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductPatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New unit.
    pub unit: Option<String>,
    /// New price.
    pub price: Option<i64>,
    /// New minimum order.
    pub min_order: Option<i64>,
    /// New weight.
    pub weight_g: Option<i64>,
    /// New dimensions L, W, H.
    pub dimensions_cm: Option<(i64, i64, i64)>,
    /// New status.
    pub status: Option<String>,
}

/// Changes to a variant.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VariantPatch {
    /// New SKU.
    pub sku: Option<String>,
    /// New price override (`Some(None)` removes it).
    pub price: Option<Option<i64>>,
}

/// Volumetric weight in grams for L×W×H in cm: L×W×H/6000 kg, rounded up to a gram.
pub fn volumetric_weight_g(length_cm: i64, width_cm: i64, height_cm: i64) -> i64 {
    let cm3 = length_cm.saturating_mul(width_cm).saturating_mul(height_cm);
    (cm3 + 5) / 6
}

/// The largest length, width or height in cm.
pub(crate) const MAX_DIMENSION_CM: i64 = 1_000;
/// The heaviest product in grams (100 t).
pub(crate) const MAX_WEIGHT_G: i64 = 100_000_000;
/// The longest product name.
pub(crate) const NAME_MAX: usize = 120;
/// The longest description.
pub(crate) const DESCRIPTION_MAX: usize = 2_000;
/// The longest category label.
pub(crate) const CATEGORY_MAX: usize = 60;
/// The longest tier name ("Ukuran").
pub(crate) const TIER_MAX: usize = 30;
/// The longest variant option or SKU.
pub(crate) const OPTION_MAX: usize = 40;

fn check_unit(c: &mut Checks, unit: &str) -> String {
    let unit = unit.trim().to_lowercase();
    if !UNITS.contains(&unit.as_str()) {
        c.fail("unit", Rule::Unknown);
    }
    unit
}

fn check_status(c: &mut Checks, status: &str) -> &'static str {
    ProductStatus::parse(status.trim()).map_or_else(
        || {
            c.fail("status", Rule::Unknown);
            ""
        },
        ProductStatus::as_str,
    )
}

/// Creates a product with its variants and their opening stock, all in one transaction.
pub(crate) fn create(tx: &mut Tx<'_>, input: &NewProduct) -> Result<Id> {
    let now = tx.now_ms();
    let mut c = Checks::new();
    let producer_id = Id::parse("producer_id", &input.producer_id).ok();
    if producer_id.is_none() {
        c.fail("producer_id", Rule::Id);
    }
    let name = c.label("name", &input.name, NAME_MAX);
    let description = c.optional_text("description", &input.description, DESCRIPTION_MAX);
    let category = c.label("category", &input.category, CATEGORY_MAX);
    let unit = check_unit(&mut c, &input.unit);
    let price = c.rupiah("price", input.price);
    let min_order = c.range("min_order", input.min_order, 1, MAX_QUANTITY);
    let weight_g = c.range("weight_g", input.weight_g, 0, MAX_WEIGHT_G);
    let length_cm = c.range("length_cm", input.length_cm, 0, MAX_DIMENSION_CM);
    let width_cm = c.range("width_cm", input.width_cm, 0, MAX_DIMENSION_CM);
    let height_cm = c.range("height_cm", input.height_cm, 0, MAX_DIMENSION_CM);
    let status = check_status(&mut c, &input.status);
    if input.tiers.len() > 2 {
        c.fail("tiers", Rule::TooLong);
    }
    let tiers: Vec<String> = input
        .tiers
        .iter()
        .take(2)
        .map(|t| c.label("tiers", t, TIER_MAX))
        .collect();
    if tiers.len() == 2 && tiers[0].eq_ignore_ascii_case(&tiers[1]) {
        c.fail("tiers", Rule::Duplicate);
    }
    let defaults = [NewVariant::default()];
    let wanted: &[NewVariant] = if input.variants.is_empty() {
        &defaults
    } else {
        &input.variants
    };
    if wanted.len() > MAX_VARIANTS || (tiers.is_empty() && wanted.len() > 1) {
        c.fail("variants", Rule::OutOfRange);
    }
    let mut variants = Vec::with_capacity(wanted.len());
    for (i, v) in wanted.iter().enumerate() {
        variants.push(check_variant(&mut c, v, tiers.len(), i)?);
    }
    check_variant_uniqueness(&mut c, &variants);
    c.finish()?;
    let producer_id = producer_id.ok_or(Error::field("producer_id", Rule::Id))?;
    if crate::producers::get(tx, producer_id)?.is_none() {
        return Err(Error::field("producer_id", Rule::Unknown));
    }

    let id = Id::new();
    tx.insert(
        "products",
        Entity::Product,
        id,
        vec![
            ("producer_id", producer_id.into()),
            ("name", name.into()),
            ("description", description.into()),
            ("category", category.into()),
            ("unit", unit.into()),
            ("price", price.into()),
            ("min_order", min_order.into()),
            ("weight_g", weight_g.into()),
            ("length_cm", length_cm.into()),
            ("width_cm", width_cm.into()),
            ("height_cm", height_cm.into()),
            ("status", status.into()),
            ("tier1", tiers.first().cloned().into()),
            ("tier2", tiers.get(1).cloned().into()),
            ("created_at", now.into()),
        ],
    )?;
    for (position, v) in variants.into_iter().enumerate() {
        insert_variant(tx, id, position as i64, v)?;
    }
    Ok(id)
}

/// A variant that passed its checks, ready to insert.
struct CheckedVariant {
    sku: String,
    options: Vec<String>,
    price: Option<i64>,
    initial_stock: i64,
}

fn check_variant(
    c: &mut Checks,
    v: &NewVariant,
    tier_count: usize,
    index: usize,
) -> Result<CheckedVariant> {
    if v.options.len() != tier_count {
        c.fail("variants.options", Rule::Tiers);
    }
    let options: Vec<String> = v
        .options
        .iter()
        .map(|o| c.label("variants.options", o, OPTION_MAX))
        .collect();
    let sku = if v.sku.trim().is_empty() {
        if options.is_empty() {
            format!("V{}", index + 1)
        } else {
            options
                .join("-")
                .to_uppercase()
                .replace(char::is_whitespace, "")
        }
    } else {
        c.label("variants.sku", &v.sku, OPTION_MAX)
    };
    let price = v.price.map(|p| c.rupiah("variants.price", p));
    let initial_stock = c.range("variants.initial_stock", v.initial_stock, 0, MAX_QUANTITY);
    Ok(CheckedVariant {
        sku,
        options,
        price,
        initial_stock,
    })
}

fn check_variant_uniqueness(c: &mut Checks, variants: &[CheckedVariant]) {
    let mut skus = std::collections::HashSet::new();
    let mut combos = std::collections::HashSet::new();
    for v in variants {
        if !skus.insert(v.sku.to_lowercase()) {
            c.fail("variants.sku", Rule::Duplicate);
        }
        let combo: Vec<String> = v.options.iter().map(|o| o.to_lowercase()).collect();
        if !combos.insert(combo) {
            c.fail("variants.options", Rule::Duplicate);
        }
    }
}

fn insert_variant(tx: &mut Tx<'_>, product: Id, position: i64, v: CheckedVariant) -> Result<Id> {
    let id = Id::variant(product, &v.options);
    tx.insert(
        "variants",
        Entity::Variant,
        id,
        vec![
            ("product_id", product.into()),
            ("position", position.into()),
            ("sku", v.sku.into()),
            ("option1", v.options.first().cloned().into()),
            ("option2", v.options.get(1).cloned().into()),
            ("price", v.price.into()),
            // Carried by the create, so a later add of these options on another phone puts
            // the variant back on sale over an earlier removal, everywhere (see `merge`).
            ("removed", 0.into()),
        ],
    )?;
    // Its creation's full clock, which the merge compares a twin's creation against.
    crate::sync::merge::stamp(tx, "variants", id, &[crate::sync::merge::CREATION])?;
    if v.initial_stock > 0 {
        stock::record(tx, id, MovementKind::Restock, v.initial_stock, None)?;
    }
    Ok(id)
}

/// Adds a variant to an existing product. Options the product once had and lost (see
/// [`remove_variant`]) bring that variant back, with its id and its stock history.
pub(crate) fn add_variant(tx: &mut Tx<'_>, product: Id, input: &NewVariant) -> Result<Id> {
    let existing = get(tx, product)?.ok_or(Error::NotFound { entity: "product" })?;
    let mut c = Checks::new();
    if existing.variants.len() >= MAX_VARIANTS || existing.tiers.is_empty() {
        c.fail("variants", Rule::OutOfRange);
    }
    let v = check_variant(&mut c, input, existing.tiers.len(), existing.variants.len())?;
    // Only the new variant is checked against the others: twins that concurrent edits made
    // (two phones giving two sizes one SKU) must not stop the producer adding a third.
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    for other in &existing.variants {
        if other.sku.eq_ignore_ascii_case(&v.sku) {
            c.fail("variants.sku", Rule::Duplicate);
        }
        if other.options.len() == v.options.len()
            && other
                .options
                .iter()
                .zip(&v.options)
                .all(|(a, b)| same(a, b))
        {
            c.fail("variants.options", Rule::Duplicate);
        }
    }
    c.finish()?;
    let id = Id::variant(product, &v.options);
    let removed: Option<i64> = tx
        .prepare_cached("SELECT removed FROM variants WHERE id = ?1 AND product_id = ?2")?
        .query_row([id, product], |r| r.get(0))
        .optional()?;
    if removed.is_none() {
        return insert_variant(tx, product, existing.variants.len() as i64, v);
    }
    tx.update(
        "variants",
        Entity::Variant,
        id,
        vec![
            ("removed", 0.into()),
            ("position", (existing.variants.len() as i64).into()),
            ("sku", v.sku.into()),
            ("price", v.price.into()),
        ],
    )?;
    if v.initial_stock > 0 {
        stock::record(tx, id, MovementKind::Restock, v.initial_stock, None)?;
    }
    Ok(id)
}

/// Removes a variant from sale. Its row stays, marked removed, because orders, sales and stock
/// movements name it: they are history. The removal is a field that syncs like any other, so an
/// edit and a removal on two phones resolve by the last write, and adding the same options
/// again brings the variant back. A product keeps at least one variant.
pub(crate) fn remove_variant(tx: &mut Tx<'_>, id: Id) -> Result<()> {
    let product = product_of_variant(tx, id)?.ok_or(Error::NotFound { entity: "variant" })?;
    let current = get(tx, product)?.ok_or(Error::NotFound { entity: "product" })?;
    if !current.variants.iter().any(|v| v.id == id) {
        return Err(Error::NotFound { entity: "variant" });
    }
    if current.variants.len() == 1 {
        return Err(Error::field("variants", Rule::OutOfRange));
    }
    tx.update("variants", Entity::Variant, id, vec![("removed", 1.into())])
}

/// Applies a patch to a product.
pub(crate) fn edit(tx: &mut Tx<'_>, id: Id, patch: &ProductPatch) -> Result<()> {
    let current = get(tx, id)?.ok_or(Error::NotFound { entity: "product" })?;
    let mut c = Checks::new();
    let mut changes: Vec<(&'static str, Val)> = Vec::new();
    let mut change = |name: &'static str, old: Val, new: Val| {
        if old != new {
            changes.push((name, new));
        }
    };
    if let Some(v) = &patch.name {
        change(
            "name",
            current.name.clone().into(),
            c.label("name", v, NAME_MAX).into(),
        );
    }
    if let Some(v) = &patch.description {
        let v = c.optional_text("description", v, DESCRIPTION_MAX);
        change("description", current.description.clone().into(), v.into());
    }
    if let Some(v) = &patch.category {
        change(
            "category",
            current.category.clone().into(),
            c.label("category", v, CATEGORY_MAX).into(),
        );
    }
    if let Some(v) = &patch.unit {
        change(
            "unit",
            current.unit.clone().into(),
            check_unit(&mut c, v).into(),
        );
    }
    if let Some(v) = patch.price {
        change("price", current.price.into(), c.rupiah("price", v).into());
    }
    if let Some(v) = patch.min_order {
        let v = c.range("min_order", v, 1, MAX_QUANTITY);
        change("min_order", current.min_order.into(), v.into());
    }
    if let Some(v) = patch.weight_g {
        let v = c.range("weight_g", v, 0, MAX_WEIGHT_G);
        change("weight_g", current.weight_g.into(), v.into());
    }
    if let Some((l, w, h)) = patch.dimensions_cm {
        let l = c.range("length_cm", l, 0, MAX_DIMENSION_CM);
        let w = c.range("width_cm", w, 0, MAX_DIMENSION_CM);
        let h = c.range("height_cm", h, 0, MAX_DIMENSION_CM);
        change("length_cm", current.length_cm.into(), l.into());
        change("width_cm", current.width_cm.into(), w.into());
        change("height_cm", current.height_cm.into(), h.into());
    }
    if let Some(v) = &patch.status {
        let v = check_status(&mut c, v);
        change("status", current.status.as_str().into(), v.into());
    }
    c.finish()?;
    tx.update("products", Entity::Product, id, changes)
}

/// Applies a patch to a variant.
pub(crate) fn edit_variant(tx: &mut Tx<'_>, id: Id, patch: &VariantPatch) -> Result<()> {
    let product = product_of_variant(tx, id)?.ok_or(Error::NotFound { entity: "variant" })?;
    let current = get(tx, product)?.ok_or(Error::NotFound { entity: "product" })?;
    let Some(variant) = current.variants.iter().find(|v| v.id == id) else {
        return Err(Error::NotFound { entity: "variant" });
    };
    let mut c = Checks::new();
    let mut changes: Vec<(&'static str, Val)> = Vec::new();
    if let Some(sku) = &patch.sku {
        let sku = c.label("sku", sku, OPTION_MAX);
        let taken = current
            .variants
            .iter()
            .any(|v| v.id != id && v.sku.eq_ignore_ascii_case(&sku));
        if taken {
            c.fail("sku", Rule::Duplicate);
        }
        if sku != variant.sku {
            changes.push(("sku", sku.into()));
        }
    }
    if let Some(price) = patch.price {
        let price = price.map(|p| c.rupiah("price", p));
        if price != variant.price {
            changes.push(("price", price.into()));
        }
    }
    c.finish()?;
    // An edit says the variant is on sale: against a removal on another phone, the later wins.
    if !changes.is_empty() {
        changes.push(("removed", 0.into()));
    }
    tx.update("variants", Entity::Variant, id, changes)
}

/// Deletes a product, its variants and photo rows, and leaves a tombstone. Stock movements,
/// sales and orders that refer to it stay: they are history.
pub(crate) fn delete(tx: &mut Tx<'_>, id: Id) -> Result<()> {
    let seen = crate::sync::notices::newest_clock(tx, id)?;
    let removed = tx.execute("DELETE FROM products WHERE id = ?1", [id])?;
    if removed == 0 {
        return Err(Error::NotFound { entity: "product" });
    }
    let (first, last) = Id::children(id);
    tx.execute(
        "DELETE FROM variants WHERE id BETWEEN ?1 AND ?2 AND product_id = ?3",
        [first, last, id],
    )?;
    tx.execute("DELETE FROM photos WHERE owner_id = ?1", [id])?;
    let hlc = tx.tick();
    tx.execute(
        "INSERT OR REPLACE INTO tombstones(entity, id, hlc) VALUES ('product', ?1, ?2)",
        rusqlite::params![id, hlc.to_string()],
    )?;
    // What this phone had seen of the product, so a phone whose later edit the delete
    // overrules can tell its user (see `sync::notices`).
    let mut fields = Map::new();
    fields.insert("seen".into(), seen.into());
    tx.record(Entity::Product, id, Op::Delete, fields)
}

/// The product a variant belongs to.
pub(crate) fn product_of_variant(conn: &Connection, variant: Id) -> Result<Option<Id>> {
    Ok(conn
        .prepare_cached("SELECT product_id FROM variants WHERE id = ?1")?
        .query_row([variant], |r| r.get(0))
        .optional()?)
}

/// One product with its variants.
pub(crate) fn get(conn: &Connection, id: Id) -> Result<Option<Product>> {
    let row = conn
        .prepare_cached(
            "SELECT producer_id, name, description, category, unit, price, min_order, weight_g, \
             length_cm, width_cm, height_cm, status, tier1, tier2, created_at \
             FROM products WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let status: String = r.get(11)?;
            let tiers: Vec<String> = [r.get::<_, Option<String>>(12)?, r.get(13)?]
                .into_iter()
                .flatten()
                .collect();
            let (l, w, h) = (r.get(8)?, r.get(9)?, r.get(10)?);
            Ok(Product {
                id,
                producer_id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                category: r.get(3)?,
                unit: r.get(4)?,
                price: r.get(5)?,
                min_order: r.get(6)?,
                weight_g: r.get(7)?,
                length_cm: l,
                width_cm: w,
                height_cm: h,
                volumetric_weight_g: volumetric_weight_g(l, w, h),
                status: ProductStatus::parse(&status).unwrap_or(ProductStatus::Draft),
                tiers,
                variants: Vec::new(),
                created_at: r.get(14)?,
            })
        })
        .optional()?;
    let Some(mut product) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, sku, option1, option2, price, stock FROM variants \
         WHERE id BETWEEN ?1 AND ?2 AND product_id = ?3 AND removed = 0 ORDER BY position, id",
    )?;
    let (first, last) = Id::children(id);
    let variants = stmt.query_map([first, last, id], |r| {
        let price: Option<i64> = r.get(4)?;
        let stock: i64 = r.get(5)?;
        Ok(Variant {
            id: r.get(0)?,
            sku: r.get(1)?,
            options: [r.get::<_, Option<String>>(2)?, r.get(3)?]
                .into_iter()
                .flatten()
                .collect(),
            price,
            effective_price: price.unwrap_or(product.price),
            stock,
            oversold: stock < 0,
        })
    })?;
    product.variants = variants.collect::<rusqlite::Result<_>>()?;
    Ok(Some(product))
}
