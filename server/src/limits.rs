//! Limits on requests: per-token rate limits, and the throttling of sign-in attempts.
//!
//! **Per token.** A token bucket per bearer token, so one runaway phone (or a stolen token)
//! cannot monopolise the server. With PostgreSQL the buckets are rows in the database, so a
//! token's budget is the same however many servers share it; with embedded SQLite (one
//! server) they live in memory ([`Buckets`]). A refused request answers `429 rate_limited`, which the
//! device's engine treats as transient and retries after a backoff.
//!
//! **Sign-in.** Every wrong secret (or unknown login) is recorded in the store with the client's
//! address, the device id the app sent and the login tried, so the counts hold across several
//! servers sharing one PostgreSQL. Before any secret is checked, [`SignInLimits::judge`] reads
//! the recent failures (defaults in brackets):
//! - this device [5 in 15 minutes], this address for this login [5 in 15 minutes], or this
//!   address for any login [30 in 15 minutes, as a village may share one mobile-carrier address]
//!   → `429 too_many_attempts` with `Retry-After`; only that device or address waits, the
//!   account's owner signs in from elsewhere;
//! - this login from many addresses [20 in an hour from at least 3 addresses: distributed
//!   guessing] → `429 locked_out` with `Retry-After`, for every new sign-in to that login, even
//!   with the right secret (the lock ends when the failures age out of the hour). Tokens are not
//!   revoked: devices already signed in keep syncing.
//!
//! Unknown logins are counted exactly like real ones, so neither answers nor locks reveal which
//! logins exist. The address comes from the socket, or from `X-Forwarded-For` only when the
//! socket's peer is a configured trusted proxy ([`TrustedProxies`]); IPv6 addresses count by
//! their /64, which one subscriber usually holds whole.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
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

    /// The limit each bucket keeps.
    pub fn limit(&self) -> RateLimit {
        self.limit
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

/// Thresholds for sign-in attempts (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// The window of the per-device and per-address counts (ms).
    pub window_ms: i64,
    /// Wrong secrets one device may send in the window.
    pub per_device: i64,
    /// Wrong secrets for one login one address may send in the window.
    pub per_address_and_login: i64,
    /// Wrong secrets for any logins one address may send in the window.
    pub per_address: i64,
    /// The window of the per-login count (ms).
    pub lock_window_ms: i64,
    /// Wrong secrets for one login in that window that lock it…
    pub lock_failures: i64,
    /// …when they came from at least this many addresses.
    pub lock_addresses: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            window_ms: 15 * 60 * 1000,
            per_device: 5,
            per_address_and_login: 5,
            per_address: 30,
            lock_window_ms: 60 * 60 * 1000,
            lock_failures: 20,
            lock_addresses: 3,
        }
    }
}

/// Who is trying to sign in, as the failure records key it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptKey {
    /// The client's address (see [`ClientAddress`]).
    pub address: String,
    /// The device id the app sent; `None` from a browser.
    pub device: Option<sentra_core::Id>,
    /// The login tried, as its BLAKE3 hash in hex: phone numbers tried are not kept.
    pub login: String,
}

impl AttemptKey {
    /// The key of an attempt at `login` (already normalised).
    pub fn new(address: String, device: Option<sentra_core::Id>, login: &str) -> Self {
        let hash = blake3::hash(format!("sentra-login:{login}").as_bytes());
        AttemptKey {
            address,
            device,
            login: hash.to_hex()[..32].to_owned(),
        }
    }
}

/// Failures in a window: how many, and when the oldest was (Unix ms; 0 when none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// How many.
    pub count: i64,
    /// When the oldest one was.
    pub oldest: i64,
}

/// The recent failures that concern one attempt, as the store counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    /// From the device (in the short window); zero for a browser.
    pub device: Tally,
    /// From the address, for this login (short window).
    pub address_and_login: Tally,
    /// From the address, for any login (short window).
    pub address: Tally,
    /// For this login, from anywhere (lock window).
    pub login: Tally,
    /// How many distinct addresses those came from.
    pub login_addresses: i64,
}

/// Why an attempt is not even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The device or address waits this many seconds.
    Throttled(u64),
    /// The login is locked for this many seconds (distributed guessing).
    Locked(u64),
}

impl SignInLimits {
    /// Whether an attempt with these recent failures may be checked at all.
    pub fn judge(&self, failures: &Failures, now: i64) -> Result<(), Refusal> {
        // When the oldest failure of a full window leaves it, the count drops below the limit.
        let wait = |tally: &Tally, window: i64| {
            let ms = u64::try_from(tally.oldest + window - now).unwrap_or(0);
            ms.div_ceil(1_000).max(1)
        };
        let short = [
            (&failures.device, self.per_device),
            (&failures.address_and_login, self.per_address_and_login),
            (&failures.address, self.per_address),
        ];
        if let Some(longest) = short
            .iter()
            .filter(|(tally, limit)| tally.count >= *limit)
            .map(|(tally, _)| wait(tally, self.window_ms))
            .max()
        {
            return Err(Refusal::Throttled(longest));
        }
        if failures.login.count >= self.lock_failures
            && failures.login_addresses >= self.lock_addresses
        {
            return Err(Refusal::Locked(wait(&failures.login, self.lock_window_ms)));
        }
        Ok(())
    }
}

/// The proxies whose `X-Forwarded-For` the server believes (empty: none, the socket's peer is
/// the client). Set with `sentra-server serve --trusted-proxy ADDR[,ADDR…]` or
/// `SENTRA_TRUSTED_PROXY`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpAddr>);

impl TrustedProxies {
    /// Parses `ADDR[,ADDR…]`.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse::<IpAddr>()
                    .map_err(|_| format!("not an IP address: {a:?}"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// The client behind a request from `peer`: the peer itself, unless it is a trusted proxy;
    /// then the nearest address in `X-Forwarded-For` that is not itself a trusted proxy (the
    /// entries further left are whatever the client chose to send).
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let peer = peer?;
        if !self.0.contains(&peer) {
            return Some(peer);
        }
        let mut hops = forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .rev();
        for hop in hops.by_ref() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.0.contains(&ip) => {}
                Ok(ip) => return Some(ip),
                // Garbage where the proxy writes: count it as the proxy's own.
                Err(_) => return Some(peer),
            }
        }
        Some(peer)
    }
}

/// The client's address as sign-in throttling keys it: an IPv4 address whole, an IPv6 address
/// by its /64, and `unknown` when the server was not given the socket's address (a router
/// served without connect info: every such client then shares one address's limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The key per-address limits count under.
    pub fn key(&self) -> &str {
        &self.0
    }

    /// The key of an address.
    pub fn of(ip: Option<IpAddr>) -> Self {
        ClientAddress(match ip.map(|ip| ip.to_canonical()) {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        })
    }
}

impl FromRequestParts<crate::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddress::of(
            state.trusted_proxies.client(peer, &forwarded),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_full_window_throttles_the_device_or_address_until_its_oldest_failure_ages_out() {
        let limits = SignInLimits::default();
        let now = 1_000_000_000;
        let mut failures = Failures::default();
        assert_eq!(limits.judge(&failures, now), Ok(()));
        failures.device = Tally {
            count: 5,
            oldest: now - 60_000,
        };
        assert_eq!(
            limits.judge(&failures, now),
            Err(Refusal::Throttled(14 * 60))
        );
        failures.device.count = 4;
        assert_eq!(limits.judge(&failures, now), Ok(()));
        failures.address = Tally {
            count: 30,
            oldest: now - 1_000,
        };
        assert!(matches!(
            limits.judge(&failures, now),
            Err(Refusal::Throttled(_))
        ));
    }

    #[test]
    fn only_many_failures_from_many_addresses_lock_a_login() {
        let limits = SignInLimits::default();
        let now = 1_000_000_000;
        let mut failures = Failures {
            login: Tally {
                count: 40,
                oldest: now - 30 * 60_000,
            },
            login_addresses: 2,
            ..Failures::default()
        };
        assert_eq!(limits.judge(&failures, now), Ok(()), "two addresses");
        failures.login_addresses = 3;
        assert_eq!(limits.judge(&failures, now), Err(Refusal::Locked(30 * 60)));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let none = TrustedProxies::default();
        let trusted = TrustedProxies::parse("10.0.0.1, 10.0.0.2").unwrap();
        let spoofed = ["1.2.3.4, 203.0.113.7"];
        assert_eq!(none.client(Some(proxy), &spoofed), Some(proxy));
        assert_eq!(trusted.client(Some(client), &["1.2.3.4"]), Some(client));
        assert_eq!(trusted.client(Some(proxy), &spoofed), Some(client));
        assert_eq!(
            trusted.client(Some(proxy), &["1.2.3.4", "203.0.113.7, 10.0.0.2"]),
            Some(client)
        );
        assert_eq!(trusted.client(Some(proxy), &[]), Some(proxy));
        assert_eq!(trusted.client(None, &spoofed), None);
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert_eq!(
            ClientAddress::of(Some("2001:db8:1:2:3:4:5:6".parse().unwrap())).0,
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            ClientAddress::of(Some("::ffff:203.0.113.7".parse().unwrap())).0,
            "203.0.113.7"
        );
        assert_eq!(ClientAddress::of(None).0, "unknown");
    }
}
