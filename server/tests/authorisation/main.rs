//! The authorisation matrix: every role against every push entry kind, every pull scope and
//! every HTTP route, over real HTTP on both backends. The expected allow/deny tables are data
//! (`push.rs`, `pull.rs`, `routes.rs`); the route table is checked against the routes the
//! server's source declares, so a new route without a row fails this suite.
//!
//! The world: producer P1 (registered by facilitator F1, in Pemalang 3327, a member of
//! cooperative A administered by CA) and producer P2 (self-registered, in Banyumas 3302, a
//! member of cooperative B administered by CB). F3 is assigned to Pemalang by region; F2 is
//! assigned to East Java, where nobody is. Each producer has an unlisted product with a variant
//! and a photo, and an order with a buyer's phone and address.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod membership;
mod pull;
mod push;
mod routes;

use common::*;
use sentra_core::{Id, Role};
use sentra_server::limits::RateLimit;
use serde_json::json;

/// Who tries: the columns of every table, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// P1 on their own phone.
    Producer,
    /// P2.
    OtherProducer,
    /// F1, who registered P1.
    FacilitatorAssigned,
    /// F3, assigned to P1's regency.
    FacilitatorOfRegion,
    /// F2, assigned elsewhere.
    FacilitatorNotAssigned,
    /// CA, admin of P1's cooperative.
    AdminSameCooperative,
    /// CB, admin of another cooperative.
    AdminOtherCooperative,
    /// An official of the Dinas.
    Official,
    /// A buyer with no account.
    Anonymous,
}

pub const EVERYONE: [Who; 9] = [
    Who::Producer,
    Who::OtherProducer,
    Who::FacilitatorAssigned,
    Who::FacilitatorOfRegion,
    Who::FacilitatorNotAssigned,
    Who::AdminSameCooperative,
    Who::AdminOtherCooperative,
    Who::Official,
    Who::Anonymous,
];

/// The private things of one producer, which must never reach anyone outside their scope.
#[derive(Debug, Clone)]
pub struct Shop {
    pub producer: Id,
    pub phone: &'static str,
    pub address: &'static str,
    pub product: Id,
    pub variant: Id,
    pub photo: Id,
    pub order: Id,
    pub buyer_phone: &'static str,
    pub cooperative: Id,
}

/// The seeded world with a session for every role but the anonymous buyer.
pub struct World {
    pub server: Server,
    pub admin: Session,
    pub sessions: Vec<(Who, Session)>,
    /// Each role's login and secret, to sign in again.
    pub credentials: Vec<(Who, &'static str, &'static str)>,
    pub p1: Shop,
    pub p2: Shop,
}

impl World {
    pub fn session(&mut self, who: Who) -> Option<&mut Session> {
        self.sessions
            .iter_mut()
            .find(|(w, _)| *w == who)
            .map(|(_, s)| s)
    }
}

const SECRET: &str = "rahasia-kuat-1";

fn shop_changes(
    shop: &Shop,
    registered_by: &str,
    region: &str,
) -> Vec<sentra_core::sync::wire::Change> {
    let with = |mut fields: serde_json::Value, more: serde_json::Value| {
        for (key, value) in more.as_object().unwrap() {
            fields[key] = value.clone();
        }
        fields
    };
    vec![
        change(
            "producer",
            shop.producer,
            "create",
            with(
                valid::producer(registered_by),
                json!({"business_name": "Usaha", "owner_name": "Pemilik", "phone": shop.phone,
                       "address": shop.address, "region_code": region}),
            ),
        ),
        change(
            "product",
            shop.product,
            "create",
            with(
                valid::product(shop.producer, "Belum dijual"),
                json!({"status": "unlisted"}),
            ),
        ),
        change(
            "variant",
            shop.variant,
            "create",
            valid::variant(shop.product, "M").1,
        ),
        change("photo", shop.photo, "create", valid::photo(shop.product)),
        change(
            "order",
            shop.order,
            "create",
            with(
                valid::order(shop.producer, shop.variant),
                json!({"buyer_phone": shop.buyer_phone, "buyer_address": "Gang Mawar 3"}),
            ),
        ),
        change(
            "organisation",
            shop.cooperative,
            "create",
            with(
                valid::organisation("cooperative", "Koperasi"),
                json!({"region_code": region}),
            ),
        ),
        change(
            "organisation_member",
            shop.cooperative,
            "append",
            json!({"producer_id": shop.producer.to_string()}),
        ),
    ]
}

fn shop(phone: &'static str, address: &'static str, buyer_phone: &'static str) -> Shop {
    let product = Id::new();
    Shop {
        producer: Id::new(),
        phone,
        address,
        product,
        variant: Id::child(product),
        photo: Id::new(),
        order: Id::new(),
        buyer_phone,
        cooperative: Id::new(),
    }
}

/// Builds the world through the public protocol: accounts, sign-ins, then the admin pushes the
/// data as a head office would.
pub async fn world(backend: Backend) -> Option<World> {
    // Hundreds of requests per token in a few seconds: far above the default rate limit, which
    // `bad_input` tests on its own.
    let server = server_with(backend, |state| {
        state.with_rate_limit(RateLimit {
            burst: 100_000.0,
            per_second: 10_000.0,
        })
    })
    .await?;
    // Phones as the core stores them (normalised), so the leak checks find them if they leak.
    let p1 = shop(
        "+6281227501234",
        "Jl. Raya Rowosari No. 12",
        "+6285711112222",
    );
    let p2 = shop("+6281355556666", "Dusun Kalibening RT 02", "+6285733334444");
    account(&server, "admin.pusat", SECRET, Role::Admin, None).await;
    account(
        &server,
        "081227501234",
        "246810",
        Role::Producer,
        Some(p1.producer),
    )
    .await;
    account(
        &server,
        "081355556666",
        "135790",
        Role::Producer,
        Some(p2.producer),
    )
    .await;
    let f1 = account(&server, "pendamping.satu", SECRET, Role::Facilitator, None).await;
    account(
        &server,
        "pendamping.wilayah",
        SECRET,
        Role::Facilitator,
        None,
    )
    .await;
    account(&server, "pendamping.lain", SECRET, Role::Facilitator, None).await;
    account(
        &server,
        "admin.koperasi.a",
        SECRET,
        Role::CooperativeAdmin,
        None,
    )
    .await;
    account(
        &server,
        "admin.koperasi.b",
        SECRET,
        Role::CooperativeAdmin,
        None,
    )
    .await;
    account(&server, "dinas.jateng", SECRET, Role::Official, None).await;
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || {
        state.assign_region("pendamping.wilayah", "3327").unwrap();
        state.assign_region("pendamping.lain", "35").unwrap();
    })
    .await
    .unwrap();

    let mut admin = sign_in(&server, "admin.pusat", SECRET).await;
    let mut sessions = Vec::new();
    let credentials = vec![
        (Who::Producer, "0812-2750-1234", "246810"),
        (Who::OtherProducer, "081355556666", "135790"),
        (Who::FacilitatorAssigned, "pendamping.satu", SECRET),
        (Who::FacilitatorOfRegion, "pendamping.wilayah", SECRET),
        (Who::FacilitatorNotAssigned, "pendamping.lain", SECRET),
        (Who::AdminSameCooperative, "admin.koperasi.a", SECRET),
        (Who::AdminOtherCooperative, "admin.koperasi.b", SECRET),
        (Who::Official, "dinas.jateng", SECRET),
    ];
    for (who, login, secret) in &credentials {
        sessions.push((*who, sign_in(&server, login, secret).await));
    }
    let user = |who: Who| {
        sessions
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, s): &(Who, Session)| s.user)
            .unwrap()
    };
    let mut seed = shop_changes(&p1, &f1.to_string(), "3327");
    seed.extend(shop_changes(&p2, "self", "3302"));
    for (cooperative, who) in [
        (p1.cooperative, Who::AdminSameCooperative),
        (p2.cooperative, Who::AdminOtherCooperative),
    ] {
        seed.push(change(
            "organisation_admin",
            cooperative,
            "append",
            json!({"user_id": user(who).to_string()}),
        ));
    }
    push_applied(&server, &mut admin, seed).await;
    Some(World {
        server,
        admin,
        sessions,
        credentials,
        p1,
        p2,
    })
}

on_both_backends!(
    every_role_against_every_push_entry_kind_matches_the_table_and_a_refusal_changes_nothing,
    every_role_pulls_exactly_its_scope_and_never_another_producers_private_fields,
    every_route_answers_every_role_as_the_table_says,
    an_admin_of_another_cooperative_cannot_annex_a_producer_or_crown_itself,
    a_facilitator_renames_the_cluster_they_made_and_no_other_facilitator_can,
    a_photo_file_is_served_only_within_its_producers_scope_until_the_product_is_listed,
    a_cooperative_admin_removes_a_member_on_the_web_and_a_facilitator_brings_them_back,
);

async fn every_role_against_every_push_entry_kind_matches_the_table_and_a_refusal_changes_nothing(
    backend: Backend,
) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    push::run_matrix(&mut world).await;
}

async fn every_role_pulls_exactly_its_scope_and_never_another_producers_private_fields(
    backend: Backend,
) {
    let Some(world) = world(backend).await else {
        return;
    };
    pull::check_scopes(&world).await;
}

async fn every_route_answers_every_role_as_the_table_says(backend: Backend) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    routes::run_matrix(&mut world).await;
}

async fn an_admin_of_another_cooperative_cannot_annex_a_producer_or_crown_itself(backend: Backend) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    push::annexation_is_refused(&mut world).await;
}

async fn a_facilitator_renames_the_cluster_they_made_and_no_other_facilitator_can(
    backend: Backend,
) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    push::only_the_maker_renames_a_cluster(&mut world).await;
}

async fn a_photo_file_is_served_only_within_its_producers_scope_until_the_product_is_listed(
    backend: Backend,
) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    routes::photo_files_follow_the_scope(&mut world).await;
}

async fn a_cooperative_admin_removes_a_member_on_the_web_and_a_facilitator_brings_them_back(
    backend: Backend,
) {
    let Some(mut world) = world(backend).await else {
        return;
    };
    membership::removal_and_return(&mut world).await;
}
