//! Memberships that end: a producer leaves a cluster or cooperative on one phone, and every
//! phone agrees whatever order the add and the removal arrive in (the later clock wins).

use super::relay::{Relay, advance, pull_all, sync};
use super::*;
use sentra_core::ErrorCode;

#[test]
fn a_removal_and_an_older_add_made_offline_converge_on_the_later_one_everywhere() {
    let mut relay = Relay::default();
    let (a, _) = facilitator_phone();
    let (b, _) = facilitator_phone();
    let producer = with_producer(&a);
    let cluster = a
        .sentra
        .create_organisation("cluster", "Sentra Jeans Rowosari", "3327")
        .unwrap();
    a.sentra.add_member(cluster, producer).unwrap();
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(
        b.sentra.organisation(cluster).unwrap().members,
        vec![producer]
    );

    // Offline, B removes the producer, then A (whose clock is behind B's removal) adds them
    // again; A's add is older, and then B's removal reaches A after A's add reached B.
    advance(&mut relay, &[&a, &b], 1);
    b.sentra.remove_member(cluster, producer).unwrap();
    assert!(b.sentra.organisations_of(producer).unwrap().is_empty());
    assert_eq!(
        b.sentra
            .remove_member(cluster, producer)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound,
        "not a member any more"
    );
    a.clock.set(relay.now - 60_000);
    a.sentra.remove_member(cluster, producer).unwrap();
    a.sentra.add_member(cluster, producer).unwrap();
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    pull_all(&a.sentra, &relay);
    let after = |p: &Phone| p.sentra.organisation(cluster).unwrap().members;
    assert_eq!(after(&a), Vec::<Id>::new(), "B's later removal wins on A");
    assert_eq!(
        after(&b),
        Vec::<Id>::new(),
        "and A's older add does not undo it on B"
    );

    // A later add brings the producer back everywhere, and a fresh phone agrees.
    advance(&mut relay, &[&a, &b], 1);
    a.clock.set(relay.now);
    a.sentra.add_member(cluster, producer).unwrap();
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    let (fresh, _) = facilitator_phone();
    fresh.clock.set(relay.now);
    pull_all(&fresh.sentra, &relay);
    for p in [&a, &b, &fresh] {
        assert_eq!(after(p), vec![producer]);
    }
    // The feed holds each step as its own entry.
    let steps: Vec<&str> = relay
        .feed
        .iter()
        .filter(|c| c.entity == "organisation_member")
        .map(|c| c.op.as_str())
        .collect();
    assert_eq!(steps, ["append", "remove", "append", "remove", "append"]);
}
