//! `sentra-ffi`: the UniFFI bindings of Sentra's core, for the Android (Kotlin), iOS (Swift)
//! and Python callers.
//!
//! Thin wrappers only: [`SentraDevice`] holds the core's [`sentra_core::Sentra`] handle and
//! each method delegates to it in a line or two, converting records at the boundary (ids as
//! strings, amounts and counts as `i64`). Every rule lives in the core. The only things the
//! bindings add are plumbing: a tokio runtime for the async calls, a change listener fired
//! after writes, and one public error enum.
//!
//! One file per job:
//! - `device.rs`: the handle, opening (or recovering) a database, the change listener, the
//!   runtime;
//! - `error.rs`: [`SentraError`] and [`ErrorCode`], stable codes with id/en messages;
//! - `producers.rs`, `catalogue.rs`, `orders.rs`: the domain calls and their records;
//! - `sales.rs`: the sales history and voiding a sale;
//! - `selling.rs`: delivery, payment and contact settings, an order's fee and paid mark;
//! - `sync.rs`: sign in, sync with progress and cancel, the status screen and refusals;
//! - `id.rs`: ids and page bounds at the boundary.
//!
//! Bindings are generated in library mode from the built library by the `uniffi-bindgen`
//! crate beside this one (see `scripts/test-bindings`); generated code is never committed.

mod catalogue;
mod device;
mod error;
mod id;
mod orders;
mod organisations;
mod producers;
mod regions;
mod sales;
mod selling;
mod sync;

pub use catalogue::{Dimensions, StockMovement, product_units, volumetric_weight_g};
pub use catalogue::{
    NewProductInput, NewVariantInput, Photo, Product, ProductChanges, ProductPageQuery, ProductRow,
    ProductSort, ProductStatus, Variant,
};
pub use device::{
    Account, Change, ChangeListener, Recovered, RecoveryReport, SentraDevice, fail_with,
    format_rupiah, recover_device,
};
pub use error::{
    ErrorCode, FieldProblem, SentraError, all_error_codes, error_code_string, error_message,
};
pub use orders::{
    Buyer, NewOrderInput, NewOrderLineInput, NewSaleInput, Order, OrderLine, OrderTab,
    OrderTransition, Sale, SalesTotal, TabCounts,
};
pub use organisations::Organisation;
pub use producers::{NewProducerInput, Producer, ProducerChanges};
pub use regions::{Region, region_of, search_regions};
pub use sales::SaleEntry;
pub use selling::{
    BankAccount, CourierFee, DeliveryChoice, OrderSelling, PaymentChoice, SellingSettings,
};
pub use sync::{
    PendingCount, Quarantined, SignedIn, SyncCancel, SyncListener, SyncProgress, SyncReport,
    SyncSettings, SyncStatus,
};

uniffi::setup_scaffolding!();
