//! The buyers' order API without an account: guessing an order's phone digits, reusing
//! another buyer's request key, and flooding a producer with orders.

use super::*;
use sentra_server::orders::{
    LOOKUPS_PER_ADDRESS, ORDERS_PER_ADDRESS, ORDERS_PER_PRODUCER, WRONG_DIGITS_PER_CODE,
};

on_both_backends!(
    brute_forcing_an_orders_phone_digits_meets_429_before_the_right_digits_are_found,
    another_buyers_request_key_with_another_order_is_refused_and_reveals_nothing,
    thirty_anonymous_orders_in_a_burst_meet_429_well_before_thirty,
    orders_from_many_addresses_meet_the_producers_limit,
);

async fn brute_forcing_an_orders_phone_digits_meets_429_before_the_right_digits_are_found(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let shop = shop(&server, "0812-7300-0002", "Batik Lasem", "Kain Lasem", true).await;
    // The buyer's phone ends in 9999: the attacker counts up from 0000 and would need 10,000.
    let placed = place(
        &server,
        order_body(&shop, "pembeli-1", "Ani", "0813-1111-9999", 2),
    )
    .await;
    assert_eq!(placed.status, 201, "{}", text(&placed));
    let code = serde_json::from_slice::<serde_json::Value>(&placed.body).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tries = 0;
    let refusal = loop {
        let answer = get(
            &server,
            &format!("/v1/orders/{code}?phone_last4={tries:04}"),
        )
        .await;
        tries += 1;
        match answer.status {
            404 => assert_eq!(answer.code(), "not_found"),
            429 => break answer,
            other => panic!("try {tries}: {other} {}", text(&answer)),
        }
        assert!(tries < 100, "never limited");
    };
    assert_eq!(
        tries,
        WRONG_DIGITS_PER_CODE + 1,
        "limited after the allowed guesses"
    );
    assert_eq!(refusal.code(), "rate_limited");
    let wait: u64 = refusal.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3_600).contains(&wait), "{wait}");
    // Now even the right digits wait, so the limit cannot be used to confirm a guess; and the
    // storefront's status page counts against the same code.
    let right = get(&server, &format!("/v1/orders/{code}?phone_last4=9999")).await;
    assert_eq!((right.status, right.code()), (429, "rate_limited".into()));
    assert!(!text(&right).contains("Kain Lasem"));
    let page = get(&server, &format!("/pesanan?kode={code}&hp=9999")).await;
    assert_eq!(page.status, 429);
    assert!(page.headers.contains_key("retry-after"));
    assert!(!text(&page).contains("Kain Lasem"));

    // Guessing codes instead meets the budget of the address.
    let mut answers = Vec::new();
    for n in 0..LOOKUPS_PER_ADDRESS {
        answers.push(
            get(&server, &format!("/v1/orders/SNT-{n:08}?phone_last4=1234"))
                .await
                .status,
        );
    }
    assert!(answers.contains(&429), "{answers:?}");
}

async fn another_buyers_request_key_with_another_order_is_refused_and_reveals_nothing(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let shop = shop(&server, "0812-7300-0003", "Tenun Sumba", "Kain Sumba", true).await;
    let victim = order_body(&shop, "kunci-bersama", "Budi", "0813-2222-1234", 3);
    let placed = place(&server, victim.clone()).await;
    assert_eq!(placed.status, 201, "{}", text(&placed));
    let original: serde_json::Value = serde_json::from_slice(&placed.body).unwrap();
    let code = original["code"].as_str().unwrap().to_owned();
    let total = original["total"].as_i64().unwrap();
    assert_eq!(total, 255_000);

    // The attacker learnt the key and sends another order under it.
    let attack = place(
        &server,
        order_body(&shop, "kunci-bersama", "Penyerang", "0813-6666-0000", 1),
    )
    .await;
    assert_eq!(
        (attack.status, attack.code()),
        (409, "request_key_reused".into())
    );
    let said = text(&attack);
    assert!(!said.contains(&code), "{said}");
    assert!(
        !said.contains("255000") && !said.contains("255.000"),
        "{said}"
    );

    // The buyer's own double submit still answers their order, once.
    let again = place(&server, victim).await;
    assert_eq!(again.status, 201, "{}", text(&again));
    let again: serde_json::Value = serde_json::from_slice(&again.body).unwrap();
    assert_eq!(again["code"], original["code"]);
    assert_eq!(again["total"], original["total"]);
}

async fn thirty_anonymous_orders_in_a_burst_meet_429_well_before_thirty(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let shop = shop(&server, "0812-7300-0004", "Gerabah Kasongan", "Guci", true).await;
    let bodies: Vec<String> = (0..30)
        .map(|n| order_body(&shop, &format!("banjir-{n}"), "Palsu", "0813-3333-0000", 1))
        .collect();
    // All at once, as a script would send them.
    let sent: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let request = server
                .client
                .post(format!("{}/v1/orders", server.url))
                .header("content-type", "application/json")
                .body(body);
            tokio::spawn(send(request))
        })
        .collect();
    let mut answers = Vec::new();
    for answer in sent {
        answers.push(answer.await.unwrap());
    }
    let placed = answers.iter().filter(|a| a.status == 201).count();
    let limited: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!(placed + limited.len(), 30, "only placed or limited");
    assert!(
        placed <= ORDERS_PER_ADDRESS as usize,
        "{placed} orders got through"
    );
    for answer in limited {
        assert_eq!(answer.code(), "rate_limited");
        assert!(answer.headers.contains_key("retry-after"));
    }
    // The producer's phone gets only the orders that got through.
    sync(&server, &shop.sentra, &shop.session.token).await;
    let orders = shop
        .sentra
        .orders(sentra_core::orders::OrderTab::ToRespond, 0, 100)
        .unwrap();
    assert_eq!(orders.len(), placed);
}

/// A flood spread over many addresses (a botnet, or a proxy's many clients), each under its own
/// budget, still meets the producer's: the phone is not buried, and another producer's buyers
/// are not refused for it. Behind a trusted proxy, which names each client.
async fn orders_from_many_addresses_meet_the_producers_limit(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    let other = shop(&server, "0812-7300-0006", "Batik Tulis", "Kain Tulis", true).await;
    let flooded = shop(
        &server,
        "0812-7300-0005",
        "Anyaman Tasik",
        "Tas Pandan",
        true,
    )
    .await;
    let order = |shop: &Shop, n: usize| {
        let key = format!("sebar-{}-{n}", shop.producer);
        let body = order_body(shop, &key, "Pembeli", "0813-4444-0000", 1);
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .header("content-type", "application/json")
            .header("x-forwarded-for", format!("198.51.100.{}", n + 1))
            .body(body)
    };
    let mut statuses = Vec::new();
    for n in 0..(ORDERS_PER_PRODUCER as usize + 5) {
        statuses.push(send(order(&flooded, n)).await.status);
    }
    let placed = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(placed, ORDERS_PER_PRODUCER as usize, "{statuses:?}");
    assert!(statuses[placed..].iter().all(|s| *s == 429), "{statuses:?}");
    // A buyer of another producer, from an address that already ordered once, is served.
    assert_eq!(send(order(&other, 0)).await.status, 201);
}
