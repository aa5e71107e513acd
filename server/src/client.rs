//! Who is asking: the client's network address, for the limits that hold per address (order
//! look-ups and anonymous orders).
//!
//! The address is the socket's peer, as `main.rs` serves the router with connection info. A
//! reverse proxy's `X-Forwarded-For` is believed only when the operator says a proxy is in
//! front (`SENTRA_TRUSTED_PROXY=1`); otherwise anyone could name any address and dodge every
//! per-address limit.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Whether the server sits behind a reverse proxy whose `X-Forwarded-For` it believes
/// (`SENTRA_TRUSTED_PROXY=1`, read once).
pub fn trust_proxy() -> bool {
    static TRUST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRUST.get_or_init(|| {
        std::env::var("SENTRA_TRUSTED_PROXY")
            .is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
    })
}

/// The client's address: the last hop of `X-Forwarded-For` (the one the trusted proxy added)
/// when `trust_proxy`, else the socket's peer. Without either (a router driven in process)
/// every request shares the unspecified address, so limits still hold, for all together.
pub fn client_addr(
    headers: &HeaderMap,
    connect_info: Option<SocketAddr>,
    trust_proxy: bool,
) -> IpAddr {
    if trust_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .next_back();
        if let Some(addr) = forwarded {
            return addr;
        }
    }
    connect_info.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |s| s.ip())
}

/// The client's address as a handler argument (see [`client_addr`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The key the per-address limits count under: an IPv6 client by its /64 (one household
    /// or phone gets a whole /64), an IPv4 client by its address.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr(client_addr(&parts.headers, peer, trust_proxy())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let peer = Some("10.0.0.2:5000".parse().unwrap());
        assert_eq!(
            client_addr(&headers, peer, false),
            "10.0.0.2".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_addr(&headers, peer, true),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_addr(&HeaderMap::new(), None, true),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let a = ClientAddr("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientAddr("2001:db8:1:2:bbbb::9".parse().unwrap());
        assert_eq!(a.key(), b.key());
    }
}
