//! Every role pulls the whole feed from the start on a fresh device. The table says whose data
//! it must see, completely or not at all; the private fields of a producer outside the scope
//! (phone, address, unlisted product, orders and their buyers) must not appear anywhere in the
//! bytes it receives.

use super::*;
use sentra_core::sync::wire::Change;

/// Columns: sees P1's shop, sees P2's shop, sees the organisations; `U` for refused with 401.
const SCOPES: &[(Who, &str)] = &[
    (Who::Producer, "YNY"),
    (Who::OtherProducer, "NYY"),
    (Who::FacilitatorAssigned, "YNY"),
    (Who::FacilitatorOfRegion, "YNY"),
    (Who::FacilitatorNotAssigned, "NNY"),
    (Who::AdminSameCooperative, "YNY"),
    (Who::AdminOtherCooperative, "NYY"),
    (Who::Official, "NNY"),
    (Who::Anonymous, "U"),
];

fn shop_ids(shop: &Shop) -> [Id; 5] {
    [
        shop.producer,
        shop.product,
        shop.variant,
        shop.photo,
        shop.order,
    ]
}

/// How much of a shop a pull carried: `Y` all of it, `N` none, `partial` otherwise.
fn coverage(changes: &[Change], shop: &Shop) -> String {
    let ids = shop_ids(shop);
    let seen = ids
        .iter()
        .filter(|id| changes.iter().any(|c| c.id == **id && !is_organisation(c)))
        .count();
    match seen {
        0 => "N".into(),
        5 => "Y".into(),
        n => format!("partial({n}/5)"),
    }
}

fn is_organisation(change: &Change) -> bool {
    change.entity.starts_with("organisation")
}

/// The strings only a producer's scope may receive.
fn private(shop: &Shop) -> Vec<String> {
    vec![
        shop.phone.to_owned(),
        shop.address.to_owned(),
        shop.buyer_phone.to_owned(),
        shop.product.to_string(),
        shop.variant.to_string(),
        shop.order.to_string(),
    ]
}

pub async fn check_scopes(world: &World) {
    assert_eq!(SCOPES.len(), EVERYONE.len(), "one row per role");
    for (who, expected) in SCOPES {
        let Some((_, session)) = world.sessions.iter().find(|(w, _)| w == who) else {
            assert_eq!(*expected, "U");
            let nobody = Session {
                token: "not-a-token".into(),
                device: Id::new(),
                user: Id::new(),
                seq: 1,
            };
            let answer = pull_page(&world.server, &nobody, None).await;
            assert_eq!((answer.status, answer.code()), (401, "unauthorized".into()));
            continue;
        };
        // From the start of the feed, as a new phone of this account would.
        let (changes, _) = pull_all(&world.server, session, None).await;
        let organisations = if changes.iter().any(is_organisation) {
            "Y"
        } else {
            "N"
        };
        let got = format!(
            "{}{}{organisations}",
            coverage(&changes, &world.p1),
            coverage(&changes, &world.p2)
        );
        assert_eq!(&got, expected, "{who:?} pulled the wrong scope");
        let bytes = serde_json::to_string(&changes).unwrap();
        for (shop, sees) in [(&world.p1, &expected[0..1]), (&world.p2, &expected[1..2])] {
            if sees == "N" {
                for secret in private(shop) {
                    assert!(!bytes.contains(&secret), "{who:?} received {secret}");
                }
            }
        }
    }
}
