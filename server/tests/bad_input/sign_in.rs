//! Sign-in as an attacker tries it: guessing PINs from one device or address, guessing from
//! many addresses, telling real logins from unknown ones, planting a costly hash, and squatting
//! a staff name. Each case runs on SQLite and PostgreSQL.

use super::*;
use serde_json::json;
use std::time::{Duration, Instant};

on_both_backends!(
    six_wrong_pins_from_one_device_are_throttled_while_the_owner_signs_in_from_elsewhere,
    guessing_from_many_addresses_locks_the_account_but_signed_in_devices_keep_pushing,
    an_unknown_login_and_a_wrong_pin_answer_alike,
    a_planted_costly_hash_is_refused_without_stalling_anyone,
    an_activation_cannot_plant_a_staff_name_or_a_foreign_hash,
    logins_cannot_collide_and_a_taken_login_is_a_clear_refusal,
    eight_sign_ins_at_once_all_answer,
    a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit,
);

const PHONE: &str = "0812-6543-2100";
const PIN: &str = "246810";

/// A producer account with a phone login.
async fn producer(server: &Server) -> Id {
    account(server, PHONE, PIN, Role::Producer, Some(Id::new())).await
}

fn retry_after(answer: &Answer) -> u64 {
    answer
        .headers
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn six_wrong_pins_from_one_device_are_throttled_while_the_owner_signs_in_from_elsewhere(
    backend: Backend,
) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    producer(&server).await;
    let (thief, thief_device) = ("203.0.113.7", Id::new());
    for attempt in 1..=5 {
        let answer = login_attempt_from(&server, thief, thief_device, PHONE, "000000").await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "bad_credentials".into()),
            "attempt {attempt}"
        );
    }
    let sixth = login_attempt_from(&server, thief, thief_device, PHONE, "111111").await;
    assert_eq!(
        (sixth.status, sixth.code()),
        (429, "too_many_attempts".into())
    );
    let wait = retry_after(&sixth);
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // Neither the right PIN from there, nor the same device from another address, gets a try.
    let right = login_attempt_from(&server, thief, thief_device, PHONE, PIN).await;
    assert_eq!(right.code(), "too_many_attempts");
    let moved = login_attempt_from(&server, "192.0.2.99", thief_device, PHONE, PIN).await;
    assert_eq!(moved.code(), "too_many_attempts", "the device is throttled");
    let fresh_device_same_address =
        login_attempt_from(&server, thief, Id::new(), "+6281265432100", PIN).await;
    assert_eq!(
        fresh_device_same_address.code(),
        "too_many_attempts",
        "the address is throttled for this login"
    );
    // The owner, on their own phone and network, is not locked out.
    let owner = login_attempt_from(&server, "198.51.100.20", Id::new(), PHONE, PIN).await;
    assert_eq!(owner.status, 200, "{}", owner.code());
    let metrics = server
        .client
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("logins_refused"), "{metrics}");
}

async fn guessing_from_many_addresses_locks_the_account_but_signed_in_devices_keep_pushing(
    backend: Backend,
) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    account(&server, "admin.pusat", "rahasia-kuat-1", Role::Admin, None).await;
    let mut signed_in = sign_in(&server, "admin.pusat", "rahasia-kuat-1").await;
    let limits = server.state.sign_in_limits;
    // A botnet: each address stays under its own limit, together they pass the account's.
    let per_address = limits.per_address_and_login;
    let addresses = (limits.lock_failures + per_address - 1) / per_address;
    assert!(addresses >= limits.lock_addresses);
    for a in 0..addresses {
        let address = format!("198.18.0.{}", a + 1);
        for _ in 0..per_address {
            let answer =
                login_attempt_from(&server, &address, Id::new(), "admin.pusat", "tebakan").await;
            assert_eq!(answer.code(), "bad_credentials", "{address}");
        }
    }
    // Locked: even the right password from a fresh device and address waits…
    let fresh = login_attempt_from(
        &server,
        "203.0.113.50",
        Id::new(),
        "admin.pusat",
        "rahasia-kuat-1",
    )
    .await;
    assert_eq!((fresh.status, fresh.code()), (429, "locked_out".into()));
    let wait = retry_after(&fresh);
    assert!((1..=60 * 60).contains(&wait), "{wait}");
    // …and so does the web.
    let web = server
        .client
        .post(format!("{}/masuk", server.url))
        .header("x-forwarded-for", "203.0.113.51")
        .form(&[("login", "admin.pusat"), ("secret", "rahasia-kuat-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(web.status(), 429);
    assert!(web.headers().contains_key("retry-after"));
    // …but the device signed in before keeps pushing and pulling: tokens are not revoked.
    push_applied(
        &server,
        &mut signed_in,
        vec![change(
            "organisation",
            Id::new(),
            "create",
            valid::organisation("cooperative", "Koperasi Tetap Jalan"),
        )],
    )
    .await;
    assert_eq!(pull_page(&server, &signed_in, None).await.status, 200);
    // The botnet's addresses are not barred from other accounts.
    producer(&server).await;
    let other = login_attempt_from(&server, "198.18.0.1", Id::new(), PHONE, PIN).await;
    assert_eq!(other.status, 200, "{}", other.code());
}

async fn an_unknown_login_and_a_wrong_pin_answer_alike(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    producer(&server).await;
    let comparable = |answer: &Answer| {
        let mut headers: Vec<String> = answer
            .headers
            .iter()
            .filter(|(name, _)| name.as_str() != "date")
            .map(|(name, value)| format!("{name}: {value:?}"))
            .collect();
        headers.sort();
        (answer.status, headers, answer.body.clone())
    };
    let mut took = [Duration::ZERO; 2];
    for round in 0..4 {
        let address = format!("192.0.2.{round}");
        let started = Instant::now();
        let wrong = login_attempt_from(&server, &address, Id::new(), PHONE, "000000").await;
        took[0] += started.elapsed();
        let started = Instant::now();
        let unknown =
            login_attempt_from(&server, &address, Id::new(), "0812-0000-0001", "000000").await;
        took[1] += started.elapsed();
        assert_eq!(wrong.code(), "bad_credentials");
        assert_eq!(comparable(&wrong), comparable(&unknown));
    }
    // An unknown login costs a real verification too (a generous bound: the same order of
    // magnitude, not a hash lookup against an argon2 run).
    assert!(took[1] * 4 > took[0], "{took:?}");
    // And it is throttled exactly like a real one.
    for _ in 0..5 {
        login_attempt_from(&server, "192.0.2.200", Id::new(), "0812-0000-0001", "1").await;
        login_attempt_from(&server, "192.0.2.201", Id::new(), PHONE, "1").await;
    }
    let unknown =
        login_attempt_from(&server, "192.0.2.200", Id::new(), "0812-0000-0001", "1").await;
    let real = login_attempt_from(&server, "192.0.2.201", Id::new(), PHONE, "1").await;
    assert_eq!(comparable(&unknown).0, 429);
    assert_eq!(unknown.code(), real.code());
}

/// A hash with the server's salt and output but a huge cost: hours of work if computed.
fn planted_hash() -> String {
    let real = sentra_server::accounts::hash_secret(PIN).unwrap();
    let tail = real.rsplitn(3, '$').take(2).collect::<Vec<_>>();
    format!(
        "$argon2id$v=19$m=4194304,t=100000,p=1${}${}",
        tail[1], tail[0]
    )
}

async fn a_planted_costly_hash_is_refused_without_stalling_anyone(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    let mut admin = admin(&server).await;
    // However it got there (an old server, a restored backup), a planted hash is in the store.
    let store = server.state.store.clone();
    let planted = tokio::task::spawn_blocking(move || {
        store
            .create_account(
                "+6281299998888",
                &planted_hash(),
                Role::Producer,
                Some(Id::new()),
            )
            .unwrap()
            .unwrap()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let (attempt, push) = tokio::join!(
        login_attempt_from(&server, "203.0.113.9", Id::new(), "081299998888", PIN),
        push_raw(
            &server,
            &mut admin,
            vec![change(
                "organisation",
                Id::new(),
                "create",
                valid::organisation("cluster", "Klaster Lancar"),
            )],
        ),
    );
    assert_eq!(
        (attempt.status, attempt.code()),
        (401, "bad_credentials".into()),
        "the right PIN against a planted hash does not sign in as {}",
        planted.user_id
    );
    assert_eq!(push.status, 200);
    // Minutes would mean the planted cost was paid; one ordinary verification is milliseconds.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

async fn an_activation_cannot_plant_a_staff_name_or_a_foreign_hash(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat-1",
        Role::Facilitator,
        None,
    )
    .await;
    let mut facilitator = sign_in(&server, "pendamping", "rahasia-kuat-1").await;
    let me = facilitator.user.to_string();
    let server_hash = sentra_server::accounts::hash_secret(PIN).unwrap();
    let register = |phone: &str, hash: &str| {
        let mut fields = valid::producer(&me);
        fields["phone"] = json!(phone);
        fields["activation_pin_hash"] = json!(hash);
        change("producer", Id::new(), "create", fields)
    };
    // A staff-style name as the "phone", and a real phone with a planted hash: neither becomes
    // a login. (The push itself may be applied or refused; the account must not exist.)
    let _ = push_raw(
        &server,
        &mut facilitator,
        vec![
            register("dinas.banyumas", &server_hash),
            register("081233334444", &planted_hash()),
        ],
    )
    .await;
    for login in ["dinas.banyumas", "081233334444"] {
        let answer = login_attempt_from(&server, "192.0.2.10", Id::new(), login, PIN).await;
        assert_eq!(answer.code(), "bad_credentials", "{login}");
    }
    // So the admin's account for that name is still free.
    account(
        &server,
        "dinas.banyumas",
        "rahasia-kuat-2",
        Role::Official,
        None,
    )
    .await;
    // A phone (normalised, as the core stores it) with the server's own hash does become that
    // producer's login, signed into with the phone in any local form.
    push_applied(
        &server,
        &mut facilitator,
        vec![register("+6281233335555", &server_hash)],
    )
    .await;
    let activated =
        login_attempt_from(&server, "192.0.2.11", Id::new(), "+62 812 3333 5555", PIN).await;
    assert_eq!(activated.status, 200, "{}", activated.code());
}

async fn logins_cannot_collide_and_a_taken_login_is_a_clear_refusal(backend: Backend) {
    use axum::response::IntoResponse;
    let Some(server) = server(backend).await else {
        return;
    };
    let state = server.state.clone();
    let refusals = tokio::task::spawn_blocking(move || {
        let create = |login: &str, role: Role| {
            let producer = (role == Role::Producer).then(Id::new);
            state
                .create_account(login, "rahasia-kuat-1", role, producer)
                .err()
                .map(|err| {
                    let response = err.into_response();
                    response.status().as_u16()
                })
        };
        [
            create("0812-7777-1234", Role::Facilitator),
            create("+62 812 7777 1234", Role::Admin),
            create("12345678", Role::Official),
            create("pendamping", Role::Producer),
            create("pendamping", Role::Facilitator),
            create("pendamping", Role::Official),
            create("0812-7777-1234", Role::Producer),
            create("+6281277771234", Role::Producer),
        ]
    })
    .await
    .unwrap();
    assert_eq!(
        refusals,
        [
            Some(422),
            Some(422),
            Some(422),
            Some(422),
            None,
            Some(409),
            None,
            Some(409)
        ]
    );
    let state = server.state.clone();
    let codes = tokio::task::spawn_blocking(move || {
        [
            state.create_account("0812-7777-9999", "x", Role::Facilitator, None),
            state.create_account("pendamping", "x", Role::Producer, Some(Id::new())),
            state.create_account("pendamping", "x", Role::Admin, None),
        ]
        .map(|r| r.unwrap_err().to_string())
    })
    .await
    .unwrap();
    assert!(codes[0].starts_with("nama pengguna petugas tidak boleh berupa nomor HP"));
    assert!(codes[1].starts_with("login perajin harus nomor HP"));
    assert!(codes[2].contains("this login is taken"));
}

/// A `/v1/login` request from `address` on `device`, ready to send from a task.
fn login_request(
    server: &Server,
    address: &str,
    device: Id,
    secret: &str,
) -> reqwest::RequestBuilder {
    let body = wire::encode(&wire::LoginRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: device,
        login: PHONE.into(),
        secret: secret.into(),
    })
    .unwrap();
    server
        .client
        .post(format!("{}/v1/login", server.url))
        .header("content-encoding", "zstd")
        .header("content-type", "application/json")
        .header("x-forwarded-for", address)
        .body(body)
}

async fn a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    producer(&server).await;
    let device = Id::new();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let request = login_request(&server, "203.0.113.77", device, &format!("{i:06}"));
        tasks.spawn(async move {
            let answer = send(request).await;
            (answer.status, answer.code())
        });
    }
    let answers = tasks.join_all().await;
    let checked = answers.iter().filter(|(status, _)| *status == 401).count();
    let limit = usize::try_from(server.state.sign_in_limits.per_device).unwrap();
    // Each attempt is recorded before it is counted, so a burst may even see every attempt
    // refused (all twelve counted each other): never more checks than the limit, never fewer
    // than none.
    assert!(checked <= limit, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| a.0 == 401 || *a == (429, "too_many_attempts".to_owned())),
        "{answers:?}"
    );
}

async fn eight_sign_ins_at_once_all_answer(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    producer(&server).await;
    // Eight phones at once (argon2 runs a few at a time; the others wait their turn).
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let request = login_request(&server, &format!("192.0.2.{}", 100 + i), Id::new(), PIN);
        tasks.spawn(async move { send(request).await.status });
    }
    let statuses = tasks.join_all().await;
    assert_eq!(statuses, vec![200; 8]);
}
