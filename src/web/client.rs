//! Who is asking: the client's address, from the connection or, behind a trusted reverse proxy,
//! from its `X-Forwarded-For`.

use crate::web::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The client's address, as far as it can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The server always records the peer; a router used without it (a unit test) is one
        // unknown client.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(resolve(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        )))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy, else the nearest
/// address in `X-Forwarded-For` (read right to left, each proxy appending the one it saw) that
/// is not a trusted proxy. Addresses a client wrote itself sit further left and are never
/// reached while an untrusted one is in the way.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(value) = value.to_str() else {
            return client;
        };
        for hop in value.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if is_trusted(&ip) => client = ip,
                Ok(ip) => return ip,
                // Garbage in the header: stop at the last address known good.
                Err(_) => return client,
            }
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = xff(&["198.51.100.9"]);
        // A client cannot name itself.
        assert_eq!(resolve(ip("203.0.113.1"), &h, &trusted), ip("203.0.113.1"));
        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.9"));
        // Nor hide behind an address it wrote before the proxy appended the real one.
        let h = xff(&["1.2.3.4, 198.51.100.9"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.9"));
        // Two proxies, the header split over two lines.
        let h = xff(&["1.2.3.4", "198.51.100.9, 10.0.0.7"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.9"));
        // Garbage: the last good hop.
        let h = xff(&["nonsense"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
        assert_eq!(
            resolve(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
    }
}
