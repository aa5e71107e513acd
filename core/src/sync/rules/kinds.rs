//! The kinds of entry a push may carry, with their fields, and the fields fixed at creation.
//! The checks on each field live in the parent module.

/// One kind of entry (an entity and an operation) and the fields it may carry.
#[derive(Debug, Clone, Copy)]
pub struct EntryKind {
    /// The entity (`product`, `sale`, …).
    pub entity: &'static str,
    /// The operation (`create`, `update`, `delete`, `append`, `transition`).
    pub op: &'static str,
    /// Every field it may carry.
    pub fields: &'static [&'static str],
    /// Of those, the ones a create or append may leave out (the rest it must carry, a null where
    /// the rule allows one). Updates and transitions carry any subset.
    pub optional: &'static [&'static str],
}

const PRODUCER: &[&str] = &[
    "business_name",
    "owner_name",
    "phone",
    "address",
    "region_code",
    "sector",
    "workforce",
    "year_founded",
    "nib",
    "certifications",
    "consent_publish",
    "consent_date",
    "registered_by",
    "created_at",
    "delivery_pickup",
    "delivery_courier",
    "payment_bank",
    "payment_qris",
    "payment_cod",
    "contact_whatsapp",
];
const PRODUCER_CREATE: &[&str] = &[
    "business_name",
    "owner_name",
    "phone",
    "address",
    "region_code",
    "sector",
    "workforce",
    "year_founded",
    "nib",
    "certifications",
    "consent_publish",
    "consent_date",
    "registered_by",
    "created_at",
    "activation_pin_hash",
    "delivery_pickup",
    "delivery_courier",
    "payment_bank",
    "payment_qris",
    "payment_cod",
    "contact_whatsapp",
];
/// How a producer sells (`crate::selling`): written only by updates, so a create may leave them
/// out.
const SELLING_OPTIONAL: &[&str] = &[
    "activation_pin_hash",
    "delivery_pickup",
    "delivery_courier",
    "payment_bank",
    "payment_qris",
    "payment_cod",
    "contact_whatsapp",
];
const ORGANISATION: &[&str] = &["kind", "name", "region_code", "created_at"];
const PRODUCT: &[&str] = &[
    "producer_id",
    "name",
    "description",
    "category",
    "unit",
    "price",
    "min_order",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
    "status",
    "tier1",
    "tier2",
    "created_at",
];
const VARIANT: &[&str] = &[
    "product_id",
    "position",
    "sku",
    "option1",
    "option2",
    "price",
    "removed",
];
const PHOTO: &[&str] = &["owner_id", "position", "hash", "thumb_hash"];
const ORDER_CREATE: &[&str] = &[
    "code",
    "producer_id",
    "channel",
    "status",
    "buyer_name",
    "buyer_phone",
    "buyer_regency",
    "buyer_address",
    "note",
    "total",
    "created_at",
    "lines",
    "delivery",
    "delivery_fee",
    "payment",
];
const ORDER_TRANSITION: &[&str] = &[
    "status",
    "accepted_at",
    "shipped_at",
    "completed_at",
    "closed_at",
    "reason",
    "courier",
    "tracking_no",
    "paid_at",
];
const MOVEMENT: &[&str] = &["variant_id", "kind", "delta", "ref_id", "at", "reason"];
const SALE_VOID: &[&str] = &["sale_id", "reason", "voided_at"];
const SALE: &[&str] = &[
    "variant_id",
    "quantity",
    "unit_price",
    "channel",
    "sold_on",
    "created_at",
];

/// Every kind of entry a push may carry, with its fields.
pub const WIRE: &[EntryKind] = &[
    EntryKind {
        entity: "producer",
        op: "create",
        fields: PRODUCER_CREATE,
        optional: SELLING_OPTIONAL,
    },
    EntryKind {
        entity: "producer",
        op: "update",
        fields: PRODUCER,
        optional: &[],
    },
    EntryKind {
        entity: "producer",
        op: "delete",
        fields: &[],
        optional: &[],
    },
    EntryKind {
        entity: "organisation",
        op: "create",
        fields: ORGANISATION,
        optional: &[],
    },
    EntryKind {
        entity: "organisation",
        op: "update",
        fields: ORGANISATION,
        optional: &[],
    },
    EntryKind {
        entity: "organisation",
        op: "delete",
        fields: &[],
        optional: &[],
    },
    EntryKind {
        entity: "organisation_member",
        op: "append",
        fields: &["producer_id"],
        optional: &[],
    },
    EntryKind {
        entity: "organisation_member",
        op: "remove",
        fields: &["producer_id"],
        optional: &[],
    },
    EntryKind {
        entity: "organisation_admin",
        op: "append",
        fields: &["user_id"],
        optional: &[],
    },
    EntryKind {
        entity: "product",
        op: "create",
        fields: PRODUCT,
        optional: &[],
    },
    EntryKind {
        entity: "product",
        op: "update",
        fields: PRODUCT,
        optional: &[],
    },
    EntryKind {
        entity: "product",
        op: "delete",
        // The newest clock the deleting phone held for the product (see `sync::notices`).
        fields: &["seen"],
        optional: &["seen"],
    },
    EntryKind {
        entity: "variant",
        op: "create",
        fields: VARIANT,
        optional: &["removed"],
    },
    EntryKind {
        entity: "variant",
        op: "update",
        fields: VARIANT,
        optional: &[],
    },
    EntryKind {
        entity: "variant",
        op: "delete",
        fields: &[],
        optional: &[],
    },
    EntryKind {
        entity: "photo",
        op: "create",
        fields: PHOTO,
        optional: &[],
    },
    EntryKind {
        entity: "photo",
        op: "update",
        fields: PHOTO,
        optional: &[],
    },
    EntryKind {
        entity: "photo",
        op: "delete",
        fields: &["owner_id"],
        optional: &["owner_id"],
    },
    EntryKind {
        entity: "order",
        op: "create",
        fields: ORDER_CREATE,
        // An order with no choice of delivery or payment (or from an old phone) has none.
        optional: &["delivery", "delivery_fee", "payment"],
    },
    EntryKind {
        entity: "order",
        op: "transition",
        fields: ORDER_TRANSITION,
        optional: &[],
    },
    EntryKind {
        entity: "stock_movement",
        op: "append",
        fields: MOVEMENT,
        // Only an adjustment with a reason carries one (older phones never do).
        optional: &["reason"],
    },
    EntryKind {
        entity: "sale",
        op: "append",
        fields: SALE,
        optional: &[],
    },
    EntryKind {
        entity: "sale_void",
        op: "append",
        fields: SALE_VOID,
        optional: &[],
    },
];

/// Fields set when a row is created that never change afterwards: an update carrying one is
/// refused (`immutable`).
pub const FIXED: &[(&str, &[&str])] = &[
    ("producer", &["registered_by", "created_at"]),
    ("organisation", &["created_at"]),
    ("product", &["producer_id", "created_at"]),
    // A variant's options make its id (see `Id::variant`): other options are another variant.
    ("variant", &["product_id", "option1", "option2"]),
    ("photo", &["owner_id", "hash", "thumb_hash"]),
];
