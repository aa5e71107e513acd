//! What the attacker sends: out-of-rule values for every field, and its own valid change of
//! every kind to spoil one field of.

use super::*;

/// Out-of-rule values for a field. Every field of every kind of entry must have some: a field
/// without any is a field no one thought about, and the suite fails on it.
pub fn hostile_values(entity: &str, field: &str) -> Vec<Value> {
    let long = "x".repeat(200_000);
    let mut values = vec![json!({"nested": true}), json!([1, 2])];
    let specific: Vec<Value> = match (entity, field) {
        (
            _,
            "created_at" | "at" | "accepted_at" | "shipped_at" | "completed_at" | "closed_at"
            | "voided_at" | "paid_at",
        ) => {
            vec![json!(-1), json!(i64::MAX), json!("kemarin")]
        }
        (
            _,
            "producer_id" | "product_id" | "owner_id" | "variant_id" | "user_id" | "ref_id"
            | "sale_id",
        ) => {
            vec![json!("bukan-id"), json!(12)]
        }
        (_, "business_name" | "owner_name" | "name" | "category" | "buyer_name" | "sku") => {
            vec![
                json!(""),
                json!(long),
                json!("a\u{0}b"),
                json!("dua\nbaris"),
                json!(5),
            ]
        }
        (_, "courier" | "tracking_no" | "tier1" | "tier2" | "option1" | "option2") => {
            vec![json!(long), json!("a\u{7}b"), json!("dua\nbaris")]
        }
        (_, "description" | "address" | "buyer_address" | "note" | "reason") => {
            vec![json!(long), json!("a\u{0}b"), json!(5)]
        }
        (_, "phone" | "buyer_phone") => vec![json!("+1 415 555 0100"), json!("0812-3456-7890")],
        (_, "region_code") => vec![json!("9999"), json!("33")],
        ("order", "buyer_regency") => vec![json!("9999"), json!("3327010001")],
        (_, "sector") => vec![json!("haunted")],
        (_, "workforce") => vec![json!(-1), json!(100_000_000)],
        (_, "year_founded") => vec![json!(1066), json!(2999)],
        (_, "nib") => vec![json!("123"), json!("12345678901ab")],
        (_, "certifications") => vec![json!("halal,haunted")],
        (_, "consent_publish") => vec![json!(7), json!("ya")],
        (_, "consent_date") => vec![json!("=1+2+3"), json!("2026-02-30")],
        (_, "registered_by") => vec![json!("siapa saja"), json!(3)],
        (_, "activation_pin_hash") => vec![json!("123456"), json!(long)],
        (_, "kind") => vec![json!("haunted"), json!("")],
        (_, "unit") => vec![json!("parsec"), json!("PCS ")],
        (_, "price" | "unit_price" | "total") => {
            vec![
                json!(-5000),
                json!(i64::MAX),
                json!(4_611_686_018_427_387_904_i64),
                json!("1"),
            ]
        }
        (_, "min_order") => vec![json!(0), json!(-1)],
        (_, "quantity") => vec![json!(0), json!(i64::MAX), json!(-3)],
        (_, "weight_g" | "length_cm" | "width_cm" | "height_cm") => {
            vec![json!(-1), json!(i64::MAX)]
        }
        (_, "status") => vec![json!("haunted"), json!("")],
        (_, "position") => vec![json!(-1), json!(1_000_000)],
        ("variant", "removed") => vec![json!(2), json!(-1), json!("ya")],
        ("product", "seen") => vec![json!("kemarin"), json!(1.5)],
        (_, "hash" | "thumb_hash") => vec![json!("../../etc/passwd"), json!("ABC")],
        ("order", "code") => vec![json!("SNT-ILOU0000"), json!("<script>")],
        ("order", "lines") => vec![
            json!([]),
            json!([{"variant_id": "x", "quantity": 1, "unit_price": 1}]),
        ],
        ("stock_movement", "delta") => vec![json!(0), json!(i64::MAX), json!(-5_000_000_000_i64)],
        ("sale", "channel") | ("order", "channel") => vec![json!("haunted")],
        ("sale", "sold_on") => vec![json!("=1+2+3"), json!("1999-12-31")],
        // How a producer sells, and what an order chose (`sentra_core::selling`).
        ("producer", "delivery_pickup") => vec![
            json!(long),
            json!("a\u{0}b"),
            json!("dua\nbaris"),
            json!("  tidak dirapikan "),
            json!(5),
        ],
        ("producer", "delivery_courier") => vec![
            json!(r#"{"flat":-1}"#),
            json!(r#"{"flat":99999999999}"#),
            json!(r#"{"flat":1.5}"#),
            json!(r#"{"per_kg":{}}"#),
            json!(r#"{"per_kg":{"regency":0}}"#),
            json!(r#"{ "flat": 1000 }"#),
            json!(r#"{"flat":1000,"drone":1}"#),
            json!("<script>alert(1)</script>"),
            json!(5),
        ],
        ("producer", "payment_bank") => vec![
            json!(r#"{"bank":"BRI","number":"12AB5678","holder":"Siti"}"#),
            json!(r#"{"bank":"BRI","number":"123","holder":"Siti"}"#),
            json!(r#"{"number":"1234567890","bank":"BRI","holder":"Siti"}"#),
            json!(r#"{"bank":"BRI","number":"1234567890"}"#),
            json!(r#"{"bank":"","number":"1234567890","holder":"Siti"}"#),
            json!(r#"{"bank":"BRI","number":"1234-567890","holder":"Siti"}"#),
            json!(format!(
                r#"{{"bank":"BRI","number":"1234567890","holder":"{long}"}}"#
            )),
            json!(5),
        ],
        ("producer", "payment_qris") => vec![json!("../../etc/passwd"), json!("ABC"), json!(5)],
        ("producer", "payment_cod") => vec![json!(2), json!(-1), json!("ya")],
        ("producer", "contact_whatsapp") => {
            vec![json!("+1 415 555 0100"), json!("0812-3456-7890"), json!(5)]
        }
        ("order", "delivery") => vec![json!("drone"), json!(5)],
        ("order", "payment") => vec![json!("bitcoin"), json!(5)],
        ("order", "delivery_fee") => vec![json!(-1), json!(i64::MAX), json!(5_000), json!("1")],
        _ => panic!("no hostile value for {entity}.{field}: give it a rule, then a case here"),
    };
    values.extend(specific);
    values
}

/// The attacker's own valid change of this kind, to spoil one field of.
pub fn own_change(world: &World, entity: &str, op: &str) -> Change {
    let own = &world.own;
    let fields = match (entity, op) {
        ("producer", "create") => valid::producer("self"),
        ("organisation", "create") => valid::organisation("cluster", "Sentra Lain"),
        ("product", "create") => valid::product(own.producer, "Sarung"),
        ("variant", "create") => {
            let (id, fields) = valid::variant(own.product, "XL");
            return change(entity, id, op, fields);
        }
        ("photo", "create") => valid::photo(own.product),
        ("order", "create") => valid::order(own.producer, own.variant),
        ("stock_movement", "append") => valid::movement(own.variant),
        ("sale", "append") => valid::sale(own.variant),
        ("sale_void", "append") => {
            // Its own sale's void; the rules refuse each spoiled field before anyone looks the
            // sale up.
            let sale = Id::new();
            let fields = json!({"sale_id": sale.to_string(), "reason": "", "voided_at": now_ms()});
            return change(entity, sentra_core::sales::void_id(sale), op, fields);
        }
        ("organisation_member", "append") => json!({"producer_id": own.producer.to_string()}),
        ("organisation_admin", "append") => json!({"user_id": world.attacker.user.to_string()}),
        ("order", "transition") => json!({"status": "accepted", "accepted_at": now_ms()}),
        _ => json!({}),
    };
    let id = match (entity, op) {
        (_, "create" | "append") if entity != "producer" => Id::new(),
        ("organisation_member" | "organisation_admin", _) => own.organisation,
        ("producer", "create") => own.producer,
        ("producer", _) => own.producer,
        ("organisation", _) => own.organisation,
        ("product", _) => own.product,
        ("variant", _) => own.variant,
        ("photo", _) => own.photo,
        ("order", _) => own.order,
        _ => Id::new(),
    };
    change(entity, id, op, fields)
}
