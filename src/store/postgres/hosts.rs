//! The libpq multi-host URL form (`postgres://u@host1:5432,host2:5433/db?target_session_attrs=read-write`),
//! which sqlx does not parse itself: split into one set of connect options per host.

use sqlx::postgres::PgConnectOptions;

use crate::store::StoreError;

/// Which session a host must offer to be used (libpq's `target_session_attrs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAttrs {
    /// Any host that accepts a connection.
    Any,
    /// A host whose sessions can write: a primary, not a standby.
    ReadWrite,
}

/// The hosts a URL names, in its order, each with the URL's user, database and parameters.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub options: Vec<PgConnectOptions>,
    /// `host:port` of each, for the log (never the password).
    pub names: Vec<String>,
    pub attrs: SessionAttrs,
}

impl Hosts {
    /// Parses a `postgres://` URL with one or several comma-separated hosts.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let invalid = |why: String| StoreError::Database(sqlx::Error::Configuration(why.into()));
        let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("the database URL has no '://'".into()))?;
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (userinfo, hostlist) = match authority.rsplit_once('@') {
            Some((user, hosts)) => (format!("{user}@"), hosts),
            None => (String::new(), authority),
        };
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        let (attrs, query) = take_session_attrs(query).map_err(invalid)?;
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        let mut hosts = Self { options: Vec::new(), names: Vec::new(), attrs };
        for host in hostlist.split(',') {
            if host.is_empty() {
                return Err(invalid("the database URL names an empty host (two commas, or a trailing one)".into()));
            }
            let one: PgConnectOptions = format!("{scheme}://{userinfo}{host}{path}{query}").parse()?;
            hosts.names.push(format!("{}:{}", one.get_host(), one.get_port()));
            hosts.options.push(one);
        }
        Ok(hosts)
    }
}

/// Takes `target_session_attrs` out of a query string: sqlx would only warn about it.
fn take_session_attrs(query: &str) -> Result<(SessionAttrs, String), String> {
    let mut attrs = SessionAttrs::Any;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.split_once('=') {
            Some(("target_session_attrs", value)) => {
                attrs = match value {
                    "any" => SessionAttrs::Any,
                    "read-write" | "primary" => SessionAttrs::ReadWrite,
                    other => {
                        return Err(format!(
                            "target_session_attrs '{other}' is not supported; use read-write (or primary) or any"
                        ));
                    }
                }
            }
            _ => kept.push(pair),
        }
    }
    Ok((attrs, kept.join("&")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_host_keeps_the_user_database_and_parameters() {
        let hosts =
            Hosts::parse("postgres://app:pw@db1:5433,db2/ticketd?sslmode=disable&target_session_attrs=read-write")
                .unwrap();
        assert_eq!(hosts.names, ["db1:5433", "db2:5432"]);
        assert_eq!(hosts.attrs, SessionAttrs::ReadWrite);
        for one in &hosts.options {
            assert_eq!(one.get_username(), "app");
            assert_eq!(one.get_database(), Some("ticketd"));
        }
    }

    #[test]
    fn a_single_host_url_is_one_host_with_any_session() {
        let hosts = Hosts::parse("postgresql://postgres@127.0.0.1:6000/t1").unwrap();
        assert_eq!(hosts.names, ["127.0.0.1:6000"]);
        assert_eq!(hosts.attrs, SessionAttrs::Any);
    }

    #[test]
    fn unsupported_session_attrs_and_empty_hosts_are_refused() {
        let err = Hosts::parse("postgres://u@a,b/db?target_session_attrs=standby").unwrap_err();
        assert!(err.to_string().contains("target_session_attrs 'standby'"), "{err}");
        let err = Hosts::parse("postgres://u@a,,b/db").unwrap_err();
        assert!(err.to_string().contains("empty host"), "{err}");
    }
}
