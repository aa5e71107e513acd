//! Every HTTP route against every role. The table below must have one row per route the
//! server's source declares (`.route("…", get(…).post(…))` anywhere under `server/src/`), so a
//! route added without deciding who may call it fails here. `A`: the role gets past
//! authentication (any answer but `401 unauthorized`, `403` or a redirect to sign in); `D`:
//! refused that way (with a stable code on the API); `B`: refused as a bad request.

use super::*;

/// Columns as everywhere: P1, P2, F1, F3, F2, admin of P1's cooperative, admin of another
/// cooperative, official, anonymous buyer. Rows run in this order, so the upload comes before
/// the download and the logout (which kills each token) comes last.
const ROUTES: &[(&str, &str)] = &[
    ("GET /healthz", "AAAAAAAAA"),
    ("GET /metrics", "AAAAAAAAA"),
    ("POST /v1/login", "AAAAAAAAA"),
    ("POST /v1/sync/push", "AAAAAAAAD"),
    ("POST /v1/sync/pull", "AAAAAAAAD"),
    // The read-only official may not upload (issue 13).
    ("PUT /v1/photos/{hash}", "AAAAAAADD"),
    ("GET /v1/photos/{hash}", "AAAAAAAAD"),
    ("GET /v1/photos/{hash}/status", "AAAAAAAAD"),
    // The buyers' order API needs no account.
    ("POST /v1/orders", "AAAAAAAAA"),
    ("GET /v1/orders/{code}", "AAAAAAAAA"),
    // The storefront: public pages for buyers with no account.
    ("GET /", "AAAAAAAAA"),
    ("GET /p/{id}", "AAAAAAAAA"),
    ("GET /foto/{hash}", "AAAAAAAAA"),
    ("GET /foto/{hash}/{edge}", "AAAAAAAAA"),
    ("GET /toko/{producer}", "AAAAAAAAA"),
    ("GET /favicon.ico", "AAAAAAAAA"),
    ("POST /p/{id}/pesan", "AAAAAAAAA"),
    ("GET /pesanan", "AAAAAAAAA"),
    ("GET /pesanan/{code}/terima-kasih", "AAAAAAAAA"),
    // The staff's web sign-in (a cookie session for the dashboard): open to reach.
    ("GET /masuk", "AAAAAAAAA"),
    ("POST /masuk", "AAAAAAAAA"),
    // Cooperatives: a public page and bulk-order form; the requests behind the admin's login
    // (`B`: a form posted with no session has no valid form token: 400 before anything else).
    ("GET /koperasi/{id}", "AAAAAAAAA"),
    ("POST /koperasi/{id}/pesan-partai", "AAAAAAAAA"),
    ("GET /koperasi/{id}/permintaan", "DDDDDADDD"),
    ("GET /koperasi/{id}/permintaan/{code}", "DDDDDADDD"),
    ("POST /koperasi/{id}/permintaan/{code}", "DDDDDADDB"),
    // Members: the organisation's admin, facilitators (for producers in their scope) and admins.
    ("GET /koperasi/{id}/anggota", "DDAAAADDD"),
    ("POST /koperasi/{id}/anggota", "DDAAAADDB"),
    // The dashboard: figures for officials, admins, and (scoped) facilitators and cooperative
    // admins; the CSV import for facilitators; facilitators' assignments for admins only.
    ("GET /dasbor", "DDAAAAAAD"),
    ("GET /dasbor/ekspor/{file}", "DDAAAAAAD"),
    ("GET /dasbor/impor", "DDAAADDDD"),
    ("POST /dasbor/impor", "DDAAADDDD"),
    ("GET /dasbor/impor/templat.csv", "AAAAAAAAA"),
    ("GET /dasbor/pendamping", "DDDDDDDDD"),
    ("POST /dasbor/pendamping", "DDDDDDDDD"),
    ("POST /v1/logout", "AAAAAAAAD"),
    // Signs out a fresh web session of each role (the probe signs in again first).
    // (Sent to the sign-in page afterwards, which here is success; the probe checks the token
    // died.)
    ("POST /keluar", "AAAAAAAAA"),
];

/// A small blob and its BLAKE3 name for the photo routes.
fn blob() -> (Vec<u8>, String) {
    let bytes = clean_jpeg(1, 16);
    let hash = blake3::hash(&bytes).to_hex().to_string();
    (bytes, hash)
}

/// Calls one route the way a legitimate client would, as `session` (or anonymously).
async fn probe(world: &World, route: &str, session: Option<&Session>) -> Answer {
    let server = &world.server;
    let (bytes, hash) = blob();
    let token = session.map(|s| s.token.as_str());
    let device = session.map_or(Id::new(), |s| s.device);
    let authorise = |request: reqwest::RequestBuilder| match token {
        Some(token) => request.header("authorization", format!("Bearer {token}")),
        None => request,
    };
    let url = |path: &str| format!("{}{path}", server.url);
    match route {
        "GET /healthz" => send(authorise(server.client.get(url("/healthz")))).await,
        "GET /metrics" => send(authorise(server.client.get(url("/metrics")))).await,
        "POST /v1/login" => login_attempt(server, Id::new(), "dinas.jateng", SECRET).await,
        "POST /v1/logout" => send(authorise(server.client.post(url("/v1/logout")))).await,
        "POST /v1/sync/push" => {
            let body = sentra_core::sync::wire::encode(&sentra_core::sync::wire::PushRequest {
                version: sentra_core::sync::wire::PROTOCOL_VERSION,
                device_id: device,
                entries: vec![],
            })
            .unwrap();
            post_zstd(server, "/v1/sync/push", token, body).await
        }
        "POST /v1/sync/pull" => match session {
            Some(session) => pull_page(server, session, None).await,
            None => {
                let nobody = Session {
                    token: String::new(),
                    device,
                    user: Id::new(),
                    seq: 1,
                };
                let body = sentra_core::sync::wire::encode(&sentra_core::sync::wire::PullRequest {
                    version: sentra_core::sync::wire::PROTOCOL_VERSION,
                    device_id: nobody.device,
                    cursor: None,
                    max_bytes: 4096,
                })
                .unwrap();
                post_zstd(server, "/v1/sync/pull", None, body).await
            }
        },
        "PUT /v1/photos/{hash}" => {
            let path = format!("/v1/photos/{hash}?offset=0&total={}", bytes.len());
            send(authorise(server.client.put(url(&path)).body(bytes))).await
        }
        "GET /v1/photos/{hash}" => {
            send(authorise(
                server.client.get(url(&format!("/v1/photos/{hash}"))),
            ))
            .await
        }
        "GET /v1/photos/{hash}/status" => {
            let path = format!("/v1/photos/{hash}/status");
            send(authorise(server.client.get(url(&path)))).await
        }
        "POST /v1/orders" => {
            let order = serde_json::json!({
                "key": Id::new().to_string(),
                "producer_id": world.p1.producer.to_string(),
                "buyer": {"name": "Ibu Ani", "phone": "085711112222", "regency_code": "3302",
                          "address": "Purwokerto"},
                "lines": [{"variant_id": world.p1.variant.to_string(), "quantity": 1}],
            });
            let request = server.client.post(url("/v1/orders"));
            let request = authorise(request).header("content-type", "application/json");
            send(request.body(order.to_string())).await
        }
        "GET /v1/orders/{code}" => {
            let path = "/v1/orders/SNT-7K3QX9AB?phone_last4=2222";
            send(authorise(server.client.get(url(path)))).await
        }
        "POST /keluar" => {
            let fresh = match session {
                Some(_) => {
                    let (_, login, secret) = world
                        .credentials
                        .iter()
                        .find(|(w, ..)| Some(*w) == who_of(world, session))
                        .unwrap();
                    Some(sign_in(server, login, secret).await.token)
                }
                None => None,
            };
            let mut request = server.client.post(url("/keluar"));
            if let Some(token) = &fresh {
                request = request
                    .header("cookie", format!("sentra_sesi={token}"))
                    .body(format!("csrf={}", csrf_of(token)));
            }
            let answer =
                send(request.header("content-type", "application/x-www-form-urlencoded")).await;
            if let Some(token) = fresh {
                let dead = Session {
                    token,
                    device: Id::new(),
                    user: Id::new(),
                    seq: 1,
                };
                let replay = pull_page(server, &dead, None).await;
                assert_eq!(replay.status, 401, "a web session outlived its sign-out");
            }
            answer
        }
        // Any other route: called with its parameters filled in (P1's unlisted product, the
        // blob, an order code) and an empty body.
        other => {
            let (method, path) = other.split_once(' ').unwrap();
            let id = if path.starts_with("/koperasi/") {
                world.p1.cooperative
            } else {
                world.p1.product
            };
            let path = path
                .replace("{id}", &id.to_string())
                .replace("{hash}", &hash)
                .replace("{code}", "SNT-7K3QX9AB")
                .replace("{file}", "kanal.csv")
                .replace("{edge}", "400")
                .replace("{producer}", &world.p1.producer.to_string());
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            // Web pages read the same token from the session cookie.
            let mut request = server.client.request(method, url(&path));
            if let Some(token) = token {
                request = request
                    .header("cookie", format!("sentra_sesi={token}"))
                    .body(format!("csrf={}", csrf_of(token)));
            }
            send(authorise(request).header("content-type", "application/x-www-form-urlencoded"))
                .await
        }
    }
}

/// The form token a web session's pages carry (as `server/src/web/session.rs` derives it).
fn csrf_of(token: &str) -> String {
    blake3::hash(format!("sentra-web-csrf:{token}").as_bytes()).to_hex()[..32].to_owned()
}

fn who_of(world: &World, session: Option<&Session>) -> Option<Who> {
    let session = session?;
    world
        .sessions
        .iter()
        .find(|(_, s)| s.token == session.token)
        .map(|(w, _)| *w)
}

/// Runs the whole table; mismatches are collected and reported together.
pub async fn run_matrix(world: &mut World) {
    let declared = declared_routes();
    let rows: Vec<String> = ROUTES.iter().map(|(r, _)| (*r).to_owned()).collect();
    let missing: Vec<&String> = declared.iter().filter(|r| !rows.contains(r)).collect();
    let stale: Vec<&String> = rows.iter().filter(|r| !declared.contains(r)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the route table in server/tests/authorisation/routes.rs does not match the router: \
         routes without a row {missing:?}, rows without a route {stale:?}"
    );
    let mut mismatches = Vec::new();
    for (route, expected) in ROUTES {
        assert_eq!(
            expected.len(),
            EVERYONE.len(),
            "{route}: one letter per role"
        );
        for (who, want) in EVERYONE.iter().zip(expected.chars()) {
            let session = world
                .sessions
                .iter()
                .find(|(w, _)| w == who)
                .map(|(_, s)| s.clone());
            let answer = probe(world, route, session.as_ref()).await;
            // A web page refuses with 403 or by sending the browser to sign in.
            let to_sign_in = *route != "POST /keluar"
                && answer.status == 303
                && answer
                    .headers
                    .get("location")
                    .is_some_and(|l| l.as_bytes().starts_with(b"/masuk"));
            let denied = matches!(answer.status, 401 | 403) || to_sign_in;
            if denied && route.contains("/v1/") {
                let code = answer.code();
                assert!(
                    ["unauthorized", "forbidden", "wrong_device"].contains(&code.as_str()),
                    "{route} by {who:?}: refusal without a stable code ({code})"
                );
            }
            let got = match (denied, answer.status) {
                (true, _) => 'D',
                (false, 400) if want == 'B' => 'B',
                _ => 'A',
            };
            if got != want {
                mismatches.push(format!(
                    "{route} by {who:?}: expected {want}, got status {}",
                    answer.status
                ));
            }
            if answer.status >= 500 {
                mismatches.push(format!(
                    "{route} by {who:?}: server error {}",
                    answer.status
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "routes differ from the table:\n{}",
        mismatches.join("\n")
    );
    // After logout every token is dead: a replay is refused.
    for (who, session) in &world.sessions {
        let answer = pull_page(&world.server, session, None).await;
        assert_eq!(answer.status, 401, "{who:?}'s token outlived its logout");
    }
}

/// `METHOD /path` for every route declared in the server's source.
pub fn declared_routes() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut routes = Vec::new();
    let mut files = vec![src];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            routes.extend(routes_in(&path.display().to_string(), &text));
        }
    }
    routes.sort();
    routes.dedup();
    assert!(
        routes.len() >= 5,
        "found only {routes:?}: is the parser lost?"
    );
    routes
}

/// The routes one source file declares.
fn routes_in(file: &str, text: &str) -> Vec<String> {
    // Comments may mention `.route(`: drop them (code lines here do not end in `// …` strings).
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !code.contains(".nest("),
        "{file}: .nest() prefixes paths, which the route table's parser does not follow yet"
    );
    let mut routes = Vec::new();
    for (marker, any) in [(".route(", false), (".route_service(", true)] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let args = balanced(rest);
            let path = args
                .split('"')
                .nth(1)
                .unwrap_or_else(|| panic!("{file}: a route without a literal path"));
            if any {
                routes.push(format!("ANY {path}"));
                continue;
            }
            for method in methods_at_top(args) {
                routes.push(format!("{method} {path}"));
            }
        }
    }
    routes
}

/// The text up to the parenthesis that closes the one just opened.
fn balanced(text: &str) -> &str {
    let mut depth = 1;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

/// `get(`, `post(`, … called at the top level of a route's arguments (not inside a handler).
fn methods_at_top(args: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut depth = 0;
    let mut in_string = false;
    let bytes = args.as_bytes();
    for (i, c) in args.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => {
                if depth == 0 {
                    let word_start = args[..i]
                        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(0, |p| p + 1);
                    let word = &args[word_start..i];
                    let method = match word {
                        "get" => Some("GET"),
                        "post" => Some("POST"),
                        "put" => Some("PUT"),
                        "delete" => Some("DELETE"),
                        "patch" => Some("PATCH"),
                        "head" => Some("HEAD"),
                        "any" => Some("ANY"),
                        _ => None,
                    };
                    if let Some(method) = method
                        && (word_start == 0
                            || matches!(bytes[word_start - 1], b'.' | b':' | b' ' | b',' | b'\n'))
                    {
                        found.push(method);
                    }
                }
                depth += 1;
            }
            ')' if !in_string => depth -= 1,
            _ => {}
        }
    }
    found
}

#[test]
fn the_route_parser_reads_chained_methods_and_ignores_handlers() {
    let text = r#"
        // .route("/commented", get(x))
        Router::new()
            .route("/a", get(|s: State<X>| async move { s.get(1) }))
            .route("/b/{id}", axum::routing::put(up).get(down))
            .route("/c", post(c));
    "#;
    assert_eq!(
        routes_in("inline", text),
        ["GET /a", "PUT /b/{id}", "GET /b/{id}", "POST /c"]
    );
}

/// P1's unlisted product gets a photo whose file is on the server. Who may download the file:
/// `A` 200, `N` 404 `photo_not_found` (the same answer as for a file that does not exist), `U`
/// 401. Once the product is listed, the photo is public and every account may.
pub async fn photo_files_follow_the_scope(world: &mut World) {
    let (bytes, hash) = blob();
    let p1 = world.p1.clone();
    let uploader = world.session(Who::Producer).unwrap().clone();
    let put = send(
        world
            .server
            .client
            .put(format!(
                "{}/v1/photos/{hash}?offset=0&total={}",
                world.server.url,
                bytes.len()
            ))
            .header("authorization", format!("Bearer {}", uploader.token))
            .body(bytes),
    )
    .await;
    assert_eq!(put.status, 200, "{:?}", String::from_utf8_lossy(&put.body));
    // A product of its own, unlisted, with the uploaded photo.
    let product = Id::new();
    let mut producer = world.session(Who::Producer).unwrap().clone();
    push_applied(
        &world.server,
        &mut producer,
        vec![
            change(
                "product",
                product,
                "create",
                json!({"producer_id": p1.producer.to_string(), "name": "Celana Jeans Slim",
                       "description": "", "category": "Celana", "unit": "pcs", "price": 150_000,
                       "min_order": 1, "weight_g": 400, "length_cm": 30, "width_cm": 25,
                       "height_cm": 4, "status": "unlisted", "tier1": null, "tier2": null,
                       "created_at": now_ms()}),
            ),
            change(
                "photo",
                Id::new(),
                "create",
                json!({"owner_id": product.to_string(), "hash": hash, "position": 0,
                       "thumb_hash": null}),
            ),
        ],
    )
    .await;

    // Columns as everywhere: P1, P2, F1, F3, F2, CA, CB, official, anonymous buyer.
    check_downloads(world, &hash, "unlisted", "ANAANANNU").await;
    // The producer lists the product: its photos are public from then on.
    push_applied(
        &world.server,
        &mut producer,
        vec![change(
            "product",
            product,
            "update",
            json!({"status": "listed"}),
        )],
    )
    .await;
    check_downloads(world, &hash, "listed", "AAAAAAAAU").await;
}

async fn check_downloads(world: &mut World, hash: &str, stage: &str, table: &str) {
    let mut mismatches = Vec::new();
    for (who, want) in EVERYONE.into_iter().zip(table.chars()) {
        let token = world.session(who).map(|s| s.token.clone());
        let mut request = world
            .server
            .client
            .get(format!("{}/v1/photos/{hash}", world.server.url));
        if let Some(token) = &token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let answer = send(request).await;
        let got = match answer.status {
            200 => 'A',
            404 if answer.code() == "photo_not_found" => 'N',
            401 => 'U',
            status => {
                mismatches.push(format!("{stage}, {who:?}: status {status}"));
                continue;
            }
        };
        if got != want {
            mismatches.push(format!("{stage}, {who:?}: expected {want}, got {got}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
