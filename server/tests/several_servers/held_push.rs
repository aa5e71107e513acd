//! A push that is slow to commit on one server must not be skipped by pulls served by another,
//! nor lose what it creates to another producer's push of the same id meanwhile.
//!
//! The interleavings made deterministic: device X's push is held on server A by a session of
//! the test's own, after it has taken its feed positions (a trigger on `feed`) or after it has
//! written its owners (the row its answer will be written to is held); device Y pushes through
//! server B meanwhile, and only then is X let go.

use super::*;
use sentra_core::sync::wire::{Outcome, PushResponse};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_still_committing_on_one_server_is_not_skipped_by_pulls_through_another() {
    let Some(cluster) = cluster(2).await else {
        return;
    };
    let cluster = Arc::new(cluster);
    let (a, b) = (&cluster.servers[0], &cluster.servers[1]);
    staff(&cluster).await;
    let mut x = sign_in(a, "admin.pusat", "rahasia-kuat-1").await;
    let mut y = sign_in(b, "admin.pusat", "rahasia-kuat-1").await;
    let mut pullers = [
        Puller::new(sign_in(b, "admin.pusat", "rahasia-kuat-1").await),
        Puller::new(sign_in(b, "pendamping.satu", "rahasia-kuat-2").await),
    ];
    let (shop_x, shop_y) = (Shop::new(), Shop::new());
    push_applied(a, &mut x, shop_x.producer_changes("Konveksi X")).await;
    push_applied(b, &mut y, shop_y.producer_changes("Konveksi Y")).await;
    for puller in &mut pullers {
        puller.pull(b).await;
    }

    // X's next push is held once it has taken its feed positions.
    let hold = Hold::feed_rows_of(&cluster.database, x.device);
    let push_x = push_behind(&cluster, 0, x, shop_x.product_changes("Kaos X"));
    let hold = tokio::task::spawn_blocking(move || hold.until_a_push_waits_on_it())
        .await
        .unwrap();

    // Y pushes through B. Whether it may commit before X is the store's choice; give it time.
    let push_y = push_behind(&cluster, 1, y, shop_y.product_changes("Kaos Y"));
    for _ in 0..40 {
        if push_y.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Pulls and the storefront through B, while X is still in flight.
    for puller in &mut pullers {
        puller.pull(b).await;
    }
    get_page(b, &format!("/p/{}", shop_y.product)).await;

    tokio::task::spawn_blocking(move || hold.release())
        .await
        .unwrap();
    assert_all_applied(push_x.await.unwrap());
    assert_all_applied(push_y.await.unwrap());
    for puller in &mut pullers {
        puller.pull(b).await;
        for shop in [&shop_x, &shop_y] {
            assert_eq!(
                puller.times("product", shop.product, "create"),
                1,
                "a puller skipped or repeated a product (X is {}, Y is {})",
                shop_x.product,
                shop_y.product
            );
            assert_eq!(puller.times("variant", shop.variant, "create"), 1);
        }
    }
    // Both servers' storefronts show both products, and both servers' order APIs sell them
    // (the skipped product was a 404 page and a 422 order through B).
    for server in [a, b] {
        for shop in [&shop_x, &shop_y] {
            let path = format!("/p/{}", shop.product);
            assert_eq!(get_page(server, &path).await, 200, "{} {path}", server.url);
            let order = serde_json::json!({
                "key": format!("beli-{}", Id::new()),
                "producer_id": shop.producer.to_string(),
                "buyer": {"name": "Bu Rina", "phone": "+6281311112222", "regency_code": "3302",
                          "address": "Jl. Pasar 2, Purwokerto"},
                "note": "",
                "lines": [{"variant_id": shop.variant.to_string(), "quantity": 1}],
            });
            let answer = place(server, order.to_string()).await;
            assert_eq!(
                answer.status,
                201,
                "{}: {}",
                server.url,
                String::from_utf8_lossy(&answer.body)
            );
        }
    }
}

/// Two producers' first pushes of one id, each through its own server at the same moment: the
/// push that commits first keeps it, and the other producer's is refused as a push of someone
/// else's product would be. The admin's push of producer X's product is held on server A after
/// it has written the product's owner; producer Y then pushes a product of its own with the
/// same id through server B, whose group reads no owner yet (A has not committed) and comes to
/// the same row of `owners`. Both claims were applied before: B's row was skipped as a
/// conflict and its feed row written, so pullers were given the product twice, under two
/// producers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_producers_pushing_one_new_id_through_two_servers_at_once_leave_it_to_the_first() {
    let Some(cluster) = cluster(2).await else {
        return;
    };
    let cluster = Arc::new(cluster);
    let (a, b) = (&cluster.servers[0], &cluster.servers[1]);
    staff(&cluster).await;
    let (shop_x, shop_y) = (Shop::new(), Shop::new());
    account(
        a,
        "081299990011",
        "246810",
        Role::Producer,
        Some(shop_y.producer),
    )
    .await;
    let mut admin = sign_in(a, "admin.pusat", "rahasia-kuat-1").await;
    let mut producers = shop_x.producer_changes("Konveksi X");
    producers.extend(shop_y.producer_changes("Konveksi Y"));
    push_applied(a, &mut admin, producers).await;
    let y = sign_in(b, "0812-9999-0011", "246810").await;

    let hold = Hold::row_of_applied(&cluster.database, admin.device, admin.seq);
    let push_x = push_behind(&cluster, 0, admin, shop_x.product_changes("Kaos X"));
    let hold = tokio::task::spawn_blocking(move || hold.until_a_push_waits_on_it())
        .await
        .unwrap();
    // Y's own product and variant, under the ids of X's.
    let claim = Shop {
        producer: shop_y.producer,
        product: shop_x.product,
        variant: shop_x.variant,
    };
    let push_y = push_behind(&cluster, 1, y, claim.product_changes("Kaos Y"));
    let database = cluster.database.clone();
    tokio::task::spawn_blocking(move || until_a_session_waits_in(&database, "INSERT INTO owners"))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || hold.release())
        .await
        .unwrap();

    assert_all_applied(push_x.await.unwrap());
    let answer = push_y.await.unwrap();
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let response: PushResponse = answer.decode();
    for result in &response.results {
        assert!(
            matches!(result.outcome, Outcome::Rejected { ref code, .. } if code == "forbidden"),
            "Y's entry {} took X's id: {:?}",
            result.seq,
            result.outcome
        );
    }
    // Every puller, through either server, is given X's product once, as X's.
    for server in [a, b] {
        let mut puller = Puller::new(sign_in(server, "admin.pusat", "rahasia-kuat-1").await);
        puller.pull(server).await;
        assert_eq!(puller.times("product", shop_x.product, "create"), 1);
        assert_eq!(puller.times("variant", shop_x.variant, "create"), 1);
        let product = puller
            .seen
            .iter()
            .find(|c| c.entity == "product" && c.id == shop_x.product)
            .unwrap();
        assert_eq!(
            product.fields["producer_id"],
            serde_json::json!(shop_x.producer.to_string())
        );
    }
}

/// Pushes `changes` as `session` through the cluster's server `k`, in a task of its own (the
/// push may be held).
fn push_behind(
    cluster: &Arc<Cluster>,
    k: usize,
    mut session: Session,
    changes: Vec<Change>,
) -> tokio::task::JoinHandle<Answer> {
    let cluster = cluster.clone();
    tokio::spawn(async move { push_raw(&cluster.servers[k], &mut session, changes).await })
}

fn assert_all_applied(answer: Answer) {
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let response: PushResponse = answer.decode();
    for result in response.results {
        assert_eq!(result.outcome, Outcome::Applied, "entry {}", result.seq);
    }
}

/// A session of the test's own that holds a push part-way through its transaction until
/// [`Hold::release`].
struct Hold {
    database: String,
    /// The statement the held push waits in.
    waits_in: &'static str,
    release: std::sync::mpsc::Sender<()>,
    done: std::thread::JoinHandle<()>,
}

impl Hold {
    /// Holds one row of `applied` (uncommitted), so a push that writes the same row waits, its
    /// owners written, until the row is rolled back.
    fn row_of_applied(database: &str, device: Id, seq: i64) -> Hold {
        Hold::start(
            database,
            "INSERT INTO applied",
            move |client, held, release| {
                let mut tx = client.transaction().unwrap();
                tx.execute(
                    "INSERT INTO applied(device_id, seq, outcome) VALUES ($1, $2, 'held')",
                    &[&device.as_bytes().to_vec(), &seq],
                )
                .unwrap();
                held.send(()).unwrap();
                let _ = release.recv();
                tx.rollback().unwrap();
            },
        )
    }

    /// Holds `device`'s next push after it has inserted its feed rows (taken its feed
    /// positions) and before it commits: a trigger of the test's own on `feed` waits, in the
    /// push's insert, for a lock this session holds. The feed is a push's last write, so
    /// holding an earlier row held it before it took any position.
    fn feed_rows_of(database: &str, device: Id) -> Hold {
        let origin: String = device
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Hold::start(
            database,
            "INSERT INTO feed",
            move |client, held, release| {
                client
                    .batch_execute(&format!(
                        "SELECT pg_advisory_lock(7001, 1); \
                     CREATE FUNCTION held_feed() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF EXISTS (SELECT 1 FROM inserted WHERE origin = '\\x{origin}') THEN \
                         PERFORM pg_advisory_lock_shared(7001, 1); \
                         PERFORM pg_advisory_unlock_shared(7001, 1); \
                       END IF; \
                       RETURN NULL; \
                     END $$; \
                     CREATE TRIGGER held_feed AFTER INSERT ON feed \
                       REFERENCING NEW TABLE AS inserted \
                       FOR EACH STATEMENT EXECUTE FUNCTION held_feed();"
                    ))
                    .unwrap();
                held.send(()).unwrap();
                let _ = release.recv();
                client
                    .batch_execute(
                        "SELECT pg_advisory_unlock(7001, 1); \
                     DROP TRIGGER held_feed ON feed; DROP FUNCTION held_feed();",
                    )
                    .unwrap();
            },
        )
    }

    fn start(
        database: &str,
        waits_in: &'static str,
        hold: impl FnOnce(
            &mut postgres::Client,
            std::sync::mpsc::Sender<()>,
            std::sync::mpsc::Receiver<()>,
        ) + Send
        + 'static,
    ) -> Hold {
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let conninfo = database.to_owned();
        let done = std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&conninfo, postgres::NoTls).unwrap();
            hold(&mut client, held_tx, release_rx);
        });
        held_rx.recv().unwrap();
        Hold {
            database: database.to_owned(),
            waits_in,
            release,
            done,
        }
    }

    /// Waits until the held push waits on the hold.
    fn until_a_push_waits_on_it(self) -> Self {
        until_a_session_waits_in(&self.database, self.waits_in);
        self
    }

    fn release(self) {
        self.release.send(()).unwrap();
        self.done.join().unwrap();
    }
}

/// Waits until a session on `database` waits on a lock in a statement that contains
/// `statement`.
fn until_a_session_waits_in(database: &str, statement: &str) {
    let mut client = postgres::Client::connect(database, postgres::NoTls).unwrap();
    for _ in 0..400 {
        let waiting: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock' AND strpos(query, $1) > 0",
                &[&statement],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("no session came to wait in {statement:?}");
}
