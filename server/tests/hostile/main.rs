//! A hostile producer's phone: nothing but its own account and the documented wire format.
//!
//! For every kind of entry and every field the wire carries ([`rules::WIRE`], so a field added
//! later without a rule fails here), the attacker pushes an out-of-rule value in its own data,
//! and for every link to a parent, a link to someone else's. Each must be refused with the
//! stable code and the field it broke, leave no trace in the feed, and leave every page other
//! people use as it was. Then the attempts from the issue, one by one, as named tests. Every
//! test runs on SQLite and on PostgreSQL.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

use common::*;
use sentra_core::sync::rules::{self, FIXED, WIRE};
use sentra_core::sync::wire::{Change, Outcome, PushResponse};
use sentra_core::{Id, Role};
use sentra_server::limits::RateLimit;
use serde_json::{Value, json};

mod values;
use values::{hostile_values, own_change};

/// One producer's shop, pushed whole by the admin.
#[derive(Clone)]
struct Shop {
    producer: Id,
    product: Id,
    variant: Id,
    photo: Id,
    order: Id,
    organisation: Id,
}

impl Shop {
    fn new() -> Self {
        let product = Id::new();
        Shop {
            producer: Id::new(),
            product,
            variant: Id::child(product),
            photo: Id::new(),
            order: Id::new(),
            organisation: Id::new(),
        }
    }

    fn changes(&self, phone: &str, name: &str) -> Vec<Change> {
        let mut producer = valid::producer("self");
        producer["phone"] = json!(phone);
        producer["business_name"] = json!(name);
        let mut variant = valid::variant(self.product, "M").1;
        variant["position"] = json!(0);
        vec![
            change("producer", self.producer, "create", producer),
            change(
                "product",
                self.product,
                "create",
                valid::product(self.producer, &format!("Kaos {name}")),
            ),
            change("variant", self.variant, "create", variant),
            change(
                "stock_movement",
                Id::new(),
                "append",
                valid::movement(self.variant),
            ),
            change("photo", self.photo, "create", valid::photo(self.product)),
            change(
                "order",
                self.order,
                "create",
                valid::order(self.producer, self.variant),
            ),
            change(
                "organisation",
                self.organisation,
                "create",
                valid::organisation("cluster", &format!("Sentra {name}")),
            ),
        ]
    }
}

/// The victim, the attacker (a producer signed in on its own phone), and the admin.
struct World {
    server: Server,
    admin: Session,
    attacker: Session,
    victim: Shop,
    own: Shop,
}

async fn world(backend: Backend) -> Option<World> {
    let server = server_with(backend, |state| {
        state.with_rate_limit(RateLimit {
            burst: 100_000.0,
            per_second: 10_000.0,
        })
    })
    .await?;
    let victim = Shop::new();
    let own = Shop::new();
    account(&server, "admin.pusat", "rahasia-kuat-1", Role::Admin, None).await;
    account(
        &server,
        "081299990001",
        "246810",
        Role::Producer,
        Some(own.producer),
    )
    .await;
    let mut admin = sign_in(&server, "admin.pusat", "rahasia-kuat-1").await;
    let mut seed = victim.changes("+6281299990002", "Korban");
    seed.extend(own.changes("+6281299990001", "Penyerang"));
    // The attacker's cluster is its own to change: made by the admin, it names the attacker's
    // producer a member (membership gives no rights over the cluster; the attacker only pushes
    // organisation entries where a refusal is for the value, not the rights).
    push_applied(&server, &mut admin, seed).await;
    let attacker = sign_in(&server, "0812-9999-0001", "246810").await;
    Some(World {
        server,
        admin,
        attacker,
        victim,
        own,
    })
}

/// What the pages other people use look like: the storefront, the victim's product page, the
/// admin's feed size.
async fn pages(world: &World) -> Vec<(String, u16, String)> {
    let mut seen = Vec::new();
    for path in ["/".to_owned(), format!("/p/{}", world.victim.product)] {
        let answer = send(
            world
                .server
                .client
                .get(format!("{}{path}", world.server.url)),
        )
        .await;
        let html = String::from_utf8_lossy(&answer.body).into_owned();
        // The order form's request key is new on every load; nothing else may differ.
        let marker = "name=\"key\" value=\"";
        let html = match html.find(marker) {
            Some(at) => {
                let value = at + marker.len();
                let end = value + html[value..].find('"').unwrap();
                format!("{}{}", &html[..value], &html[end..])
            }
            None => html,
        };
        seen.push((path, answer.status, html));
    }
    seen
}

/// One hostile push as the attacker: its outcome.
async fn attempt(world: &mut World, change: Change) -> Outcome {
    let answer = push_raw(&world.server, &mut world.attacker, vec![change]).await;
    assert_eq!(answer.status, 200, "{}", answer.code());
    let response: PushResponse = answer.decode();
    response.results.into_iter().next().unwrap().outcome
}

/// Every field of every kind of entry, spoiled one value at a time: each is refused as
/// `validation` naming the field, no trace reaches the feed, and no page changes.
async fn every_field_of_every_entry_kind_is_checked(backend: Backend) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    let before = pages(&world).await;
    let (_, mut cursor) = pull_all(&world.server, &world.admin, None).await;
    let mut wrong = Vec::new();
    let mut attempts = 0;
    for kind in WIRE {
        for field in kind.fields {
            for value in hostile_values(kind.entity, field) {
                let mut spoiled = own_change(&world, kind.entity, kind.op);
                spoiled.fields.insert((*field).to_owned(), value.clone());
                if kind.op == "update"
                    && FIXED
                        .iter()
                        .any(|(e, f)| *e == kind.entity && f.contains(field))
                {
                    // A fixed field is refused whatever its value; checked below.
                    continue;
                }
                attempts += 1;
                let outcome = attempt(&mut world, spoiled.clone()).await;
                let named = |fields: &[sentra_core::sync::wire::FieldProblem]| {
                    fields.iter().any(|f| {
                        f.field == *field
                            || f.field.starts_with(&format!("{field}."))
                            || (f.field == "total" && *field == "lines")
                    })
                };
                match &outcome {
                    Outcome::Rejected { code, fields, .. }
                        if code == "validation" && named(fields) => {}
                    other => wrong.push(format!(
                        "{} {} {field} = {}: {other:?}",
                        kind.entity,
                        kind.op,
                        truncate(&value)
                    )),
                }
            }
        }
        // A field no kind of entry has is refused too.
        let mut extra = own_change(&world, kind.entity, kind.op);
        extra.fields.insert("is_admin".into(), json!(true));
        attempts += 1;
        match attempt(&mut world, extra).await {
            Outcome::Rejected { code, fields, .. }
                if code == "validation" && fields.iter().any(|f| f.field == "fields") => {}
            other => wrong.push(format!(
                "{} {} with an unknown field: {other:?}",
                kind.entity, kind.op
            )),
        }
    }
    let (new, next) = pull_all(&world.server, &world.admin, cursor.clone()).await;
    cursor = next;
    assert!(new.is_empty(), "refused entries reached the feed: {new:?}");
    assert!(
        wrong.is_empty(),
        "{} of {attempts} hostile values got through:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        pages(&world).await == before,
        "a refused push changed a page"
    );
    // The attacker's own honest change still goes through afterwards.
    let fine = own_change(&world, "product", "update");
    let mut fine = fine;
    fine.fields.insert("price".into(), json!(90_000));
    assert_eq!(attempt(&mut world, fine).await, Outcome::Applied);
    let (new, _) = pull_all(&world.server, &world.admin, cursor).await;
    assert_eq!(new.len(), 1);
    println!(
        "hostile values: {attempts} attempts over {} kinds of entry, all refused",
        WIRE.len()
    );
}

fn truncate(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 40 {
        format!("{}… ({} chars)", &text[..40], text.len())
    } else {
        text
    }
}

/// Links to a parent point at someone else's data: on create, every one is refused; on update,
/// a link (or any fixed field) cannot change at all.
async fn links_to_a_parent_are_checked_on_create_and_fixed_afterwards(backend: Backend) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    let before = pages(&world).await;
    let (_, cursor) = pull_all(&world.server, &world.admin, None).await;
    let v = world.victim.clone();
    let own = world.own.clone();
    let foreign = |entity: &str, op: &str, id: Id, fields: Value| change(entity, id, op, fields);
    let (child_of_victim, mut variant) = valid::variant(v.product, "Rp 1");
    variant["price"] = json!(1);
    let mut order = valid::order(own.producer, v.variant);
    order["lines"][0]["variant_id"] = json!(v.variant.to_string());
    let creates = vec![
        (
            "product under the victim",
            foreign(
                "product",
                "create",
                Id::new(),
                valid::product(v.producer, "Palsu"),
            ),
        ),
        (
            "variant in the victim's product",
            foreign("variant", "create", child_of_victim, variant.clone()),
        ),
        ("variant of my product with an id in the victim's range", {
            let mut mine = variant.clone();
            mine["product_id"] = json!(own.product.to_string());
            foreign("variant", "create", Id::child(v.product), mine)
        }),
        (
            "photo on the victim's product",
            foreign("photo", "create", Id::new(), valid::photo(v.product)),
        ),
        (
            "photo on the victim",
            foreign("photo", "create", Id::new(), valid::photo(v.producer)),
        ),
        (
            "order line of the victim's variant",
            foreign("order", "create", Id::new(), order),
        ),
        (
            "restock of the victim's variant",
            foreign(
                "stock_movement",
                "append",
                Id::new(),
                valid::movement(v.variant),
            ),
        ),
        (
            "sale of the victim's variant",
            foreign("sale", "append", Id::new(), valid::sale(v.variant)),
        ),
        (
            "member of the victim's cluster",
            foreign(
                "organisation_member",
                "append",
                v.organisation,
                json!({"producer_id": v.producer.to_string()}),
            ),
        ),
        (
            "the victim's product, created again as mine",
            foreign(
                "product",
                "create",
                v.product,
                valid::product(own.producer, "Curian"),
            ),
        ),
        (
            "the victim's order, created again as mine",
            foreign(
                "order",
                "create",
                v.order,
                valid::order(own.producer, own.variant),
            ),
        ),
    ];
    let mut wrong = Vec::new();
    for (what, change) in creates {
        match attempt(&mut world, change).await {
            Outcome::Rejected { code, .. }
                if ["forbidden", "unknown_reference", "validation"].contains(&code.as_str()) => {}
            other => wrong.push(format!("{what}: {other:?}")),
        }
    }
    // Re-parenting by update: every fixed field, on the attacker's own rows.
    let targets = [
        ("producer", own.producer, json!("self")),
        ("organisation", own.organisation, json!(now_ms())),
        ("product", own.product, json!(v.producer.to_string())),
        ("variant", own.variant, json!(v.product.to_string())),
        ("photo", own.photo, json!(v.product.to_string())),
    ];
    for (entity, fields) in FIXED {
        let (_, id, value) = targets.iter().find(|(e, _, _)| e == entity).unwrap();
        for field in *fields {
            let change = change(entity, *id, "update", json!({ *field: value }));
            match attempt(&mut world, change).await {
                Outcome::Rejected {
                    code,
                    fields: problems,
                    ..
                } if code == "validation"
                    && problems
                        .iter()
                        .any(|p| p.field == *field && p.rule == "immutable") => {}
                other => wrong.push(format!("{entity}.{field} changed by update: {other:?}")),
            }
        }
    }
    assert!(wrong.is_empty(), "got through:\n{}", wrong.join("\n"));
    let (new, _) = pull_all(&world.server, &world.admin, cursor).await;
    assert!(new.is_empty(), "refused entries reached the feed: {new:?}");
    assert!(
        pages(&world).await == before,
        "a refused push changed a page"
    );
}

/// The attempts from the issue, as a hostile phone made them: a variant in the victim's id
/// range "at Rp 1", a product sharing the victim's id prefix created and deleted, a restock of
/// 2^63−1, a sale of 4 × Rp 2^62, a negative price, min order 0, weight −1, status "haunted",
/// a 200,000-character name. Each is refused, the victim's page still offers its variant at
/// its price, and the storefront, the dashboard and its CSV answer 200.
async fn the_attempts_from_the_issue_change_no_page(backend: Backend) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    let v = world.victim.clone();
    let own = world.own.clone();
    // A product of the attacker's own whose id shares the victim's first 12 bytes: allowed (it
    // is the attacker's), but its delete must not touch the victim's variants.
    let twin = Id::child(v.product);
    let twin_product = change(
        "product",
        twin,
        "create",
        valid::product(own.producer, "Kembar"),
    );
    assert_eq!(attempt(&mut world, twin_product).await, Outcome::Applied);
    assert_eq!(
        attempt(&mut world, change("product", twin, "delete", json!({}))).await,
        Outcome::Applied
    );
    let (child, mut rp1) = valid::variant(v.product, "Rp1");
    rp1["price"] = json!(1);
    rp1["product_id"] = json!(own.product.to_string());
    let mut restock = valid::movement(own.variant);
    restock["delta"] = json!(i64::MAX);
    let mut sale = valid::sale(own.variant);
    sale["quantity"] = json!(4);
    sale["unit_price"] = json!(1_i64 << 62);
    let hostile = vec![
        change("variant", child, "create", rp1),
        change("stock_movement", Id::new(), "append", restock),
        change("sale", Id::new(), "append", sale),
        change("product", own.product, "update", json!({"price": -5000})),
        change("product", own.product, "update", json!({"min_order": 0})),
        change("product", own.product, "update", json!({"weight_g": -1})),
        change(
            "product",
            own.product,
            "update",
            json!({"status": "haunted"}),
        ),
        change(
            "product",
            own.product,
            "update",
            json!({"name": "x".repeat(200_000)}),
        ),
    ];
    for change in hostile {
        let what = format!(
            "{} {:?}",
            change.entity,
            change.fields.keys().collect::<Vec<_>>()
        );
        let outcome = attempt(&mut world, change).await;
        assert!(
            matches!(&outcome, Outcome::Rejected { code, .. } if code == "validation"),
            "{what}: {outcome:?}"
        );
    }
    let server = &world.server;
    let page = send(server.client.get(format!("{}/p/{}", server.url, v.product))).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("Rp 85.000"), "the victim's price");
    assert!(
        !html.contains("Rp 1<") && !html.contains("Rp1"),
        "no variant at Rp 1"
    );
    assert!(html.contains("Korban"), "still the victim's page");
    assert!(!html.contains("Penyerang"), "not signed by the attacker");
    // The victim's variant is still orderable: the buyer's order API takes it.
    let order = send(
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .json(&json!({
                "producer_id": v.producer.to_string(),
                "buyer": {"name": "Bu Ani", "phone": "081277778888", "regency_code": "3327",
                          "address": "Jl. Melati 2"},
                "lines": [{"variant_id": v.variant.to_string(), "quantity": 1}],
                "note": "", "key": Id::new().to_string()
            })),
    )
    .await;
    assert!(
        matches!(order.status, 200 | 201),
        "order for the victim's variant: {}",
        order.status
    );
    let home = send(server.client.get(format!("{}/", server.url))).await;
    assert_eq!(home.status, 200);
    // The official's dashboard and its channel export still answer.
    account(
        server,
        "dinas.jateng",
        "rahasia-kuat-1",
        Role::Official,
        None,
    )
    .await;
    let cookie = web_cookie(server, "dinas.jateng", "rahasia-kuat-1").await;
    for path in ["/dasbor", "/dasbor/ekspor/kanal.csv"] {
        let answer = send(
            server
                .client
                .get(format!("{}{path}", server.url))
                .header("cookie", &cookie),
        )
        .await;
        assert_eq!(answer.status, 200, "{path}");
    }
}

/// Signs in at `/masuk` as a browser would; the cookie to send afterwards.
async fn web_cookie(server: &Server, login: &str, secret: &str) -> String {
    let answer = send(
        server
            .client
            .post(format!("{}/masuk", server.url))
            .header("origin", server.url.clone())
            .form(&[("login", login), ("secret", secret), ("lanjut", "/dasbor")]),
    )
    .await;
    assert_eq!(answer.status, 303, "{login}");
    answer.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A producer "registers" itself again, naming a facilitator and bringing a PIN hash of its
/// choosing; a facilitator brings a hash with a cost of its choosing. Both are refused, and
/// neither PIN signs in.
async fn planted_sign_in_material_is_refused(backend: Backend) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    let own = world.own.clone();
    let cheap = sentra_server::accounts::hash_secret("111111").unwrap();
    let mut again = valid::producer(&Id::new().to_string());
    again["phone"] = json!("+6281299990009");
    again["activation_pin_hash"] = json!(cheap);
    let outcome = attempt(
        &mut world,
        change("producer", own.producer, "create", again),
    )
    .await;
    assert!(
        matches!(&outcome, Outcome::Rejected { code, .. } if code == "forbidden"),
        "{outcome:?}"
    );
    // Registering a brand-new producer "by a facilitator" from a producer's phone.
    let mut new = valid::producer(&Id::new().to_string());
    new["phone"] = json!("+6281299990010");
    new["activation_pin_hash"] = json!(cheap);
    let outcome = attempt(&mut world, change("producer", Id::new(), "create", new)).await;
    assert!(
        matches!(&outcome, Outcome::Rejected { code, .. } if code == "forbidden"),
        "{outcome:?}"
    );
    // A facilitator with a hash of ruinous cost.
    let facilitator = account(
        &world.server,
        "pendamping.satu",
        "rahasia-kuat-1",
        Role::Facilitator,
        None,
    )
    .await;
    let mut session = sign_in(&world.server, "pendamping.satu", "rahasia-kuat-1").await;
    let costly = {
        use argon2::PasswordHasher;
        let params = argon2::Params::new(8, 60, 1, None).unwrap();
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"222222")
            .unwrap()
            .to_string()
    };
    let mut registered = valid::producer(&facilitator.to_string());
    registered["phone"] = json!("+6281299990011");
    registered["activation_pin_hash"] = json!(costly);
    let answer = push_raw(
        &world.server,
        &mut session,
        vec![change("producer", Id::new(), "create", registered)],
    )
    .await;
    let response: PushResponse = answer.decode();
    assert!(
        matches!(&response.results[0].outcome, Outcome::Rejected { code, .. } if code == "forbidden"),
        "{:?}",
        response.results[0]
    );
    for (phone, pin) in [
        ("081299990009", "111111"),
        ("081299990010", "111111"),
        ("081299990011", "222222"),
    ] {
        let answer = login_attempt(&world.server, Id::new(), phone, pin).await;
        assert_eq!(answer.status, 401, "{phone} signed in with a planted PIN");
    }
    // The rule itself, as the push path and the producer's phone both apply it.
    assert!(
        rules::check(&change(
            "producer",
            Id::new(),
            "create",
            valid::producer("self")
        ))
        .is_ok()
    );
}

on_both_backends!(
    every_field_of_every_entry_kind_is_checked,
    links_to_a_parent_are_checked_on_create_and_fixed_afterwards,
    the_attempts_from_the_issue_change_no_page,
    planted_sign_in_material_is_refused,
);
