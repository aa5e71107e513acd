//! Products and their variants: making, editing, deleting, and the listing.

use crate::catalogue::listing::{ProductQuery, ProductSummary};
use crate::catalogue::{self, NewProduct, NewVariant, Product, ProductPatch, VariantPatch};
use crate::{Error, Id, Result, Sentra};

impl Sentra {
    /// Creates a product with its variants and opening stock.
    pub fn create_product(&self, input: &NewProduct) -> Result<Id> {
        self.db.write(|tx| catalogue::create(tx, input))
    }

    /// Edits a product.
    pub fn edit_product(&self, id: Id, patch: &ProductPatch) -> Result<()> {
        self.db.write(|tx| catalogue::edit(tx, id, patch))
    }

    /// Adds a variant to a product that has tiers.
    pub fn add_variant(&self, product: Id, input: &NewVariant) -> Result<Id> {
        self.db
            .write(|tx| catalogue::add_variant(tx, product, input))
    }

    /// Edits a variant's SKU or price override.
    pub fn edit_variant(&self, id: Id, patch: &VariantPatch) -> Result<()> {
        self.db.write(|tx| catalogue::edit_variant(tx, id, patch))
    }

    /// Takes a variant off sale; its orders, sales and stock history stay. Adding the same
    /// options again brings it back. A product keeps at least one variant.
    pub fn remove_variant(&self, id: Id) -> Result<()> {
        self.db.write(|tx| catalogue::remove_variant(tx, id))
    }

    /// Deletes a product (a tombstone syncs the delete).
    pub fn delete_product(&self, id: Id) -> Result<()> {
        self.db.write(|tx| catalogue::delete(tx, id))
    }

    /// One product with its variants.
    pub fn product(&self, id: Id) -> Result<Product> {
        self.db
            .read(|c| catalogue::get(c, id))?
            .ok_or(Error::NotFound { entity: "product" })
    }

    /// The product a variant belongs to, with its variants (an order line names its variant
    /// only).
    pub fn product_of_variant(&self, variant: Id) -> Result<Product> {
        self.db
            .read(|c| match catalogue::product_of_variant(c, variant)? {
                Some(product) => catalogue::get(c, product),
                None => Ok(None),
            })?
            .ok_or(Error::NotFound { entity: "product" })
    }

    /// The categories of listed products of producers who consented to publication, for a
    /// storefront's filter.
    pub fn listed_categories(&self) -> Result<Vec<String>> {
        self.db.read(catalogue::listing::listed_categories)
    }

    /// A page of products: filtered, sorted, or searched.
    pub fn list_products(&self, query: &ProductQuery) -> Result<Vec<ProductSummary>> {
        self.db.read(|c| catalogue::listing::list(c, query))
    }

    /// How many products a listing query selects over all its pages (its `offset`, `limit`
    /// and `sort` are ignored).
    pub fn count_products(&self, query: &ProductQuery) -> Result<u64> {
        self.db.read(|c| catalogue::listing::count(c, query))
    }
}
