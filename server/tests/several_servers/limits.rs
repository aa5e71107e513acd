//! A token's rate limit is one budget, however many servers it is spread over.

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
