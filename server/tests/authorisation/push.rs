//! Every role pushes every entry kind at producer P1's data. The table says what must happen:
//! `A` applied, `F` rejected with the stable code `forbidden`, `V` with `validation` (the entry
//! breaks the rules a local write keeps), `U` the whole request refused with
//! `401 unauthorized`. After every attempt the admin pulls: an applied entry appears once in the
//! feed, a refused one leaves no trace.

use super::*;
use sentra_core::sync::wire::{Change, Outcome, PushResponse};

/// What an attempt builds: from P1's shop, P2's shop and the pusher's own user id.
type Build = fn(&Shop, &Shop, Id) -> Change;

/// Columns: P1, P2, F1 (registered P1), F3 (P1's regency), F2 (elsewhere), admin of P1's
/// cooperative, admin of another cooperative, official, anonymous buyer.
const PUSH: &[(&str, &str, Build)] = &[
    (
        "producer create (a new producer registered by the pusher)",
        "FFAAAFFFU",
        |_, _, me| {
            change(
                "producer",
                Id::new(),
                "create",
                valid::producer(&me.to_string()),
            )
        },
    ),
    ("producer update", "AFAAFAFFU", |p1, _, _| {
        change(
            "producer",
            p1.producer,
            "update",
            json!({"phone": "+6281299990000"}),
        )
    }),
    ("product create", "AFAAFAFFU", |p1, _, _| {
        change(
            "product",
            Id::new(),
            "create",
            valid::product(p1.producer, "Baru"),
        )
    }),
    ("product update", "AFAAFAFFU", |p1, _, _| {
        change("product", p1.product, "update", json!({"price": 90000}))
    }),
    ("variant create", "AFAAFAFFU", |p1, _, _| {
        let (id, fields) = valid::variant(p1.product, "XL");
        change("variant", id, "create", fields)
    }),
    ("variant update", "AFAAFAFFU", |p1, _, _| {
        change("variant", p1.variant, "update", json!({"price": 95000}))
    }),
    ("photo create", "AFAAFAFFU", |p1, _, _| {
        change("photo", Id::new(), "create", valid::photo(p1.product))
    }),
    ("photo update", "AFAAFAFFU", |p1, _, _| {
        change("photo", p1.photo, "update", json!({"position": 2}))
    }),
    ("order create", "AFAAFAFFU", |p1, _, _| {
        change(
            "order",
            Id::new(),
            "create",
            valid::order(p1.producer, p1.variant),
        )
    }),
    ("order transition", "AFAAFAFFU", |p1, _, _| {
        change(
            "order",
            p1.order,
            "transition",
            json!({"status": "accepted"}),
        )
    }),
    ("stock_movement append", "AFAAFAFFU", |p1, _, _| {
        change(
            "stock_movement",
            Id::new(),
            "append",
            valid::movement(p1.variant),
        )
    }),
    ("sale append", "AFAAFAFFU", |p1, _, _| {
        change("sale", Id::new(), "append", valid::sale(p1.variant))
    }),
    (
        "organisation_member append (P1 into P1's cooperative)",
        "AFAAFAFFU",
        |p1, _, _| {
            change(
                "organisation_member",
                p1.cooperative,
                "append",
                json!({"producer_id": p1.producer.to_string()}),
            )
        },
    ),
    // A cluster nobody administers yet, so an applied entry gives no one new rights. The admin
    // of P1's cooperative may not put P1 into an organisation they do not administer.
    // Leaving a cluster nobody administers (removals from one's own cooperative are in
    // `membership_removal`, since they change the world for the rows after).
    (
        "organisation_member remove (P1 from a new cluster)",
        "AFAAFFFFU",
        |p1, _, _| {
            change(
                "organisation_member",
                Id::new(),
                "remove",
                json!({"producer_id": p1.producer.to_string()}),
            )
        },
    ),
    (
        "organisation_member append (P1 into a new cluster)",
        "AFAAFFFFU",
        |p1, _, _| {
            change(
                "organisation_member",
                Id::new(),
                "append",
                json!({"producer_id": p1.producer.to_string()}),
            )
        },
    ),
    ("organisation create", "FFAAAAAFU", |_, _, _| {
        change(
            "organisation",
            Id::new(),
            "create",
            valid::organisation("cluster", "Sentra Baru"),
        )
    }),
    // Changing an organisation needs its creator (here the head office), one of its admins, or
    // an admin.
    ("organisation update", "FFFFFAFFU", |p1, _, _| {
        change(
            "organisation",
            p1.cooperative,
            "update",
            json!({"name": "Koperasi Rowosari"}),
        )
    }),
    // "Creating" an organisation that exists would rename it: the same rights as an update.
    (
        "organisation create reusing P1's cooperative id",
        "FFFFFAFFU",
        |p1, _, _| {
            change(
                "organisation",
                p1.cooperative,
                "create",
                valid::organisation("cluster", "Diambil alih"),
            )
        },
    ),
    (
        "organisation_admin append (the pusher as admin of P1's cooperative)",
        "FFFFFFFFU",
        |p1, _, me| {
            change(
                "organisation_admin",
                p1.cooperative,
                "append",
                json!({"user_id": me.to_string()}),
            )
        },
    ),
    (
        "product create reusing P1's product id, claimed for P2",
        "FFFFFFFFU",
        |p1, p2, _| {
            change(
                "product",
                p1.product,
                "create",
                valid::product(p2.producer, "Curian"),
            )
        },
    ),
    // A variant's id must be a child of its product's: this one is refused as invalid before
    // anyone's rights are looked at.
    (
        "variant create reusing P1's variant id under P2's product",
        "VVVVVVVVU",
        |p1, p2, _| {
            change(
                "variant",
                p1.variant,
                "create",
                json!({"product_id": p2.product.to_string()}),
            )
        },
    ),
    ("photo delete", "AFAAFAFFU", |p1, _, _| {
        change("photo", p1.photo, "delete", json!({}))
    }),
    ("variant delete", "AFAAFAFFU", |p1, _, _| {
        change("variant", p1.variant, "delete", json!({}))
    }),
    ("product delete", "AFAAFAFFU", |p1, _, _| {
        change("product", p1.product, "delete", json!({}))
    }),
    ("organisation delete", "FFFFFFAFU", |_, p2, _| {
        change("organisation", p2.cooperative, "delete", json!({}))
    }),
    ("producer delete", "AFAAFAFFU", |p1, _, _| {
        change("producer", p1.producer, "delete", json!({}))
    }),
];

/// Runs the whole table; every mismatch is collected and reported together.
pub async fn run_matrix(world: &mut World) {
    let (_, mut cursor) = pull_all(&world.server, &world.admin, None).await;
    let mut mismatches = Vec::new();
    let mut attempts = 0;
    for (kind, expected, build) in PUSH {
        assert_eq!(
            expected.len(),
            EVERYONE.len(),
            "{kind}: one letter per role"
        );
        for (who, want) in EVERYONE.iter().zip(expected.chars()) {
            let me = world.session(*who).map_or(Id::new(), |s| s.user);
            let change = build(&world.p1, &world.p2, me);
            let id = change.id;
            let got = attempt(world, *who, change).await;
            attempts += 1;
            // The admin sees everything: an applied entry is in the feed once, a refusal is not.
            let (new, next) = pull_all(&world.server, &world.admin, cursor.clone()).await;
            cursor = next;
            let traces = new.iter().filter(|c| c.id == id).count();
            let expected_traces = usize::from(want == 'A');
            if got != want || traces != expected_traces || new.len() != expected_traces {
                mismatches.push(format!(
                    "{kind} by {who:?}: expected {want}, got {got}; {traces} trace(s) of it and {} \
                     new change(s) in the feed",
                    new.len()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {attempts} attempts differ from the table:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    println!("push matrix: {attempts} attempts, all as the table says");
}

/// One push of one entry as `who`: `A`, `F` or `U` (anything else is spelled out).
async fn attempt(world: &mut World, who: Who, change: Change) -> char {
    let server = &world.server;
    let answer = match who {
        Who::Anonymous => {
            let mut nobody = Session {
                token: String::new(),
                device: Id::new(),
                user: Id::new(),
                seq: 1,
            };
            let answer = push_raw(server, &mut nobody, vec![change.clone()]).await;
            // Without any Authorization header as well as with an empty token.
            let body = sentra_core::sync::wire::encode(&sentra_core::sync::wire::PushRequest {
                version: sentra_core::sync::wire::PROTOCOL_VERSION,
                device_id: nobody.device,
                entries: vec![sentra_core::sync::wire::PushEntry { seq: 1, change }],
            })
            .unwrap();
            let bare = post_zstd(server, "/v1/sync/push", None, body).await;
            assert_eq!((bare.status, bare.code()), (401, "unauthorized".to_owned()));
            answer
        }
        _ => {
            let session = world
                .sessions
                .iter_mut()
                .find(|(w, _)| *w == who)
                .map(|(_, s)| s)
                .unwrap();
            push_raw(server, session, vec![change]).await
        }
    };
    match answer.status {
        401 if answer.code() == "unauthorized" => 'U',
        200 => {
            let response: PushResponse = answer.decode();
            match &response.results[..] {
                [one] => match &one.outcome {
                    Outcome::Applied => 'A',
                    Outcome::Rejected { code, .. } if code == "forbidden" => 'F',
                    Outcome::Rejected { code, .. } if code == "validation" => 'V',
                    other => panic!("{who:?}: unexpected outcome {other:?}"),
                },
                other => panic!("{who:?}: {} results for one entry", other.len()),
            }
        }
        status => panic!("{who:?}: status {status} {}", answer.code()),
    }
}

/// The admin of cooperative B tries to take producer P1 into B, and to make itself admin of
/// P1's cooperative A; both are refused and its pulls still show nothing of P1.
pub async fn annexation_is_refused(world: &mut World) {
    let p1 = world.p1.clone();
    let p2 = world.p2.clone();
    let cb = world.session(Who::AdminOtherCooperative).unwrap().clone();
    let mut session = cb.clone();
    let answer = push_raw(
        &world.server,
        &mut session,
        vec![
            change(
                "organisation_member",
                p2.cooperative,
                "append",
                json!({"producer_id": p1.producer.to_string()}),
            ),
            change(
                "organisation_admin",
                p1.cooperative,
                "append",
                json!({"user_id": cb.user.to_string()}),
            ),
            change(
                "product",
                p1.product,
                "update",
                json!({"name": "Diambil alih"}),
            ),
        ],
    )
    .await;
    let response: PushResponse = answer.decode();
    for result in &response.results {
        assert!(
            matches!(&result.outcome, Outcome::Rejected { code, .. } if code == "forbidden"),
            "{result:?}"
        );
    }
    let (seen, _) = pull_all(&world.server, &session, None).await;
    let text = serde_json::to_string(&seen).unwrap();
    // (Producer ids are public: membership rows name them. Nothing private may show.)
    for secret in [
        p1.product.to_string(),
        p1.variant.to_string(),
        p1.order.to_string(),
        p1.phone.to_owned(),
        p1.address.to_owned(),
        p1.buyer_phone.to_owned(),
    ] {
        assert!(
            !text.contains(&secret),
            "the other cooperative's admin saw {secret}"
        );
    }
    assert!(
        text.contains(&p2.product.to_string()),
        "but it sees its own member"
    );
}

/// F2 makes a cluster and renames it; F1, who may make clusters too, can neither rename nor
/// delete it, nor take it over by "creating" it again. The feed holds only F2's changes.
pub async fn only_the_maker_renames_a_cluster(world: &mut World) {
    let (_, cursor) = pull_all(&world.server, &world.admin, None).await;
    let cluster = Id::new();
    let named = |op: &str, name: &str| {
        let mut fields = json!({"kind": "cluster", "name": name, "region_code": "3327"});
        if op == "create" {
            fields["created_at"] = json!(now_ms());
        }
        change("organisation", cluster, op, fields)
    };
    let outcomes = |answer: Answer| -> Vec<String> {
        let response: PushResponse = answer.decode();
        response
            .results
            .into_iter()
            .map(|r| match r.outcome {
                Outcome::Applied => "applied".to_owned(),
                Outcome::Rejected { code, .. } => code,
                other => format!("{other:?}"),
            })
            .collect()
    };
    let mut maker = world.session(Who::FacilitatorNotAssigned).unwrap().clone();
    let answer = push_raw(
        &world.server,
        &mut maker,
        vec![
            named("create", "Sentra Jeans"),
            named("update", "Sentra Jeans Rowosari"),
        ],
    )
    .await;
    assert_eq!(outcomes(answer), ["applied", "applied"]);
    let mut other = world.session(Who::FacilitatorAssigned).unwrap().clone();
    let answer = push_raw(
        &world.server,
        &mut other,
        vec![
            named("update", "Diambil alih"),
            named("create", "Diambil alih"),
            change("organisation", cluster, "delete", json!({})),
        ],
    )
    .await;
    assert_eq!(outcomes(answer), ["forbidden", "forbidden", "forbidden"]);
    // Renaming a cluster nobody has made is refused, not taken as a make.
    let answer = push_raw(
        &world.server,
        &mut other,
        vec![change(
            "organisation",
            Id::new(),
            "update",
            json!({"name": "Hantu"}),
        )],
    )
    .await;
    assert_eq!(outcomes(answer), ["unknown_reference"]);
    let (new, _) = pull_all(&world.server, &world.admin, cursor).await;
    let names: Vec<_> = new
        .iter()
        .filter(|c| c.id == cluster)
        .map(|c| c.fields["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["Sentra Jeans", "Sentra Jeans Rowosari"]);
}
