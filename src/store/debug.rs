//! `Debug` for the store's records that hold a secret or a password hash: they print
//! everything but that, so a record in a log line or a panic message leaks nothing.

use std::fmt::{Debug, Formatter, Result};

use super::outbox::WebhookInfo;
use super::{AssociateChange, NewAssociate, NewSecret, StoredSecret};
use crate::notify::redact;

const REDACTED: &str = "<redacted>";

impl Debug for NewSecret {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.debug_struct("NewSecret")
            .field("kind", &self.kind)
            .field("associate_id", &self.associate_id)
            .field("name", &self.name)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Debug for StoredSecret {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.debug_struct("StoredSecret")
            .field("associate_id", &self.associate_id)
            .field("name", &self.name)
            .field("scope", &self.scope)
            .field("xsrf_token", &REDACTED)
            .field("expires_at", &self.expires_at)
            .field("revoked", &self.revoked)
            .finish()
    }
}

impl Debug for AssociateChange {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        match self {
            Self::PasswordHash(_) => f.debug_tuple("PasswordHash").field(&REDACTED).finish(),
            Self::Disabled(disabled) => f.debug_tuple("Disabled").field(disabled).finish(),
            Self::Role(role) => f.debug_tuple("Role").field(role).finish(),
        }
    }
}

impl Debug for NewAssociate {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.debug_struct("NewAssociate")
            .field("login", &self.login)
            .field("password_hash", &REDACTED)
            .field("full_name", &self.full_name)
            .field("email", &self.email)
            .field("person_id", &self.person_id)
            .field("user_type", &self.user_type)
            .field("role", &self.role)
            .field("language", &self.language)
            .finish()
    }
}

impl Debug for WebhookInfo {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.debug_struct("WebhookInfo")
            .field("id", &self.id)
            .field("url", &redact::text(&self.url))
            .field("events", &self.events)
            .field("active", &self.active)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_hashes_are_left_out() {
        let secret = NewSecret {
            hash: "stored-digest".into(),
            kind: crate::store::SecretKind::Session,
            associate_id: Some(1),
            name: String::new(),
            scope: Default::default(),
            xsrf_token: "xsrf-value".into(),
            expires_at: None,
        };
        let stored = StoredSecret {
            associate_id: Some(1),
            name: String::new(),
            scope: Default::default(),
            xsrf_token: "xsrf-value".into(),
            expires_at: None,
            revoked: false,
        };
        let associate =
            NewAssociate { login: "kari".into(), password_hash: "$argon2id$hash".into(), ..Default::default() };
        let change = AssociateChange::PasswordHash("$argon2id$hash".into());
        let hook = WebhookInfo {
            id: 1,
            url: "https://u:hook-password@h/?token=hook-token".into(),
            events: "*".into(),
            active: true,
        };
        for text in [
            format!("{secret:?}"),
            format!("{stored:?}"),
            format!("{associate:?}"),
            format!("{change:?}"),
            format!("{hook:?}"),
        ] {
            for leak in ["stored-digest", "xsrf-value", "$argon2id$hash", "hook-password", "hook-token"] {
                assert!(!text.contains(leak), "{leak} in {text}");
            }
        }
    }
}
