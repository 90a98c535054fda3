//! Keeping webhook targets out of the server's own network: which URLs and addresses a webhook
//! may be sent to, checked when it is registered and again by the resolver every delivery
//! connects through (so a name that later resolves elsewhere cannot pass).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address may not be a webhook target, or `None` when it may.
pub fn forbidden_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (CGNAT)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4).map(|_| "IPv4-mapped private");
    }
    let first = ip.segments()[0];
    let nat64 = ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if first & 0xfe00 == 0xfc00 {
        Some("unique-local")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if nat64 {
        let [.., a, b, c, d] = ip.octets();
        forbidden_v4(Ipv4Addr::new(a, b, c, d)).map(|_| "IPv4-translated private")
    } else {
        None
    }
}

/// Checks a target URL's form: `http` or `https` with a host; an address literal must be
/// allowed. Names are checked when resolved.
pub fn check_url(text: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text.trim()).map_err(|err| format!("TargetUrl '{text}' is not a URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("TargetUrl '{}' must be http or https, not {}", super::redact::text(text), url.scheme()));
    }
    let Some(host) = url.host_str() else {
        return Err(format!("TargetUrl '{}' has no host", super::redact::text(text)));
    };
    let literal = literal_address(host);
    if let Some(ip) = literal.filter(|_| !allow_private) {
        refuse(ip, &super::redact::text(text))?;
    }
    Ok(url)
}

/// The address a URL host names literally (`[::1]` included), or `None` for a name.
fn literal_address(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

fn refuse(ip: IpAddr, what: &str) -> Result<(), String> {
    match forbidden_kind(ip) {
        Some(kind) => Err(format!(
            "TargetUrl '{what}' is or resolves to {ip}, a {kind} address; webhooks may not target the \
             server's own network (see --webhook-allow-private)"
        )),
        None => Ok(()),
    }
}

/// Resolves `host` and fails when any address it has is forbidden.
pub async fn resolve_allowed(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let found: Vec<SocketAddr> =
        tokio::net::lookup_host((host, port)).await.map_err(|err| format!("cannot resolve '{host}': {err}"))?.collect();
    if found.is_empty() {
        return Err(format!("'{host}' has no address"));
    }
    if !allow_private {
        for addr in &found {
            refuse(addr.ip(), host)?;
        }
    }
    Ok(found)
}

/// Checks a target before anything is sent to it: its form, and every address its name has.
pub async fn vet_target(text: &str, allow_private: bool) -> Result<(), String> {
    let url = check_url(text, allow_private)?;
    if let Some(host) = url.host_str().filter(|host| literal_address(host).is_none()) {
        let port = url.port_or_known_default().unwrap_or(80);
        resolve_allowed(host, port, allow_private).await?;
    }
    Ok(())
}

/// The resolver webhook deliveries connect through: it hands the client only allowed
/// addresses, so the address connected to is one that was checked.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = resolve_allowed(&host, 0, allow_private).await?;
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<&'static str> {
        forbidden_kind(text.parse().expect("an address"))
    }

    #[test]
    fn each_kind_of_internal_address_is_refused() {
        for (ip, expected) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("224.0.0.1", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::ffff:10.0.0.1", "IPv4-mapped private"),
            ("64:ff9b::7f00:1", "IPv4-translated private"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "::ffff:93.184.216.34", "100.128.0.1"] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn urls_must_be_http_with_an_allowed_literal() {
        assert!(check_url("ftp://example.com/x", false).unwrap_err().contains("ftp"));
        assert!(check_url("http://[::1]:8080/x", false).unwrap_err().contains("loopback"));
        assert!(check_url("http://127.0.0.1/x", true).is_ok());
        assert!(check_url("https://hooks.example.com/x", false).is_ok());
        assert!(check_url("not a url", false).is_err());
    }
}
