//! Messages sent out of the help desk on request (`/Send`, `/SendSms`): what is sent to whom,
//! and the checks on the addresses they go to (e-mail addresses and mobile numbers).

use serde::{Deserialize, Serialize};

/// An e-mail of a ticket message to customers, as queued by `/Send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutgoingMail {
    pub ticket_message_id: i32,
    pub ticket_id: i32,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub html_body: String,
    /// Attachments of the message that have stored content, by id.
    pub attachment_ids: Vec<i32>,
}

/// A text message of a ticket message to one mobile number, as queued by `/SendSms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutgoingSms {
    pub ticket_message_id: i32,
    pub to: String,
    pub text: String,
}

/// The longest text an SMS gateway is handed (ten concatenated GSM parts).
pub const SMS_TEXT_LIMIT: usize = 1530;

/// Checks an e-mail address the way the sending will read it (lettre's parser, which the
/// mailer uses too); the canonical form on success, the parser's reason on failure.
pub fn parse_email_address(text: &str) -> Result<String, String> {
    text.trim().parse::<lettre::Address>().map(|address| address.to_string()).map_err(|err| err.to_string())
}

/// A mobile number in international form: `+` and 7 to 15 digits, after dropping spaces,
/// hyphens, dots and parentheses; a leading `00` counts as `+`.
pub fn normalize_phone(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00"))?;
    let valid =
        (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

/// The text an SMS carries: the message's plain body, whitespace collapsed, cut to the limit.
pub fn sms_text(body: &str) -> String {
    let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(SMS_TEXT_LIMIT) {
        Some((cut, _)) => collapsed[..cut].to_owned(),
        None => collapsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_international() {
        assert_eq!(normalize_phone("+47 111 11 111").as_deref(), Some("+4711111111"));
        assert_eq!(normalize_phone("0047-22222222").as_deref(), Some("+4722222222"));
        assert_eq!(normalize_phone("+1 (555) 010-9999").as_deref(), Some("+15550109999"));
        for bad in ["", "12345678", "+47", "+47abc12345", "+0471234567", "+1234567890123456", "quia"] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn email_addresses_are_trimmed_and_checked() {
        assert_eq!(parse_email_address(" ola@example.com ").as_deref(), Ok("ola@example.com"));
        for bad in ["", "ola", "ola@", "@example.com", "ola nordmann@example.com"] {
            assert!(parse_email_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sms_text_is_collapsed_and_cut() {
        assert_eq!(sms_text("Hei\n\n  der"), "Hei der");
        assert_eq!(sms_text(&"æ".repeat(2000)).chars().count(), SMS_TEXT_LIMIT);
    }
}
