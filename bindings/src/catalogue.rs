//! The catalogue: products with variants and stock, a page of products per call, and photos
//! (taken in on a blocking thread, off the caller's thread).

use crate::device::{Change, SentraDevice, runtime};
use crate::error::{Result, SentraError};
use crate::id;
use sentra_core::catalogue::listing::{self, ProductQuery, ProductSummary};
use sentra_core::catalogue::{self, NewProduct, NewVariant, ProductPatch, VariantPatch};
use std::path::PathBuf;

/// A listing state of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProductStatus {
    /// Not finished; only the producer sees it.
    Draft,
    /// Shown in the storefront.
    Listed,
    /// Hidden from the storefront.
    Unlisted,
}

impl From<catalogue::ProductStatus> for ProductStatus {
    fn from(s: catalogue::ProductStatus) -> Self {
        match s {
            catalogue::ProductStatus::Draft => ProductStatus::Draft,
            catalogue::ProductStatus::Listed => ProductStatus::Listed,
            catalogue::ProductStatus::Unlisted => ProductStatus::Unlisted,
        }
    }
}

impl From<ProductStatus> for catalogue::ProductStatus {
    fn from(s: ProductStatus) -> Self {
        match s {
            ProductStatus::Draft => catalogue::ProductStatus::Draft,
            ProductStatus::Listed => catalogue::ProductStatus::Listed,
            ProductStatus::Unlisted => catalogue::ProductStatus::Unlisted,
        }
    }
}

/// How a page of products is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProductSort {
    /// Newest first.
    Newest,
    /// Best match first when searching.
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

impl From<ProductSort> for listing::Sort {
    fn from(s: ProductSort) -> Self {
        match s {
            ProductSort::Newest => listing::Sort::Newest,
            ProductSort::Relevance => listing::Sort::Relevance,
            ProductSort::Oldest => listing::Sort::Oldest,
            ProductSort::Name => listing::Sort::Name,
            ProductSort::PriceLow => listing::Sort::PriceLow,
            ProductSort::PriceHigh => listing::Sort::PriceHigh,
        }
    }
}

/// Which page of products to list.
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ProductPageQuery {
    /// Only this producer's products.
    #[uniffi(default = None)]
    pub producer_id: Option<String>,
    /// What the user typed in the search box (prefix match on name and description).
    #[uniffi(default = None)]
    pub search: Option<String>,
    /// Only this category.
    #[uniffi(default = None)]
    pub category: Option<String>,
    /// Only this listing state.
    #[uniffi(default = None)]
    pub status: Option<ProductStatus>,
    /// Only products with stock.
    #[uniffi(default = false)]
    pub in_stock: bool,
    /// Only producers in this region: a Kemendagri code prefix (`33`, `3327`).
    #[uniffi(default = None)]
    pub region: Option<String>,
    /// The order; newest first when `None`.
    #[uniffi(default = None)]
    pub sort: Option<ProductSort>,
    /// Rows to skip.
    #[uniffi(default = 0)]
    pub offset: i64,
    /// Rows to return, 1 to 200.
    #[uniffi(default = 50)]
    pub limit: i64,
}

/// One row of a catalogue page.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ProductRow {
    /// Product id.
    pub id: String,
    /// Producer id.
    pub producer_id: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Unit of sale.
    pub unit: String,
    /// Listing state.
    pub status: ProductStatus,
    /// Lowest price over its variants (rupiah).
    pub min_price: i64,
    /// Highest price over its variants (rupiah).
    pub max_price: i64,
    /// Stock summed over its variants.
    pub total_stock: i64,
    /// Number of variants.
    pub variant_count: i64,
    /// Whether any variant is oversold.
    pub oversold: bool,
    /// Content hash of the first photo's thumbnail source, if any.
    pub cover_photo: Option<String>,
    /// When it was created (Unix ms).
    pub created_at: i64,
}

impl From<ProductSummary> for ProductRow {
    fn from(p: ProductSummary) -> Self {
        ProductRow {
            id: p.id.to_string(),
            producer_id: p.producer_id.to_string(),
            name: p.name,
            category: p.category,
            unit: p.unit,
            status: p.status.into(),
            min_price: p.min_price,
            max_price: p.max_price,
            total_stock: p.total_stock,
            variant_count: p.variant_count,
            oversold: p.oversold,
            cover_photo: p.cover_photo,
            created_at: p.created_at,
        }
    }
}

/// A product with its variants, for the product editor.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Product {
    /// Id.
    pub id: String,
    /// Producer id.
    pub producer_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category code.
    pub category: String,
    /// Unit of sale (`pcs`, `kg`...).
    pub unit: String,
    /// Base price (rupiah).
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
    /// Volumetric weight (L×W×H/6000) in grams.
    pub volumetric_weight_g: i64,
    /// Listing state.
    pub status: ProductStatus,
    /// Variant tier names (at most 2: `Ukuran`, `Warna`).
    pub tiers: Vec<String>,
    /// Variants.
    pub variants: Vec<Variant>,
    /// When it was created (Unix ms).
    pub created_at: i64,
}

/// One variant with its stock.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Variant {
    /// Id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Its value per tier (`L`, `Biru`).
    pub options: Vec<String>,
    /// Its own price, if it overrides the product's.
    pub price: Option<i64>,
    /// The price a buyer pays (rupiah).
    pub effective_price: i64,
    /// Stock on hand.
    pub stock: i64,
    /// Whether more was sold than was in stock.
    pub oversold: bool,
}

impl From<catalogue::Product> for Product {
    fn from(p: catalogue::Product) -> Self {
        Product {
            id: p.id.to_string(),
            producer_id: p.producer_id.to_string(),
            name: p.name,
            description: p.description,
            category: p.category,
            unit: p.unit,
            price: p.price,
            min_order: p.min_order,
            weight_g: p.weight_g,
            length_cm: p.length_cm,
            width_cm: p.width_cm,
            height_cm: p.height_cm,
            volumetric_weight_g: p.volumetric_weight_g,
            status: p.status.into(),
            tiers: p.tiers,
            variants: p
                .variants
                .into_iter()
                .map(|v| Variant {
                    id: v.id.to_string(),
                    sku: v.sku,
                    options: v.options,
                    price: v.price,
                    effective_price: v.effective_price,
                    stock: v.stock,
                    oversold: v.oversold,
                })
                .collect(),
            created_at: p.created_at,
        }
    }
}

/// A new product with its variants and opening stock.
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewProductInput {
    /// The producer who sells it.
    pub producer_id: String,
    /// Name, 1–120 characters.
    pub name: String,
    /// Category code.
    pub category: String,
    /// Unit of sale (`pcs`, `kg`, `pack`...).
    pub unit: String,
    /// Base price (rupiah).
    pub price: i64,
    /// Description.
    #[uniffi(default = "")]
    pub description: String,
    /// Minimum order quantity.
    #[uniffi(default = 1)]
    pub min_order: i64,
    /// Weight in grams.
    #[uniffi(default = 0)]
    pub weight_g: i64,
    /// Length in cm.
    #[uniffi(default = 0)]
    pub length_cm: i64,
    /// Width in cm.
    #[uniffi(default = 0)]
    pub width_cm: i64,
    /// Height in cm.
    #[uniffi(default = 0)]
    pub height_cm: i64,
    /// Listing state.
    pub status: ProductStatus,
    /// Variant tier names, at most 2.
    #[uniffi(default = [])]
    pub tiers: Vec<String>,
    /// The variants (one with no options for a product without tiers).
    pub variants: Vec<NewVariantInput>,
}

/// A new variant.
#[derive(Debug, Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewVariantInput {
    /// Its value per tier, in the product's tier order.
    #[uniffi(default = [])]
    pub options: Vec<String>,
    /// SKU.
    #[uniffi(default = "")]
    pub sku: String,
    /// Its own price, if not the product's.
    #[uniffi(default = None)]
    pub price: Option<i64>,
    /// Opening stock.
    #[uniffi(default = 0)]
    pub initial_stock: i64,
}

impl From<NewVariantInput> for NewVariant {
    fn from(v: NewVariantInput) -> Self {
        NewVariant {
            sku: v.sku,
            options: v.options,
            price: v.price,
            initial_stock: v.initial_stock,
        }
    }
}

impl From<NewProductInput> for NewProduct {
    fn from(p: NewProductInput) -> Self {
        NewProduct {
            producer_id: p.producer_id,
            name: p.name,
            description: p.description,
            category: p.category,
            unit: p.unit,
            price: p.price,
            min_order: p.min_order,
            weight_g: p.weight_g,
            length_cm: p.length_cm,
            width_cm: p.width_cm,
            height_cm: p.height_cm,
            status: catalogue::ProductStatus::from(p.status).as_str().to_owned(),
            tiers: p.tiers,
            variants: p.variants.into_iter().map(NewVariant::from).collect(),
        }
    }
}

/// Changes to a product; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ProductChanges {
    /// New name.
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// New description.
    #[uniffi(default = None)]
    pub description: Option<String>,
    /// New category.
    #[uniffi(default = None)]
    pub category: Option<String>,
    /// New unit.
    #[uniffi(default = None)]
    pub unit: Option<String>,
    /// New base price.
    #[uniffi(default = None)]
    pub price: Option<i64>,
    /// New minimum order.
    #[uniffi(default = None)]
    pub min_order: Option<i64>,
    /// New weight in grams.
    #[uniffi(default = None)]
    pub weight_g: Option<i64>,
    /// New packed length, width and height in cm (all three, or none): they make the
    /// volumetric weight.
    #[uniffi(default = None)]
    pub dimensions_cm: Option<Dimensions>,
    /// New listing state.
    #[uniffi(default = None)]
    pub status: Option<ProductStatus>,
}

impl From<ProductChanges> for ProductPatch {
    fn from(p: ProductChanges) -> Self {
        ProductPatch {
            name: p.name,
            description: p.description,
            category: p.category,
            unit: p.unit,
            price: p.price,
            min_order: p.min_order,
            weight_g: p.weight_g,
            dimensions_cm: p
                .dimensions_cm
                .map(|d| (d.length_cm, d.width_cm, d.height_cm)),
            status: p
                .status
                .map(|s| catalogue::ProductStatus::from(s).as_str().to_owned()),
        }
    }
}

/// A packed product's size in cm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Dimensions {
    /// Length.
    pub length_cm: i64,
    /// Width.
    pub width_cm: i64,
    /// Height.
    pub height_cm: i64,
}

/// One stock movement in a variant's history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct StockMovement {
    /// Its id.
    pub id: String,
    /// Why stock moved: `restock`, `sale`, `reserve`, `release`, `adjust` or `void`.
    pub kind: String,
    /// Signed change in units.
    pub delta: i64,
    /// When (Unix ms).
    pub at_ms: i64,
    /// Why it was corrected, in the producer's words (adjustments only).
    pub reason: Option<String>,
}

/// The units a product may be sold in (`pcs`, `lusin`, `kodi`, `kg`, `ton`, …), in the order
/// the product editor offers them.
#[uniffi::export]
pub fn product_units() -> Vec<String> {
    catalogue::UNITS.iter().map(|u| (*u).to_owned()).collect()
}

/// Volumetric weight in grams for a packed size: L×W×H/6000 kg, as couriers charge it.
#[uniffi::export]
pub fn volumetric_weight_g(length_cm: i64, width_cm: i64, height_cm: i64) -> i64 {
    catalogue::volumetric_weight_g(length_cm, width_cm, height_cm)
}

/// Changes to a variant; a field left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct VariantChanges {
    /// New SKU, unique within the product.
    #[uniffi(default = None)]
    pub sku: Option<String>,
    /// New price of its own, in rupiah.
    #[uniffi(default = None)]
    pub price: Option<i64>,
    /// Drop its own price, so it sells at the product's price.
    #[uniffi(default = false)]
    pub clear_price: bool,
}

/// A photo of a product or producer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Photo {
    /// Id.
    pub id: String,
    /// The product or producer it belongs to.
    pub owner_id: String,
    /// Its place among the owner's photos (0 first).
    pub position: i64,
    /// Content hash of the 1280 px display image.
    pub hash: String,
    /// Content hash of the 320 px thumbnail.
    pub thumb_hash: Option<String>,
}

impl From<sentra_core::photos::Photo> for Photo {
    fn from(p: sentra_core::photos::Photo) -> Self {
        Photo {
            id: p.id.to_string(),
            owner_id: p.owner_id.to_string(),
            position: p.position,
            hash: p.hash,
            thumb_hash: p.thumb_hash,
        }
    }
}

#[uniffi::export]
impl SentraDevice {
    /// Creates a product with its variants and opening stock; returns its id.
    pub fn create_product(&self, input: NewProductInput) -> Result<String> {
        let id = self.inner()?.create_product(&input.into())?;
        self.notify(Change::Catalogue);
        Ok(id.to_string())
    }

    /// Edits a product.
    pub fn edit_product(&self, id: String, changes: ProductChanges) -> Result<()> {
        self.inner()?
            .edit_product(id::parse("id", &id)?, &changes.into())?;
        self.notify(Change::Catalogue);
        Ok(())
    }

    /// Adds a variant to a product that has tiers; returns its id.
    pub fn add_variant(&self, product_id: String, input: NewVariantInput) -> Result<String> {
        let id = self
            .inner()?
            .add_variant(id::parse("product_id", &product_id)?, &input.into())?;
        self.notify(Change::Catalogue);
        Ok(id.to_string())
    }

    /// Edits a variant's SKU or price. An edit also puts a variant another phone removed back
    /// on sale, when it is the later write.
    pub fn edit_variant(&self, variant_id: String, changes: VariantChanges) -> Result<()> {
        let price = match (changes.clear_price, changes.price) {
            (true, _) => Some(None),
            (false, Some(price)) => Some(Some(price)),
            (false, None) => None,
        };
        let patch = VariantPatch {
            sku: changes.sku,
            price,
        };
        self.inner()?
            .edit_variant(id::parse("variant_id", &variant_id)?, &patch)?;
        self.notify(Change::Catalogue);
        Ok(())
    }

    /// Takes a variant off sale; its orders, sales and stock history stay, and adding the same
    /// options again brings it back. A product keeps at least one variant (`validation` on
    /// `variants` otherwise).
    pub fn remove_variant(&self, variant_id: String) -> Result<()> {
        self.inner()?
            .remove_variant(id::parse("variant_id", &variant_id)?)?;
        self.notify(Change::Catalogue);
        Ok(())
    }

    /// Deletes a product (the delete syncs).
    pub fn delete_product(&self, id: String) -> Result<()> {
        self.inner()?.delete_product(id::parse("id", &id)?)?;
        self.notify(Change::Catalogue);
        Ok(())
    }

    /// One product with its variants.
    pub fn product(&self, id: String) -> Result<Product> {
        Ok(self.inner()?.product(id::parse("id", &id)?)?.into())
    }

    /// A page of products, filtered, sorted or searched: one call per screenful.
    pub fn list_products(&self, query: ProductPageQuery) -> Result<Vec<ProductRow>> {
        let (offset, limit) = id::page(query.offset, query.limit)?;
        let query = ProductQuery {
            producer_id: query
                .producer_id
                .map(|p| id::parse("producer_id", &p))
                .transpose()?,
            search: query.search,
            category: query.category,
            status: query.status.map(Into::into),
            in_stock: query.in_stock,
            region: query.region,
            sort: query.sort.map(Into::into).unwrap_or_default(),
            offset,
            limit,
            ..Default::default()
        };
        Ok(self
            .inner()?
            .list_products(&query)?
            .into_iter()
            .map(ProductRow::from)
            .collect())
    }

    /// Adds stock that arrived; returns the movement's id.
    pub fn restock(&self, variant_id: String, quantity: i64) -> Result<String> {
        let id = self
            .inner()?
            .restock(id::parse("variant_id", &variant_id)?, quantity)?;
        self.notify(Change::Catalogue);
        Ok(id.to_string())
    }

    /// Corrects stock after a count, by a signed amount; returns the movement's id.
    pub fn adjust_stock(&self, variant_id: String, delta: i64) -> Result<String> {
        let id = self
            .inner()?
            .adjust_stock(id::parse("variant_id", &variant_id)?, delta)?;
        self.notify(Change::Catalogue);
        Ok(id.to_string())
    }

    /// Corrects stock after a count by a signed amount, saying why (breakage, a recount, …;
    /// may be empty); the reason syncs with it. Returns the movement's id.
    pub fn adjust_stock_with_reason(
        &self,
        variant_id: String,
        delta: i64,
        reason: String,
    ) -> Result<String> {
        let id = self.inner()?.adjust_stock_with_reason(
            id::parse("variant_id", &variant_id)?,
            delta,
            &reason,
        )?;
        self.notify(Change::Catalogue);
        Ok(id.to_string())
    }

    /// A variant's stock movements, newest first.
    pub fn stock_history(&self, variant_id: String, limit: i64) -> Result<Vec<StockMovement>> {
        let (_, limit) = id::page(0, limit)?;
        Ok(self
            .inner()?
            .stock_history(id::parse("variant_id", &variant_id)?, limit)?
            .into_iter()
            .map(|m| StockMovement {
                id: m.id.to_string(),
                kind: m.kind,
                delta: m.delta,
                at_ms: m.at,
                reason: m.reason,
            })
            .collect())
    }

    /// Puts a product's or producer's photos in this order (photo ids, first is the cover).
    pub fn reorder_photos(&self, owner_id: String, photo_ids: Vec<String>) -> Result<()> {
        let order = photo_ids
            .iter()
            .map(|p| id::parse("photo_ids", p))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.inner()?
            .reorder_photos(id::parse("owner_id", &owner_id)?, &order)?;
        self.notify(Change::Catalogue);
        Ok(())
    }

    /// The photos of a product or producer, in order.
    pub fn photos(&self, owner_id: String) -> Result<Vec<Photo>> {
        Ok(self
            .inner()?
            .photos(id::parse("owner_id", &owner_id)?)?
            .into_iter()
            .map(Photo::from)
            .collect())
    }

    /// The file of an image on this phone, by content hash, if it is here.
    pub fn photo_path(&self, hash: String) -> Result<Option<String>> {
        Ok(self
            .inner()?
            .photo_path(&hash)?
            .map(|p| p.to_string_lossy().into_owned()))
    }

    /// Removes a photo.
    pub fn remove_photo(&self, id: String) -> Result<()> {
        self.inner()?.remove_photo(id::parse("id", &id)?)?;
        self.notify(Change::Catalogue);
        Ok(())
    }
}

#[uniffi::export]
impl SentraDevice {
    /// Takes a photo the camera wrote at `source_path` (JPEG, PNG or WebP) and adds it to a
    /// product or producer: made upright, stripped of GPS and every other metadata, stored as
    /// a 1280 px display image and a 320 px thumbnail, and queued for upload. Runs on a
    /// blocking thread, so a UI thread awaiting it stays free.
    pub async fn add_photo(&self, owner_id: String, source_path: String) -> Result<Photo> {
        let owner = id::parse("owner_id", &owner_id)?;
        let inner = self.inner()?.clone();
        let source = PathBuf::from(source_path);
        let photo = runtime()?
            .spawn_blocking(move || inner.add_photo(owner, &source))
            .await
            .map_err(|_| SentraError::internal())??;
        self.notify(Change::Catalogue);
        Ok(photo.into())
    }
}
