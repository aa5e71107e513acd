//! A producer leaving a cooperative, made on the facilitator's phone: the cooperative admin's
//! phone lets go of the producer's data at its next sync, and the producer's later edits no
//! longer reach it; joining again brings everything back.

use super::*;

on_both_backends!(a_producer_leaving_a_cooperative_leaves_its_admins_phone_and_can_come_back);

async fn a_producer_leaving_a_cooperative_leaves_its_admins_phone_and_can_come_back(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping.tenun",
        "rahasia-pendamping",
        Role::Facilitator,
        None,
    )
    .await;
    let registrar = phone(&server, "pendamping.tenun", "rahasia-pendamping").await;
    let member = registrar
        .sentra
        .register_producer(&producer("Tenun Pemalang", "0812-9191-0044"))
        .unwrap();
    let cloth = registrar
        .sentra
        .create_product(&product(member, "Kain Tenun", 4))
        .unwrap();
    let cooperative = registrar
        .sentra
        .create_organisation("cooperative", "Koperasi Tenun", "3327")
        .unwrap();
    registrar.sentra.add_member(cooperative, member).unwrap();
    sync(&server, &registrar).await;
    let admin_login = "admin.koperasi.tenun";
    account(
        &server,
        admin_login,
        "kata-sandi-koperasi",
        Role::CooperativeAdmin,
        None,
    )
    .await;
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || {
        let user = state.user_id(admin_login).unwrap();
        state
            .replica()
            .unwrap()
            .act(|core| core.add_admin(cooperative, user))
            .unwrap()
    })
    .await
    .unwrap();
    let admin = phone(&server, admin_login, "kata-sandi-koperasi").await;
    sync(&server, &admin).await;
    assert!(admin.sentra.product(cloth).is_ok(), "a member's product");

    // The facilitator takes the producer out, offline, and syncs.
    registrar.sentra.remove_member(cooperative, member).unwrap();
    let report = sync(&server, &registrar).await;
    assert_eq!(report.rejected, 0, "{report:?}");
    sync(&server, &admin).await;
    assert!(
        admin.sentra.product(cloth).is_err(),
        "gone from the admin's phone"
    );
    assert!(admin.sentra.producer(member).is_err());
    assert!(
        admin
            .sentra
            .organisation(cooperative)
            .unwrap()
            .members
            .is_empty()
    );
    // Later edits do not reach it.
    registrar
        .sentra
        .edit_product(
            cloth,
            &ProductPatch {
                price: Some(99_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &registrar).await;
    sync(&server, &admin).await;
    assert!(admin.sentra.product(cloth).is_err());

    // Joining again brings the producer back, with the later price.
    registrar.sentra.add_member(cooperative, member).unwrap();
    sync(&server, &registrar).await;
    sync(&server, &admin).await;
    assert_eq!(admin.sentra.product(cloth).unwrap().price, 99_000);
}
