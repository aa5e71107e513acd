//! Model-based convergence with the real server: the server's `Store` (embedded SQLite) in
//! process, with its read model (the replica, which follows the whole feed with the same merge
//! rules as the phones), and four or five phones on their own databases and skewed clocks:
//!
//! - a facilitator who registered producer P1, two or three of P1's own phones, and the phone
//!   of producer P2, who registered themselves;
//! - the platform's admin, and the admin of a cooperative P2 may join;
//! - scopes changing after the phones' first syncs: an admin assigns the facilitator P2's region,
//!   P2 moves in and out of that region, and P2 joins the cooperative;
//! - random operations of every kind (products made and edited; variants added with the same
//!   options on several phones offline, edited, removed and brought back; stock movements and
//!   direct sales, orders and their transitions, producer edits, deletes, photo adds) on random
//!   phones, interleaved with random syncs that suffer faults: a push request lost, a push
//!   answer lost, a push sent twice, a push or a pull page cut mid-body, the server restarted,
//!   time passing, and a phone's date set wrong or right again (between a lost answer and the
//!   push sent again, say).
//!
//! After final fault-free sync rounds: every phone equals the server's replica for every producer
//! in its scope at the end, and holds nothing of a producer outside it; no change the server
//! acknowledged is missing from its feed; every cached stock equals the sum of its movements; no
//! product has two variants with the same options; and every order's status is the furthest of
//! all the statuses any phone reached.
//!
//! This is the server-side twin of `core/tests/behaviour/convergence.rs`, which checks the merge
//! rules against an in-process relay. The seed is printed; `SENTRA_SEED=<seed>` replays one
//! case, `SENTRA_CASES=<n>` runs more (CI: 300; the long mode in docs/reliability.md: 10,000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

// The pieces of a case live in `convergence_server/`: the world (server, phones, clocks), the
// faulty network, the random operations, and the model the end state is checked against.
#[path = "convergence_server/model.rs"]
mod model;
#[path = "convergence_server/network.rs"]
mod network;
#[path = "convergence_server/operations.rs"]
mod operations;
#[path = "convergence_server/world.rs"]
mod world;

use model::{Model, explain, orders_of, products_of, snapshot};
use network::sync;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sentra_core::orders::OrderStatus;
use sentra_core::{Account, Id, Role};
use sentra_server::replica::Replica;
use sentra_server::store::SqliteStore;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use world::{Server, Staff, facilitator_free_account, phone, scratch};

const DEFAULT_CASES: u64 = 300;
const OPS_PER_CASE: usize = 45;
/// 2026-11-22 08:00 WIB.
const NOV_22: i64 = 1_795_309_200_000;
const HOUR: i64 = 3_600_000;

fn run_case(seed: u64) -> HashMap<&'static str, usize> {
    let mut rng = StdRng::seed_from_u64(seed);
    let truth = Arc::new(AtomicI64::new(NOV_22));
    let dir = scratch();
    let mut server = Server {
        store: Arc::new(SqliteStore::open(&dir.path().join("server.db")).unwrap()),
        dir,
        truth: truth.clone(),
        restarts: 0,
    };
    let mut model = Model::default();
    let skew = |rng: &mut StdRng| world::SKEWS_MS[rng.random_range(0..world::SKEWS_MS.len())];

    let facilitator = server
        .store
        .create_account("pendamping", "-", Role::Facilitator, None)
        .unwrap()
        .expect("a new login");
    let mut phones = vec![phone(&truth, skew(&mut rng), facilitator)];
    let p1 = phones[0]
        .sentra
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    phones[0].producer = p1;
    sync(&phones[0], &server, None, &mut model);
    let own = server
        .store
        .create_account("081227501234", "-", Role::Producer, Some(p1))
        .unwrap()
        .expect("a new login");
    let p1_phones = rng.random_range(2..=3);
    for _ in 0..p1_phones {
        phones.push(phone(&truth, skew(&mut rng), own.clone()));
    }
    let mut other = phone(&truth, skew(&mut rng), facilitator_free_account());
    let mut sugar = sentra_tests::rowosari_jeans_maker();
    sugar.business_name = "Gula Kristal Sumber Manis".into();
    sugar.phone = "081355556666".into();
    sugar.address = "Dusun Kalibening RT 02".into();
    sugar.region_code = "3302".into();
    let p2 = other.sentra.register_producer(&sugar).unwrap();
    other.account = server
        .store
        .create_account("081355556666", "-", Role::Producer, Some(p2))
        .unwrap()
        .expect("a new login");
    other
        .sentra
        .set_account(Account {
            user_id: other.account.user_id,
            role: Role::Producer,
        })
        .unwrap();
    other.producer = p2;
    phones.push(other);
    for p in &phones {
        sync(p, &server, None, &mut model);
    }
    // The platform's admin sets up a cooperative in Banyumas and names its admin, whose phone
    // syncs before anyone has joined.
    let admin = phone(
        &truth,
        0,
        server
            .store
            .create_account("admin", "-", Role::Admin, None)
            .unwrap()
            .expect("a new login"),
    );
    let cooperative_admin = phone(
        &truth,
        skew(&mut rng),
        server
            .store
            .create_account("admin.koperasi", "-", Role::CooperativeAdmin, None)
            .unwrap()
            .expect("a new login"),
    );
    let cooperative = admin
        .sentra
        .create_organisation(
            "cooperative",
            "Koperasi Gula Banyumas",
            operations::BANYUMAS,
        )
        .unwrap();
    admin
        .sentra
        .add_admin(cooperative, cooperative_admin.account.user_id)
        .unwrap();
    sync(&admin, &server, None, &mut model);
    sync(&cooperative_admin, &server, None, &mut model);
    let staff = Staff {
        admin,
        cooperative_admin,
        cooperative,
    };
    let shot = server.dir.path().join("shot.png");

    for op in 0..OPS_PER_CASE {
        let i = rng.random_range(0..phones.len());
        operations::perform(
            &mut rng,
            seed,
            op,
            &phones[i],
            &phones,
            &staff,
            &mut server,
            &mut model,
            &shot,
        );
    }
    for _ in 0..3 {
        for p in phones
            .iter()
            .chain([&staff.admin, &staff.cooperative_admin])
        {
            sync(p, &server, None, &mut model);
        }
    }

    // Every phone equals the server's replica within its scope.
    let replica_dir = scratch();
    let replica = Replica::open(replica_dir.path(), server.store.clone()).unwrap();
    replica.refresh().unwrap();
    let truth_of = |producer| snapshot(replica.core(), producer);
    let (s1, s2) = (truth_of(p1), truth_of(p2));
    // The facilitator's scope: P1, whom it registered, and P2 while P2 works in the region an
    // admin assigned it. Every other phone holds its own producer.
    let p2_in_region = s2.producer.region_code.starts_with(operations::BANYUMAS);
    let everyone = phones
        .iter()
        .chain([&staff.admin, &staff.cooperative_admin]);
    for (i, p) in everyone.enumerate() {
        let scope: Vec<Id> = if i == phones.len() {
            vec![p1, p2] // the platform's admin sees everyone
        } else if i == phones.len() + 1 {
            if model.joined { vec![p2] } else { vec![] }
        } else if i == 0 && model.region_assigned && p2_in_region {
            vec![p1, p2]
        } else {
            vec![p.producer]
        };
        for &producer in &scope {
            let expected = if producer == p1 { &s1 } else { &s2 };
            let mine = snapshot(&p.sentra, producer);
            if &mine != expected {
                explain(expected, &mine);
                for change in model::feed_about(&server, &staff.admin, expected, &mine) {
                    eprintln!("  feed: {change}");
                }
                panic!("seed {seed}: phone {i} differs from the server");
            }
        }
        assert!(
            p.sentra.sync_push_batch(1 << 20).unwrap().is_none(),
            "phone {i}: all pushed"
        );
        // Nothing outside its scope is here: what left it was let go.
        let others = products_of(&p.sentra, None)
            .into_iter()
            .filter(|x| !scope.contains(&x.producer_id))
            .count()
            + orders_of(&p.sentra)
                .iter()
                .filter(|o| !scope.contains(&o.producer_id))
                .count();
        assert_eq!(
            others, 0,
            "seed {seed}: phone {i} holds data outside its scope"
        );
        for other in [p1, p2].into_iter().filter(|x| !scope.contains(x)) {
            assert!(p.sentra.producer(other).is_err(), "seed {seed}: phone {i}");
        }
    }
    // No acknowledged change is lost: each is in the server's feed.
    let admin = sentra_server::accounts::Account {
        user_id: Id::new(),
        role: Role::Admin,
        producer_id: None,
    };
    let mut feed = HashSet::new();
    let mut cursor = None;
    loop {
        let page = server
            .store
            .pull(&admin, Id::new(), cursor.as_deref(), 1 << 20, server.now())
            .unwrap();
        feed.extend(
            page.changes
                .iter()
                .map(|c| (c.entity.clone(), c.id, c.hlc.to_string())),
        );
        cursor = Some(page.next_cursor);
        if !page.more {
            break;
        }
    }
    for acked in &model.acknowledged {
        assert!(
            feed.contains(acked),
            "seed {seed}: acknowledged {acked:?} is not on the server"
        );
    }
    // Every order is at the furthest status any phone reached.
    for order in s1.orders.iter().chain(&s2.orders) {
        let reached = &model.statuses[&order.id];
        let furthest = reached
            .iter()
            .copied()
            .fold(OrderStatus::New, OrderStatus::furthest);
        assert_eq!(
            order.status, furthest,
            "seed {seed}: order reached {reached:?}"
        );
    }
    let made: usize = model.statuses.len();
    assert_eq!(
        made,
        s1.orders.len() + s2.orders.len(),
        "seed {seed}: every order is there"
    );
    model
        .faults
        .insert("changes acknowledged", model.acknowledged.len());
    model.faults
}

#[test]
fn phones_doing_anything_through_a_faulty_network_converge_with_the_server() {
    if let Some(seed) = std::env::var("SENTRA_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        println!("replaying seed {seed}");
        println!("{:?}", run_case(seed));
        return;
    }
    let cases = std::env::var("SENTRA_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let base: u64 = rand::random();
    println!(
        "convergence with the server: {cases} cases from seed {base}; replay one with SENTRA_SEED=<seed>"
    );
    let started = std::time::Instant::now();
    // The cases are independent: spread them over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as u64;
    let results: Vec<Result<HashMap<&'static str, usize>, u64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut totals: HashMap<&'static str, usize> = HashMap::new();
                    for case in (t..cases).step_by(threads as usize) {
                        let seed = base.wrapping_add(case);
                        match std::panic::catch_unwind(|| run_case(seed)) {
                            Ok(counts) => {
                                for (k, v) in counts {
                                    *totals.entry(k).or_default() += v;
                                }
                            }
                            Err(_) => {
                                eprintln!("convergence case failed: SENTRA_SEED={seed}");
                                return Err(seed);
                            }
                        }
                    }
                    Ok(totals)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut totals: HashMap<&'static str, usize> = HashMap::new();
    for result in results {
        match result {
            Ok(counts) => {
                for (k, v) in counts {
                    *totals.entry(k).or_default() += v;
                }
            }
            Err(seed) => panic!("convergence failed; replay with SENTRA_SEED={seed}"),
        }
    }
    let mut totals: Vec<_> = totals.into_iter().collect();
    totals.sort();
    println!("{cases} cases in {:?}: {totals:?}", started.elapsed());
}
