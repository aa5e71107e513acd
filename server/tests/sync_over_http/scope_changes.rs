//! Scopes that change after a phone's first sync: a region assigned to a facilitator, a
//! producer moving into or out of its region, a producer joining a cooperative. The phone gets
//! what came into its scope, whole, with later edits, and lets go of what left it.

use super::*;
use sentra_core::producers::ProducerPatch;

on_both_backends!(
    a_facilitator_assigned_a_new_region_after_its_first_sync_receives_its_producers_and_their_later_edits,
    a_producer_moving_into_the_region_arrives_and_moving_out_leaves_the_phone,
    a_producer_joining_a_cooperative_appears_on_its_admins_phone_with_later_edits,
    a_facilitators_own_new_registration_grows_its_scope_without_a_re_pull,
);

/// Registering a producer grows the facilitator's scope too, but nothing of the new producer
/// was in the feed before: the phone is told its new scope and pulls on from its cursor, with
/// no re-pull of everything it holds (bytes are money), and keeps both producers.
async fn a_facilitators_own_new_registration_grows_its_scope_without_a_re_pull(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let other = facilitator(&server, "pendamping.lama").await;
    let old = other
        .sentra
        .register_producer(&producer("Batik Lama", "0812-9191-0100"))
        .unwrap();
    other
        .sentra
        .create_product(&product(old, "Batik Tulis", 2))
        .unwrap();
    sync(&server, &other).await;
    let me = facilitator(&server, "pendamping.baru").await;
    assign(&server, "pendamping.baru", "3327").await;
    let first = sync(&server, &me).await;
    assert!(first.pulled > 0, "the region's producer arrives: {first:?}");
    let mine = me
        .sentra
        .register_producer(&producer("Konveksi Baru", "0812-9191-0101"))
        .unwrap();
    let report = sync(&server, &me).await;
    assert_eq!(report.pulled, 0, "nothing pulled again: {report:?}");
    let again = sync(&server, &me).await;
    assert_eq!(again.pulled, 0, "{again:?}");
    assert!(
        me.sentra.producer(mine).is_ok(),
        "its own registration stays"
    );
    assert!(
        me.sentra.producer(old).is_ok(),
        "and the region's producer too"
    );
}

/// A facilitator account, signed in on a fresh phone.
async fn facilitator(server: &Server, login: &str) -> Phone {
    account(server, login, "rahasia-pendamping", Role::Facilitator, None).await;
    phone(server, login, "rahasia-pendamping").await
}

async fn assign(server: &Server, login: &'static str, region: &'static str) {
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || state.assign_region(login, region).unwrap())
        .await
        .unwrap();
}

fn reprice(phone: &Phone, product: Id, price: i64) {
    phone
        .sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(price),
                ..Default::default()
            },
        )
        .unwrap();
}

fn move_to(phone: &Phone, producer: Id, region: &str) {
    phone
        .sentra
        .edit_producer(
            producer,
            &ProducerPatch {
                region_code: Some(region.into()),
                ..Default::default()
            },
        )
        .unwrap();
}

async fn a_facilitator_assigned_a_new_region_after_its_first_sync_receives_its_producers_and_their_later_edits(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let registrar = facilitator(&server, "pendamping.daftar").await;
    let p1 = registrar
        .sentra
        .register_producer(&producer("Konveksi Pemalang", "0812-9191-0001"))
        .unwrap();
    let jeans = registrar
        .sentra
        .create_product(&product(p1, "Jeans Pemalang", 3))
        .unwrap();
    sync(&server, &registrar).await;

    // The other facilitator syncs before anyone assigns it a region: it holds nothing.
    let helper = facilitator(&server, "pendamping.bantu").await;
    sync(&server, &helper).await;
    assert!(helper.sentra.product(jeans).is_err());

    assign(&server, "pendamping.bantu", "3327").await;
    sync(&server, &helper).await;
    assert_eq!(
        helper.sentra.producer(p1).unwrap().business_name,
        "Konveksi Pemalang"
    );
    assert_eq!(helper.sentra.product(jeans).unwrap().price, 85_000);

    // Later edits to those rows reach it too, and its own edits go back.
    reprice(&registrar, jeans, 90_000);
    sync(&server, &registrar).await;
    sync(&server, &helper).await;
    assert_eq!(helper.sentra.product(jeans).unwrap().price, 90_000);
    reprice(&helper, jeans, 95_000);
    sync(&server, &helper).await;
    assert!(helper.sentra.quarantined().unwrap().is_empty());
    sync(&server, &registrar).await;
    assert_eq!(registrar.sentra.product(jeans).unwrap().price, 95_000);
}

async fn a_producer_moving_into_the_region_arrives_and_moving_out_leaves_the_phone(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let registrar = facilitator(&server, "pendamping.daftar").await;
    let helper = facilitator(&server, "pendamping.bantu").await;
    assign(&server, "pendamping.bantu", "3327").await;
    let mut in_banyumas = producer("Gula Banyumas", "0812-9191-0002");
    in_banyumas.region_code = "3302".into();
    let gula_maker = registrar.sentra.register_producer(&in_banyumas).unwrap();
    let gula = registrar
        .sentra
        .create_product(&product(gula_maker, "Gula Semut", 5))
        .unwrap();
    let stays = registrar
        .sentra
        .register_producer(&producer("Batik Pemalang", "0812-9191-0003"))
        .unwrap();
    sync(&server, &registrar).await;
    sync(&server, &helper).await;
    assert!(helper.sentra.product(gula).is_err(), "outside the region");
    assert!(helper.sentra.producer(stays).is_ok());

    // The producer moves into Pemalang: the helper gets it whole, then its later edits.
    move_to(&registrar, gula_maker, "3327");
    sync(&server, &registrar).await;
    sync(&server, &helper).await;
    assert_eq!(
        helper.sentra.producer(gula_maker).unwrap().region_code,
        "3327"
    );
    assert_eq!(helper.sentra.product(gula).unwrap().price, 85_000);
    reprice(&registrar, gula, 40_000);
    sync(&server, &registrar).await;
    sync(&server, &helper).await;
    assert_eq!(helper.sentra.product(gula).unwrap().price, 40_000);

    // It moves back out: it leaves the helper's phone (and its lists), the rest stays, and
    // the registrar, who registered it, keeps it.
    move_to(&registrar, gula_maker, "3302");
    sync(&server, &registrar).await;
    sync(&server, &helper).await;
    assert!(helper.sentra.producer(gula_maker).is_err());
    assert!(helper.sentra.product(gula).is_err());
    let listed: Vec<Id> = helper
        .sentra
        .producers(false, 0, 100)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, vec![stays]);
    assert_eq!(registrar.sentra.product(gula).unwrap().price, 40_000);
}

async fn a_producer_joining_a_cooperative_appears_on_its_admins_phone_with_later_edits(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let registrar = facilitator(&server, "pendamping.daftar").await;
    let member = registrar
        .sentra
        .register_producer(&producer("Tenun Pemalang", "0812-9191-0004"))
        .unwrap();
    let cloth = registrar
        .sentra
        .create_product(&product(member, "Kain Tenun", 4))
        .unwrap();
    sync(&server, &registrar).await;

    // The cooperative and its admin exist, and the admin's phone syncs, before anyone joins.
    let admin_login = "admin.koperasi";
    account(
        &server,
        admin_login,
        "kata-sandi-koperasi",
        Role::CooperativeAdmin,
        None,
    )
    .await;
    let state = server.state.clone();
    let cooperative = tokio::task::spawn_blocking(move || {
        let user = state.user_id(admin_login).unwrap();
        state
            .replica()
            .unwrap()
            .act(|core| {
                let id = core.create_organisation("cooperative", "Koperasi Tenun", "3327")?;
                core.add_admin(id, user)?;
                Ok(id)
            })
            .unwrap()
    })
    .await
    .unwrap();
    let admin = phone(&server, admin_login, "kata-sandi-koperasi").await;
    sync(&server, &admin).await;
    assert!(admin.sentra.organisation(cooperative).is_ok());
    assert!(admin.sentra.product(cloth).is_err());

    // The producer joins: it appears on the admin's phone, and so do its later edits.
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| core.add_member(cooperative, member))
            .unwrap()
    })
    .await
    .unwrap();
    sync(&server, &admin).await;
    assert_eq!(
        admin.sentra.producer(member).unwrap().business_name,
        "Tenun Pemalang"
    );
    assert_eq!(admin.sentra.product(cloth).unwrap().price, 85_000);
    reprice(&registrar, cloth, 120_000);
    sync(&server, &registrar).await;
    sync(&server, &admin).await;
    assert_eq!(admin.sentra.product(cloth).unwrap().price, 120_000);
}
