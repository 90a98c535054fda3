//! Takes credentials out of URLs before they reach a log line, a stored delivery error or a
//! `Debug` rendering: the `user:password@` part, and the values of query parameters that
//! usually carry a key (`token=`, `key=`, `secret=` …).

/// Query parameters whose values are treated as secrets (matched without regard to case, also
/// at the end of a longer name, as in `api_key`, `access_token` or `sslpassword`).
const SECRET_PARAMETERS: &[&str] =
    &["token", "key", "apikey", "secret", "password", "passwd", "pwd", "sig", "signature", "auth", "code"];

/// What replaces a removed secret.
const REDACTED: &str = "REDACTED";

/// `text` with the userinfo of every URL in it removed and secret query values replaced.
pub fn text(text: &str) -> String {
    redact_query_values(&strip_userinfo(text))
}

/// Removes `user:password@` after every `://`.
fn strip_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("://") {
        out.push_str(before);
        out.push_str("://");
        let authority_end = after.find(|c: char| ends_authority(c)).unwrap_or(after.len());
        let (authority, tail) = after.split_at(authority_end);
        match authority.rsplit_once('@') {
            Some((_, host)) => out.push_str(host),
            None => out.push_str(authority),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn ends_authority(c: char) -> bool {
    matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`' | ')' | ',') || c.is_whitespace()
}

/// Replaces the value of every `?name=` / `&name=` whose name looks like a secret.
fn redact_query_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['?', '&']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let Some(separator) = from.chars().next() else { break };
        out.push(separator);
        let parameter = &from[separator.len_utf8()..];
        let name_end = parameter.find(|c: char| c == '=' || ends_value(c)).unwrap_or(parameter.len());
        let (name, after_name) = parameter.split_at(name_end);
        out.push_str(name);
        rest = match after_name.strip_prefix('=') {
            Some(value) if is_secret_name(name) => {
                out.push('=');
                out.push_str(REDACTED);
                &value[value.find(ends_value).unwrap_or(value.len())..]
            }
            _ => after_name,
        };
    }
    out.push_str(rest);
    out
}

fn ends_value(c: char) -> bool {
    matches!(c, '&' | '#' | '"' | '\'' | '<' | '>' | '`' | ')' | ',' | '?') || c.is_whitespace()
}

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    // Short words only count whole (or after `_`/`-`), so `monkey=` is not taken for a key.
    SECRET_PARAMETERS.iter().any(|secret| {
        name.strip_suffix(secret)
            .is_some_and(|prefix| secret.len() >= 5 || prefix.is_empty() || prefix.ends_with(['_', '-']))
    })
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn userinfo_and_secret_parameters_are_removed() {
        let cases = [
            ("http://user:secret@127.0.0.1:9/hook", "http://127.0.0.1:9/hook"),
            ("POST https://a:b@c@example.com?x=1 failed", "POST https://example.com?x=1 failed"),
            ("smtp://mailer:pa%40ss@relay:25", "smtp://relay:25"),
            ("https://h/p?token=abc&keep=1&api_key=xyz#f", "https://h/p?token=REDACTED&keep=1&api_key=REDACTED#f"),
            (
                "error sending request for url (http://u:p@h/) : refused",
                "error sending request for url (http://h/) : refused",
            ),
            ("no url here: a@b and ?x & y", "no url here: a@b and ?x & y"),
            ("https://h/?Signature=1&monkey=2", "https://h/?Signature=REDACTED&monkey=2"),
            ("ünïcödé://ü:ß@ĥost/ä?këy=ö", "ünïcödé://ĥost/ä?këy=ö"),
        ];
        for (raw, redacted) in cases {
            assert_eq!(text(raw), redacted, "{raw}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_handled(raw in "\\PC{0,60}") {
            let _ = text(&raw);
        }
    }
}
