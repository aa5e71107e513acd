//! HTML and script in every text field: stored and synced as the exact text, and shown escaped
//! by every page that renders it.

use super::*;

const EVIL: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_and_script_in_every_text_field_are_kept_as_text_and_shown_escaped() {
    let server = server(Backend::Sqlite).await.unwrap();
    let shop = shop(&server, "081255556666", EVIL).await;

    // Another phone of the producer gets every field back exactly: text, not sanitised.
    let dir = tempfile::tempdir().unwrap();
    let second = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    let session = sign_in_phone(&server, &second, "081255556666").await;
    sync(&server, &second, &session.token).await;
    let product = second.product(shop.product).unwrap();
    assert_eq!(product.name, format!("Kain {EVIL}"));
    let short: String = EVIL.chars().take(12).collect();
    assert_eq!(product.category, short);
    assert_eq!(product.variants[0].options, vec![short]);
    let producer = second.producer(shop.producer).unwrap();
    assert_eq!(producer.business_name, format!("Usaha {EVIL}"));

    // A buyer's order with script in every field is taken as text too.
    let order = serde_json::json!({
        "key": Id::new().to_string(),
        "producer_id": shop.producer.to_string(),
        "buyer": {"name": EVIL, "phone": "085711112222", "regency_code": "3302",
                  "address": EVIL},
        "note": EVIL,
        "lines": [{"variant_id": shop.variant.to_string(), "quantity": 1}],
    });
    let placed = send(
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .header("content-type", "application/json")
            .body(order.to_string()),
    )
    .await;
    assert_eq!(
        placed.status,
        201,
        "{:?}",
        String::from_utf8_lossy(&placed.body)
    );
    sync(&server, &shop.sentra, &shop.session.token).await;
    let orders = shop
        .sentra
        .orders(sentra_core::orders::OrderTab::ToRespond, 0, 10)
        .unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].buyer.name, EVIL);
    assert_eq!(orders[0].note, EVIL);

    // Every page that shows these fields escapes them.
    let code = serde_json::from_slice::<serde_json::Value>(&placed.body).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [
        "/".to_owned(),
        format!("/p/{}", shop.product),
        format!("/?q={}", "Kain"),
        format!("/pesanan/{code}/terima-kasih"),
    ] {
        let page = send(server.client.get(format!("{}{path}", server.url))).await;
        let html = String::from_utf8_lossy(&page.body);
        assert_eq!(page.status, 200, "{path}");
        if !path.starts_with("/pesanan") {
            assert!(
                html.contains("Kain &lt;script&gt;"),
                "{path} shows the product's name"
            );
        }
        for raw in ["<script>alert", "<img src=x", "onerror=alert(1)>"] {
            assert!(!html.contains(raw), "{path} renders {raw} as markup");
        }
    }
}
