//! The shared full-text index (`product_search`) has one writer among the servers, and another
//! server takes the duty over when that one dies.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_server_writes_the_search_index_and_another_takes_over_when_it_dies() {
    let Some(mut cluster) = cluster(2).await else {
        return;
    };
    staff(&cluster).await;
    count_index_writes(&cluster.database).await;
    let mut admin = sign_in(&cluster.servers[0], "admin.pusat", "rahasia-kuat-1").await;
    let mut shops = Vec::new();
    for n in 0..5 {
        let shop = Shop::new();
        let mut changes = shop.producer_changes(&format!("Konveksi {n}"));
        changes.extend(shop.product_changes(&format!("Kaos Lurik {n}")));
        push_applied(&cluster.servers[0], &mut admin, changes).await;
        shops.push(shop);
    }
    // Both servers' storefronts find every product: A's first, so A writes the index.
    for server in &cluster.servers {
        let page = page_text(server, "/?q=lurik").await;
        for shop in &shops {
            assert!(
                page.contains(&format!("/p/{}", shop.product)),
                "{}",
                server.url
            );
        }
    }
    assert_eq!(
        index_writes(&cluster.database).await,
        shops.len() as i64,
        "each product is indexed once, not once a server"
    );

    // A dies; what is pushed through B is found through B once B has taken the duty over.
    cluster.processes[0].kill().unwrap();
    cluster.processes[0].wait().unwrap();
    let b = &cluster.servers[1];
    let mut admin = sign_in(b, "admin.pusat", "rahasia-kuat-1").await;
    let late = Shop::new();
    let mut changes = late.producer_changes("Konveksi Susulan");
    changes.extend(late.product_changes("Kaos Lurik Susulan"));
    push_applied(b, &mut admin, changes).await;
    let wanted = format!("/p/{}", late.product);
    for _ in 0..100 {
        if page_text(b, "/?q=susulan").await.contains(&wanted) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("B never indexed what was pushed after A died");
}

/// A page's body through `server` (answered 200).
async fn page_text(server: &Server, path: &str) -> String {
    let answer = send(server.client.get(format!("{}{path}", server.url))).await;
    assert_eq!(answer.status, 200, "{path}");
    String::from_utf8_lossy(&answer.body).into_owned()
}

/// Counts, in a table of the test's own, every row any server writes to `product_search`.
async fn count_index_writes(database: &str) {
    let database = database.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&database, postgres::NoTls).unwrap();
        client
            .batch_execute(
                "CREATE TABLE index_writes (at TIMESTAMPTZ NOT NULL DEFAULT now());
                 CREATE FUNCTION count_index_write() RETURNS trigger LANGUAGE plpgsql AS
                   $$ BEGIN INSERT INTO index_writes DEFAULT VALUES; RETURN NULL; END $$;
                 CREATE TRIGGER counted AFTER INSERT OR UPDATE OR DELETE ON product_search
                   FOR EACH ROW EXECUTE FUNCTION count_index_write();",
            )
            .unwrap();
    })
    .await
    .unwrap();
}

async fn index_writes(database: &str) -> i64 {
    let database = database.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&database, postgres::NoTls).unwrap();
        client
            .query_one("SELECT count(*) FROM index_writes", &[])
            .unwrap()
            .get(0)
    })
    .await
    .unwrap()
}
