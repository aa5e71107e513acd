//! Where a phone may send a PIN and a producer's data: the server's address is checked before
//! any request leaves the phone.
//!
//! `https://` goes anywhere (the certificate is checked as `tls.rs` says). Plain `http://` is
//! refused unless it stays on this machine or a local network: a loopback address or
//! `localhost` (a laptop running `sentra` beside its own server), a private IPv4 range
//! (10/8, 172.16/12, 192.168/16: a facilitator's laptop on the village hotspot, the Android
//! emulator's 10.0.2.2), link-local, or an IPv6 unique-local address. A host name over plain
//! HTTP could be anyone's; a typo of `https` would send the PIN in the clear. The Android
//! manifest's cleartext setting cannot stop this: the core's HTTP client is native code and
//! never asks it.

use crate::error::{Error, Result, Rule};
use std::net::IpAddr;

/// Checks a server address the user typed; `server_url` is the field named in the error.
pub fn check(url: &str) -> Result<()> {
    let parsed =
        reqwest::Url::parse(url.trim()).map_err(|_| Error::field("server_url", Rule::ServerUrl))?;
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        _ if host.is_empty() => Err(Error::field("server_url", Rule::ServerUrl)),
        "https" => Ok(()),
        "http" if host.eq_ignore_ascii_case("localhost") => Ok(()),
        "http" => match host.trim_start_matches('[').trim_end_matches(']').parse() {
            Ok(ip) if stays_local(ip) => Ok(()),
            _ => Err(Error::field("server_url", Rule::Https)),
        },
        _ => Err(Error::field("server_url", Rule::ServerUrl)),
    }
}

fn stays_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(url: &str) -> Option<&'static str> {
        check(url).err().map(|e| e.fields()[0].rule.as_str())
    }

    #[test]
    fn https_anywhere_and_plain_http_only_on_this_machine_or_a_local_network() {
        for fine in [
            "https://sentra.id",
            "https://sentra.id:8443/",
            "https://203.0.113.7",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://10.0.2.2:8080",
            "http://192.168.43.1:8080",
            "http://172.20.0.5",
            "http://169.254.10.1",
            "http://[::1]:8080",
            "http://[fd00::5]:8080",
            " https://sentra.id ",
        ] {
            assert_eq!(rule(fine), None, "{fine}");
        }
        for clear in [
            "http://sentra.id",
            "http://203.0.113.7:8080",
            "http://172.32.0.1",
            "http://8.8.8.8",
            "http://[2001:db8::1]",
            "http://localhost.sentra.id",
        ] {
            assert_eq!(rule(clear), Some("https"), "{clear}");
        }
        for broken in [
            "",
            "sentra.id",
            "ftp://sentra.id",
            "https://",
            "http//sentra.id",
        ] {
            assert_eq!(rule(broken), Some("server_url"), "{broken}");
        }
    }
}
