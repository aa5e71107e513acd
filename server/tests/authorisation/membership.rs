//! Membership managed on the web (`/koperasi/{id}/anggota`): the organisation's admin and a
//! facilitator in scope add and remove members; the admin of another cooperative and a
//! facilitator outside the producer's scope are refused, and who sees what follows at once.

use super::*;

/// The form token a web session's pages carry (as `server/src/web/session.rs` derives it).
fn csrf_of(token: &str) -> String {
    blake3::hash(format!("sentra-web-csrf:{token}").as_bytes()).to_hex()[..32].to_owned()
}

/// The members page of `organisation` as `who` sees it: status and body.
async fn members_page(world: &mut World, who: Who, organisation: Id) -> (u16, String) {
    let token = world.session(who).unwrap().token.clone();
    let url = format!("{}/koperasi/{organisation}/anggota", world.server.url);
    let answer = send(
        world
            .server
            .client
            .get(url)
            .header("cookie", format!("sentra_sesi={token}")),
    )
    .await;
    (
        answer.status,
        String::from_utf8_lossy(&answer.body).into_owned(),
    )
}

/// Posts the members form as `who`: `aksi` is `tambah` or `keluarkan`.
async fn post_member(
    world: &mut World,
    who: Who,
    organisation: Id,
    producer: Id,
    aksi: &str,
) -> Answer {
    let token = world.session(who).unwrap().token.clone();
    let url = format!("{}/koperasi/{organisation}/anggota", world.server.url);
    send(
        world
            .server
            .client
            .post(url)
            .header("cookie", format!("sentra_sesi={token}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf={}&produsen={producer}&aksi={aksi}",
                csrf_of(&token)
            )),
    )
    .await
}

/// Whether `who`, pulling from the start, sees P1's private product.
async fn sees_p1_product(world: &mut World, who: Who) -> bool {
    let product = world.p1.product.to_string();
    let session = world.session(who).unwrap().clone();
    let (seen, _) = pull_all(&world.server, &session, None).await;
    serde_json::to_string(&seen).unwrap().contains(&product)
}

pub async fn removal_and_return(world: &mut World) {
    let p1 = world.p1.clone();
    let p2 = world.p2.clone();
    assert!(sees_p1_product(world, Who::AdminSameCooperative).await);

    // The admin of another cooperative may not even open the page, nor post to it.
    let (status, _) = members_page(world, Who::AdminOtherCooperative, p1.cooperative).await;
    assert_eq!(status, 403);
    let refused = post_member(
        world,
        Who::AdminOtherCooperative,
        p1.cooperative,
        p1.producer,
        "keluarkan",
    )
    .await;
    assert_eq!(refused.status, 403);
    // A facilitator outside P1's scope opens the page but may not remove P1: the server's rules
    // refuse the change, and P1's name is not shown to them.
    let (status, page) = members_page(world, Who::FacilitatorNotAssigned, p1.cooperative).await;
    assert_eq!(status, 200);
    assert!(!page.contains(&p1.producer.to_string()), "{page}");
    assert!(page.contains("1 anggota lain"), "{page}");
    let refused = post_member(
        world,
        Who::FacilitatorNotAssigned,
        p1.cooperative,
        p1.producer,
        "keluarkan",
    )
    .await;
    assert_eq!(refused.status, 403);
    assert!(String::from_utf8_lossy(&refused.body).contains("tidak boleh mengubah keanggotaan"));
    // The cooperative's admin may not bring in a producer who is not theirs (P2).
    let refused = post_member(
        world,
        Who::AdminSameCooperative,
        p1.cooperative,
        p2.producer,
        "tambah",
    )
    .await;
    assert_eq!(refused.status, 403);
    assert!(sees_p1_product(world, Who::AdminSameCooperative).await);

    // The cooperative's admin sees P1 on the page and removes them.
    let (status, page) = members_page(world, Who::AdminSameCooperative, p1.cooperative).await;
    assert_eq!(status, 200);
    assert!(page.contains(&p1.producer.to_string()), "{page}");
    let removed = post_member(
        world,
        Who::AdminSameCooperative,
        p1.cooperative,
        p1.producer,
        "keluarkan",
    )
    .await;
    assert_eq!(removed.status, 303);
    let location = removed.headers["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?pesan=dikeluarkan"), "{location}");
    let (_, page) = members_page(world, Who::AdminSameCooperative, p1.cooperative).await;
    assert!(page.contains("Belum ada anggota."), "{page}");
    // Who sees what follows: the admin no longer pulls P1's private data.
    assert!(!sees_p1_product(world, Who::AdminSameCooperative).await);
    // Every phone learns of the removal through the feed, as its own entry.
    let (feed, _) = pull_all(&world.server, &world.admin, None).await;
    assert!(feed.iter().any(|c| c.entity == "organisation_member"
        && c.op == "remove"
        && c.id == p1.cooperative
        && c.fields["producer_id"] == p1.producer.to_string()));

    // P1's facilitator brings them back; the admin sees P1 again.
    let added = post_member(
        world,
        Who::FacilitatorAssigned,
        p1.cooperative,
        p1.producer,
        "tambah",
    )
    .await;
    assert_eq!(added.status, 303);
    assert!(sees_p1_product(world, Who::AdminSameCooperative).await);
    let (_, page) = members_page(world, Who::AdminSameCooperative, p1.cooperative).await;
    assert!(page.contains(&p1.producer.to_string()), "{page}");
}
