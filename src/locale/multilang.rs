//! The vendor's multi-language values, `NO:"Leverandør";US:"Supplier"`: pairs of a vendor
//! language code and a quoted text (a `"` inside is doubled), separated by `;`. The picker falls
//! back from the requested language to `US`, then to the first pair. Anything else is plain text.

use super::language::Language;

/// The pairs of a multi-language value, or `None` when `text` is not one.
pub fn parse(text: &str) -> Option<Vec<(&str, String)>> {
    let mut pairs = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (code, after) = rest.split_once(':')?;
        let code = code.trim();
        if code.is_empty() || code.len() > 5 || !code.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
            return None;
        }
        let mut chars = after.trim_start().strip_prefix('"')?.char_indices().peekable();
        let body_start = after.len() - after.trim_start().len() + 1;
        let mut value = String::new();
        let mut end = None;
        while let Some((at, ch)) = chars.next() {
            if ch == '"' {
                if chars.peek().is_some_and(|(_, next)| *next == '"') {
                    chars.next();
                    value.push('"');
                } else {
                    end = Some(body_start + at + 1);
                    break;
                }
            } else {
                value.push(ch);
            }
        }
        pairs.push((code, value));
        rest = after[end?..].trim_start();
        rest = match rest.strip_prefix(';') {
            Some(next) => next.trim_start(),
            None if rest.is_empty() => rest,
            None => return None,
        };
    }
    (!pairs.is_empty()).then_some(pairs)
}

/// The text for `language`: its own pair, else `US`, else the first; plain text is returned as is.
pub fn pick(text: &str, language: Language) -> String {
    let Some(pairs) = parse(text) else { return text.to_owned() };
    let find = |code: &str| pairs.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, v)| v.clone());
    find(language.vendor_code()).or_else(|| find("US")).unwrap_or_else(|| pairs[0].1.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_with_the_documented_fallbacks() {
        let value = r#"NO:"Leverandør";US:"Supplier""#;
        assert_eq!(pick(value, Language::Norwegian), "Leverandør");
        assert_eq!(pick(value, Language::English), "Supplier");
        assert_eq!(pick(value, Language::German), "Supplier", "falls back to US");
        assert_eq!(pick(r#"NO:"Hei";SE:"Hej""#, Language::French), "Hei", "then to the first pair");
        assert_eq!(pick(r#"no:"a""b" ; us:"c""#, Language::Norwegian), "a\"b");
    }

    #[test]
    fn plain_and_broken_text_is_left_alone() {
        for text in ["Supplier", "", "NO:Leverandør", r#"NO:"open"#, r#"NO:"a" US:"b""#, "Kl. 12:30", r#"http://x:"y""#]
        {
            assert_eq!(pick(text, Language::English), text, "{text}");
        }
    }
}
