//! Who is asking: the client's network address, for the limits that hold per address (order
//! look-ups and anonymous orders).
//!
//! The address is the socket's peer, as `main.rs` serves the router with connection info. A
//! reverse proxy's `X-Forwarded-For` is believed only from the proxies the operator names
//! (`--trusted-proxy`, the same setting sign-in throttling uses: [`crate::limits::TrustedProxies`]);
//! otherwise anyone could name any address and dodge every per-address limit.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

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

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = Infallible;

    /// The socket's peer, or the client a trusted proxy names; without connection info (a
    /// router driven in process) every request shares the unspecified address, so limits still
    /// hold, for all together.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = state.trusted_proxies.client(peer, &forwarded);
        Ok(ClientAddr(
            client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let a = ClientAddr("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientAddr("2001:db8:1:2:bbbb::9".parse().unwrap());
        assert_eq!(a.key(), b.key());
    }
}
