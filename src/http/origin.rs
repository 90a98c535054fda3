//! Where a request came from — client address, scheme and host — resolved once per request:
//! from the socket and the `Host` header, or, when the socket peer is a trusted reverse proxy
//! (`--trusted-proxy`), from `X-Forwarded-For`/`-Proto`/`-Host` or `Forwarded`. Links, the
//! `Secure` cookie decision, the failure limits and the log line all read it from here.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::auth::ClientAddr;
use crate::error::ApiError;

/// The networks whose connections may speak for the client in forwarding headers.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// Parses one `--trusted-proxy` entry: a CIDR block, or a single address.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    IpNet::from_str(text)
        .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
        .map_err(|_| format!("'{text}' is neither a CIDR block (10.0.0.0/8, fd00::/8) nor an IP address"))
}

/// The request's origin as the client saw it.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The client's address: the socket peer, or whom a trusted proxy forwarded for.
    pub client: Option<IpAddr>,
    /// Whether the client used HTTPS (only a trusted proxy can say so).
    pub https: bool,
    /// The host and port the client addressed, or the header that named an invalid one.
    host: Result<String, &'static str>,
}

impl Origin {
    /// Works out the origin from the socket peer and the headers.
    pub fn resolve(headers: &HeaderMap, peer: Option<IpAddr>, proxies: &TrustedProxies) -> Self {
        let peer = peer.map(|ip| ip.to_canonical());
        if !peer.is_some_and(|ip| proxies.contains(ip)) {
            return Self { client: peer, https: false, host: host_of(headers, None) };
        }
        let elements = forwarded_elements(headers);
        let param = |name: &str| elements.iter().rev().find_map(|element| pair(element, name));
        let client = match list(headers, "x-forwarded-for") {
            Some(hops) => nearest_untrusted(&hops, peer, proxies),
            None => {
                let hops: Vec<String> = elements.iter().filter_map(|e| pair(e, "for")).collect();
                nearest_untrusted(&hops, peer, proxies)
            }
        };
        let proto = list(headers, "x-forwarded-proto").and_then(|v| v.last().cloned()).or_else(|| param("proto"));
        let host = match list(headers, "x-forwarded-host").and_then(|v| v.last().cloned()) {
            Some(host) => checked(&host, "X-Forwarded-Host"),
            None => host_of(headers, param("host").map(|h| checked(&h, "Forwarded"))),
        };
        Self { client, https: proto.is_some_and(|p| p.eq_ignore_ascii_case("https")), host }
    }

    /// `scheme://host[:port]` as the client addressed this server; a 400 naming the header
    /// when the host is not a hostname or IP literal with an optional port.
    pub fn base_url(&self) -> Result<String, ApiError> {
        let scheme = if self.https { "https" } else { "http" };
        match &self.host {
            Ok(host) => Ok(format!("{scheme}://{host}")),
            Err(header) => Err(ApiError::invalid(format!(
                "The {header} header must be a host name or IP address with an optional port"
            ))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<Origin>() {
            Some(origin) => origin.clone(),
            None => Origin::resolve(&parts.headers, peer(parts), &TrustedProxies::default()),
        })
    }
}

fn peer(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Resolves the origin once, for the handlers, the authenticator and the request's log line.
pub async fn resolve(State(proxies): State<Arc<TrustedProxies>>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let origin = Origin::resolve(&parts.headers, peer(&parts), &proxies);
    if let Some(ip) = origin.client {
        tracing::Span::current().record("client", tracing::field::display(ip));
    }
    parts.extensions.insert(ClientAddr(origin.client));
    parts.extensions.insert(origin);
    next.run(Request::from_parts(parts, body)).await
}

/// The `Host` header checked, unless a trusted proxy's `Forwarded` named the host.
fn host_of(headers: &HeaderMap, forwarded: Option<Result<String, &'static str>>) -> Result<String, &'static str> {
    if let Some(host) = forwarded {
        return host;
    }
    match headers.get("host") {
        Some(value) => value.to_str().map_err(|_| "Host").and_then(|host| checked(host, "Host")),
        None => Ok("localhost".into()),
    }
}

fn checked(host: &str, header: &'static str) -> Result<String, &'static str> {
    let host = host.trim();
    if is_host(host) { Ok(host.to_owned()) } else { Err(header) }
}

/// A hostname or IP literal (`[…]` for IPv6) with an optional port, and nothing else.
fn is_host(text: &str) -> bool {
    let (name_ok, port) = match text.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, after)) => (v6.parse::<Ipv6Addr>().is_ok(), after),
            None => return false,
        },
        None => {
            let end = text.find(':').unwrap_or(text.len());
            (is_hostname(&text[..end]), &text[end..])
        }
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| {
            (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()
        });
    name_ok && port_ok
}

fn is_hostname(name: &str) -> bool {
    (1..=253).contains(&name.len())
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The comma-separated values of every `name` header line, in order; `None` without the header.
fn list(headers: &HeaderMap, name: &str) -> Option<Vec<String>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    Some(
        values
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

/// Walks the forwarded-for chain from the nearest hop: the first address that is not a trusted
/// proxy is the client. A hop that is no address (`unknown`, an obfuscated name) ends the walk
/// at the last trusted hop, whose word is all there is.
fn nearest_untrusted(hops: &[String], peer: Option<IpAddr>, proxies: &TrustedProxies) -> Option<IpAddr> {
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = node_address(hop) else { return client };
        client = Some(ip);
        if !proxies.contains(ip) {
            break;
        }
    }
    client
}

/// The address in a forwarded node: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`, `[2001:db8::1]:80`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    let ip = IpAddr::from_str(node).ok().or_else(|| SocketAddr::from_str(node).ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

/// The elements of every `Forwarded` header line (RFC 7239), commas inside quotes kept.
fn forwarded_elements(headers: &HeaderMap) -> Vec<String> {
    let mut elements = Vec::new();
    for value in headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()) {
        let mut current = String::new();
        let mut quoted = false;
        for c in value.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => elements.push(std::mem::take(&mut current)),
                _ => {}
            }
            if c != ',' || quoted {
                current.push(c);
            }
        }
        elements.push(current);
    }
    elements
}

/// The value of `name=` in one `Forwarded` element, unquoted.
fn pair(element: &str, name: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|n| parse_network(n).unwrap()).collect())
    }

    const PROXY: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn forwarding_headers_count_only_from_trusted_peers() {
        let sent = headers(&[
            ("host", "inner:8080"),
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "tickets.example.com"),
        ]);
        let direct = Origin::resolve(&sent, PROXY, &proxies(&[]));
        assert_eq!((direct.client, direct.base_url().unwrap()), (PROXY, "http://inner:8080".into()));
        let proxied = Origin::resolve(&sent, PROXY, &proxies(&["127.0.0.0/8"]));
        assert_eq!(proxied.client, Some("203.0.113.9".parse().unwrap()));
        assert_eq!(proxied.base_url().unwrap(), "https://tickets.example.com");
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9"), ("x-forwarded-for", "10.1.2.3")]);
        assert_eq!(Origin::resolve(&chain, PROXY, &trusted).client, Some("203.0.113.9".parse().unwrap()));
        let rfc = headers(&[("forwarded", r#"for=198.51.100.1;proto=http, for="[2001:db8::1]:4711";proto=https"#)]);
        let origin = Origin::resolve(&rfc, PROXY, &trusted);
        assert_eq!((origin.client, origin.https), (Some("2001:db8::1".parse().unwrap()), true));
        let hidden = headers(&[("x-forwarded-for", "198.51.100.1, unknown")]);
        assert_eq!(Origin::resolve(&hidden, PROXY, &trusted).client, PROXY);
    }

    #[test]
    fn only_host_names_and_ip_literals_with_a_port_are_hosts() {
        for good in ["localhost", "a.example.com:8443", "192.0.2.1:80", "[::1]:8080", "[2001:db8::1]", "svc_1"] {
            assert!(is_host(good), "{good}");
        }
        for bad in ["", "evil\"<x>", "a b", "a/b", "a:99999", "a:", "[::1", "::1", "a..b", "a@b", "a:80:80", "[x]"] {
            assert!(!is_host(bad), "{bad}");
        }
        let hostile = headers(&[("host", "a/b")]);
        let error = Origin::resolve(&hostile, PROXY, &proxies(&[])).base_url().unwrap_err();
        assert!(error.message.contains("Host"), "{}", error.message);
    }
}
