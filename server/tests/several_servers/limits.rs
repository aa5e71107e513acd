//! A token's rate limit is one budget, however many servers it is spread over; and a burst of
//! sign-ins costs a server the argon2 slots' memory, not a verification's memory per thread.

use super::*;
use sentra_server::limits::RateLimit;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_flooding_two_servers_gets_one_budget_not_two() {
    let Some(cluster) = cluster(2).await else {
        return;
    };
    let cluster = Arc::new(cluster);
    staff(&cluster).await;
    let session = sign_in(&cluster.servers[0], "admin.pusat", "rahasia-kuat-1").await;
    let limit = RateLimit::default();
    let started = std::time::Instant::now();
    let (mut allowed, mut refused) = ([0; 2], [0; 2]);
    // Twice the burst, alternating servers, a few at a time.
    let requests = 2 * limit.burst as usize;
    for batch in (0..requests).collect::<Vec<_>>().chunks(8) {
        let mut answers = tokio::task::JoinSet::new();
        for n in batch {
            let (cluster, session, which) = (cluster.clone(), session.clone(), n % 2);
            answers.spawn(async move {
                (
                    which,
                    pull_page(&cluster.servers[which], &session, None).await,
                )
            });
        }
        while let Some(done) = answers.join_next().await {
            let (server, answer) = done.unwrap();
            match answer.status {
                200 => allowed[server] += 1,
                429 => {
                    assert_eq!(answer.code(), "rate_limited");
                    refused[server] += 1;
                }
                other => panic!("status {other}: {}", answer.code()),
            }
        }
    }
    let earned = started.elapsed().as_secs_f64() * limit.per_second;
    let total = allowed[0] + allowed[1];
    assert!(
        total as f64 <= limit.burst + earned + 1.0,
        "{total} requests allowed ({allowed:?}), the budget was {} + {earned:.1}",
        limit.burst
    );
    assert!(total as f64 >= limit.burst, "{allowed:?}");
    assert!(refused[0] > 0 && refused[1] > 0, "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_sign_ins_at_once_five_times_cost_a_server_the_argon2_slots_not_more() {
    // Embedded SQLite: one process, whose database the test opens beside it (WAL) for the
    // account; the memory measured is the process's own peak (VmHWM).
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let path = dir.path().join("server.db");
    let store = Arc::new(sentra_server::store::SqliteStore::open(&path).unwrap());
    let (mut child, server) = serve(&["--data", &data], store).await;
    account(
        &server,
        "pendamping",
        "rahasia-kuat-2",
        Role::Facilitator,
        None,
    )
    .await;
    let server = Arc::new(server);
    let mut signed_in = 0;
    for _ in 0..5 {
        let mut attempts = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let server = server.clone();
            attempts.spawn(async move {
                login_attempt(&server, Id::new(), "pendamping", "rahasia-kuat-2")
                    .await
                    .status
            });
        }
        while let Some(status) = attempts.join_next().await {
            // Of a parallel burst from one address, some meet the sign-in throttle (429).
            match status.unwrap() {
                200 => signed_in += 1,
                429 => {}
                other => panic!("status {other}"),
            }
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(signed_in >= 8, "{signed_in} sign-ins went through");
    // Three slots of 19 MiB, plus the server itself (about 80 MB; a fresh 19 MiB per
    // verification went past 250 MB in three rounds).
    assert!(peak_kb < 150 * 1024, "peak {} MB", peak_kb / 1024);
}
