//! Per-token rate limits: a token bucket per bearer token, so one runaway phone (or a stolen
//! token) cannot monopolise the server. A refused request answers `429 rate_limited`, which the
//! device's engine treats as transient and retries after a backoff.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How many requests a token may make.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests a token may make in a burst.
    pub burst: f64,
    /// Requests per second it earns back.
    pub per_second: f64,
}

impl Default for RateLimit {
    /// 120 in a burst, then 2 a second: far above what a phone's sync needs.
    fn default() -> Self {
        RateLimit {
            burst: 120.0,
            per_second: 2.0,
        }
    }
}

/// The buckets, by token hash.
#[derive(Debug, Default)]
pub struct Buckets {
    limit: RateLimit,
    buckets: Mutex<HashMap<Vec<u8>, (f64, Instant)>>,
}

impl Buckets {
    /// Buckets with a limit.
    pub fn new(limit: RateLimit) -> Self {
        Buckets {
            limit,
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from the token's bucket; `false` when it is empty.
    pub fn allow(&self, token_hash: &[u8]) -> bool {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 100_000 {
            // Forget idle buckets rather than grow without bound.
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 600);
        }
        let (tokens, at) = buckets
            .entry(token_hash.to_vec())
            .or_insert((self.limit.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.limit.per_second)
            .min(self.limit.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
