//! How a producer sells, end to end: settings made on the phone reach the product page, the
//! buyer's choice and the fee computed on the server ride the order to the phone, and the
//! producer's paid mark reaches the buyer's status page (`sentra_core::selling`).

use super::*;
use reqwest::redirect::Policy;
use sentra_core::selling::{BankAccount, Courier, Delivery, Payment, Selling, ZoneRates};
use sentra_server::orders::{OrderView, Placed};

on_both_backends!(
    a_buyer_sees_delivery_and_payment_pays_the_fee_and_sees_the_order_paid,
    a_buyer_paying_by_qris_sees_the_image_and_picking_up_pays_no_fee,
);

/// A producer in Pemalang (3327) with one listed product of 800 g in a 40×30×10 cm box
/// (volumetric 2 kg), who delivers by courier by zone and takes transfers and QRIS.
async fn seller(server: &Server, phone_no: &str) -> (Phone, Id, Id, Id) {
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer("Jeans Rowosari", phone_no))
        .unwrap();
    account(server, phone_no, "135790", Role::Producer, Some(me)).await;
    sign_in(server, &mut phone, phone_no, "135790").await;
    let product_id = phone
        .sentra
        .create_product(&NewProduct {
            weight_g: 800,
            length_cm: 40,
            width_cm: 30,
            height_cm: 10,
            ..product(me, "Celana Jeans Slim", 10)
        })
        .unwrap();
    let variant = phone.sentra.product(product_id).unwrap().variants[0].id;
    phone
        .sentra
        .set_selling(
            me,
            &Selling {
                pickup_place: Some("Rumah produksi, Desa Rowosari RT 03".into()),
                courier: Some(Courier::PerKg(ZoneRates {
                    regency: Some(7_000),
                    province: Some(11_000),
                    national: None,
                })),
                bank: Some(BankAccount {
                    bank: "Bank Jateng".into(),
                    number: "2-034-05678-9".into(),
                    holder: "Siti Aminah".into(),
                }),
                qris_hash: None,
                cod: false,
                whatsapp: Some("0812-7777-2000".into()),
            },
        )
        .unwrap();
    let qris = image::RgbImage::from_fn(600, 600, |x, y| {
        image::Rgb([((x / 20 + y / 20) % 2 * 255) as u8, 0, (x % 200) as u8])
    });
    let source = phone._dir.path().join("qris.png");
    qris.save(&source).unwrap();
    phone.sentra.set_qris_photo(me, &source).unwrap();
    sync(server, &phone).await;
    (phone, me, product_id, variant)
}

fn order_json(
    key: &str,
    producer: Id,
    variant: Id,
    regency: &str,
    choice: (&str, &str),
) -> serde_json::Value {
    serde_json::json!({
        "key": key,
        "producer_id": producer.to_string(),
        "buyer": {
            "name": "Toko Berkah",
            "phone": "0813-2222-4321",
            "regency_code": regency,
            "address": "Jl. Jend. Sudirman 10",
        },
        "lines": [{"variant_id": variant.to_string(), "quantity": 2}],
        "delivery": choice.0,
        "payment": choice.1,
    })
}

async fn place(server: &Server, body: &serde_json::Value) -> reqwest::Response {
    Client::new()
        .post(format!("{}/v1/orders", server.url))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn view(server: &Server, code: &str) -> OrderView {
    let response = Client::new()
        .get(format!("{}/v1/orders/{code}?phone_last4=4321", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn page(server: &Server, path: &str) -> (u16, String) {
    let response = Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", server.url))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn refused_fields(body: &serde_json::Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_buyer_sees_delivery_and_payment_pays_the_fee_and_sees_the_order_paid(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me, product_id, variant) = seller(&server, "0812-7777-2001").await;

    // Before ordering: the product page says how it is delivered and paid, and offers the choice.
    let (status, html) = page(&server, &format!("/p/{product_id}")).await;
    assert_eq!(status, 200);
    for expected in [
        "Pengiriman &amp; pembayaran",
        "Rp 7.000/kg dalam kabupaten/kota",
        "Rp 11.000/kg dalam provinsi",
        "Rumah produksi, Desa Rowosari RT 03",
        "Transfer bank, QRIS",
        "https://wa.me/6281277772000",
        "name=\"pengiriman\" value=\"courier\"",
        "name=\"pembayaran\" value=\"bank_transfer\"",
    ] {
        assert!(
            html.contains(expected),
            "no {expected:?} on the product page"
        );
    }

    // The buyer must choose, and only among what the producer offers.
    let none = place(
        &server,
        &order_json("k-none", me, variant, "3302", ("", "")),
    )
    .await;
    assert_eq!(none.status(), 422);
    let body: serde_json::Value = none.json().await.unwrap();
    assert_eq!(refused_fields(&body), ["delivery", "payment"]);
    let cod = place(
        &server,
        &order_json("k-cod", me, variant, "3302", ("courier", "cod")),
    )
    .await;
    assert_eq!(cod.status(), 422);
    // No courier rate outside Central Java: Jakarta is refused, naming the delivery.
    let far = place(
        &server,
        &order_json("k-far", me, variant, "3171", ("courier", "bank_transfer")),
    )
    .await;
    assert_eq!(far.status(), 422);
    let body: serde_json::Value = far.json().await.unwrap();
    assert_eq!(refused_fields(&body), ["delivery"]);

    // Banyumas is in the province: 2 × max(800 g, 2 kg) = 4 kg at Rp 11.000, computed here.
    let placed = place(
        &server,
        &order_json("k-ok", me, variant, "3302", ("courier", "bank_transfer")),
    )
    .await;
    assert_eq!(placed.status(), 201);
    let placed: Placed = placed.json().await.unwrap();
    assert_eq!(placed.delivery_fee, 44_000);
    assert_eq!(placed.total, 2 * 85_000 + 44_000);

    let seen = view(&server, &placed.code).await;
    assert_eq!(seen.delivery, Some(Delivery::Courier));
    assert_eq!(seen.payment, Some(Payment::BankTransfer));
    assert_eq!((seen.delivery_fee, seen.total), (44_000, 214_000));
    assert!(!seen.paid);
    let seller_side = seen.seller.clone().unwrap();
    let bank = seller_side.bank.unwrap();
    assert_eq!(
        (bank.bank.as_str(), bank.number.as_str()),
        ("Bank Jateng", "2034056789")
    );
    assert_eq!(seller_side.whatsapp.as_deref(), Some("+6281277772000"));
    assert_eq!(seller_side.qris_url, None, "only what the buyer chose");

    // The thank-you page the form leads to shows the fee, the total and where to transfer.
    let (_, thanks) = page(
        &server,
        &format!("/pesanan/{}/terima-kasih?hp=4321", placed.code),
    )
    .await;
    for expected in ["Rp 44.000", "Rp 214.000", "2034056789", "Belum dibayar"] {
        assert!(
            thanks.contains(expected),
            "no {expected:?} on the thank-you page"
        );
    }

    // The order reaches the producer's phone with the choice and the fee.
    sync(&server, &phone).await;
    let order = phone.sentra.order_by_code(&placed.code).unwrap().unwrap();
    assert_eq!((order.delivery_fee, order.total), (44_000, 214_000));
    assert_eq!(order.payment, Some(Payment::BankTransfer));

    // The producer marks it paid on the phone; after the sync the buyer sees it.
    phone.sentra.mark_order_paid(order.id).unwrap();
    sync(&server, &phone).await;
    assert!(view(&server, &placed.code).await.paid);
    let (status, html) = page(&server, &format!("/pesanan?kode={}&hp=4321", placed.code)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Sudah dibayar"), "{html}");
}

async fn a_buyer_paying_by_qris_sees_the_image_and_picking_up_pays_no_fee(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (_phone, me, _, variant) = seller(&server, "0812-7777-2002").await;
    let placed = place(
        &server,
        &order_json("k-qris", me, variant, "3171", ("pickup", "qris")),
    )
    .await;
    assert_eq!(placed.status(), 201);
    let placed: Placed = placed.json().await.unwrap();
    assert_eq!((placed.delivery_fee, placed.total), (0, 2 * 85_000));
    let seen = view(&server, &placed.code).await;
    let seller_side = seen.seller.unwrap();
    assert_eq!(
        seller_side.pickup_place.as_deref(),
        Some("Rumah produksi, Desa Rowosari RT 03")
    );
    assert_eq!(seller_side.bank, None);
    // The QRIS image is public: any buyer may load it to pay.
    let url = seller_side.qris_url.unwrap();
    let image = Client::new()
        .get(format!("{}{url}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/jpeg");
    let bytes = image.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG from the photo pipeline");
}
