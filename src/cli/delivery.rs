//! The notification options of `ticketd serve`: SMTP, webhook timeouts and the dispatcher's pace.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::domain::notification::ChannelSet;
use crate::notify::{Channels, Dispatcher, DispatcherSettings, Mailer, NotifyHandle, SmtpSettings, WebhookSender};
use crate::store::Store;
use crate::store::outbox::WebhookTarget;

/// Notification options of `ticketd serve`.
#[derive(Clone, Args)]
pub struct DeliveryArgs {
    /// SMTP server notification e-mail goes through: `smtp://[user:password@]host[:port]`
    /// (plain, for local relays; add `?tls=required` for STARTTLS) or `smtps://…` (TLS).
    /// Without it, no e-mail is queued.
    #[arg(long, env = "TICKETD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of notification e-mail.
    #[arg(long, env = "TICKETD_SMTP_FROM", default_value = "ticketd <ticketd@localhost>")]
    pub smtp_from: String,
    /// How long one SMTP or webhook delivery may take (e.g. 10s).
    #[arg(long, env = "TICKETD_DELIVERY_TIMEOUT", default_value = "10s", value_parser = parse_std_duration)]
    pub delivery_timeout: Duration,
    /// Attempts before a failing delivery is parked as dead.
    #[arg(long, env = "TICKETD_OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    pub outbox_max_attempts: u32,
    /// The wait after a delivery's first failure; it doubles with each further one (with jitter).
    #[arg(long, env = "TICKETD_OUTBOX_RETRY_BASE", default_value = "5s", value_parser = parse_std_duration)]
    pub outbox_retry_base: Duration,
    /// The longest wait between two attempts.
    #[arg(long, env = "TICKETD_OUTBOX_RETRY_MAX", default_value = "1h", value_parser = parse_std_duration)]
    pub outbox_retry_max: Duration,
    /// How long a claimed delivery stays with its worker; a crashed instance's claims free up after it.
    #[arg(long, env = "TICKETD_OUTBOX_LEASE", default_value = "2m", value_parser = parse_std_duration)]
    pub outbox_lease: Duration,
    /// HTTP SMS gateway `/SendSms` texts are POSTed to (JSON, signed like webhooks).
    #[arg(long, env = "TICKETD_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,
    /// The key SMS gateway requests are signed with.
    #[arg(long, env = "TICKETD_SMS_GATEWAY_SECRET", hide_env_values = true, default_value = "")]
    pub sms_gateway_secret: String,
    /// Serve the API without delivering notifications (another instance delivers them).
    #[arg(long, env = "TICKETD_NO_DISPATCH")]
    pub no_dispatch: bool,
}

impl std::fmt::Debug for DeliveryArgs {
    /// Leaves out the SMTP URL (it may carry a password) and the SMS gateway's key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryArgs")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("smtp_from", &self.smtp_from)
            .field("delivery_timeout", &self.delivery_timeout)
            .field("outbox_max_attempts", &self.outbox_max_attempts)
            .field("outbox_retry_base", &self.outbox_retry_base)
            .field("outbox_retry_max", &self.outbox_retry_max)
            .field("outbox_lease", &self.outbox_lease)
            .field("sms_gateway_url", &self.sms_gateway_url.as_deref().map(crate::notify::redact::text))
            .field("sms_gateway_secret", &"<redacted>")
            .field("no_dispatch", &self.no_dispatch)
            .finish()
    }
}

impl Default for DeliveryArgs {
    /// The command line's defaults.
    fn default() -> Self {
        Self {
            smtp_url: None,
            smtp_from: "ticketd <ticketd@localhost>".into(),
            delivery_timeout: Duration::from_secs(10),
            outbox_max_attempts: 8,
            outbox_retry_base: Duration::from_secs(5),
            outbox_retry_max: Duration::from_secs(3600),
            outbox_lease: Duration::from_secs(120),
            sms_gateway_url: None,
            sms_gateway_secret: String::new(),
            no_dispatch: false,
        }
    }
}

impl DeliveryArgs {
    /// The handle request handlers use, with the channels these options turn on.
    pub fn handle(&self) -> NotifyHandle {
        NotifyHandle::new(ChannelSet { email: self.smtp_url.is_some() })
    }

    /// The dispatcher these options describe, or `None` with `--no-dispatch`.
    pub fn dispatcher(&self, store: Arc<dyn Store>, handle: NotifyHandle) -> Result<Option<Dispatcher>, String> {
        if self.no_dispatch {
            return Ok(None);
        }
        let mailer = match &self.smtp_url {
            Some(url) => Some(Mailer::new(&SmtpSettings {
                url: url.clone(),
                from: self.smtp_from.clone(),
                timeout: self.delivery_timeout,
            })?),
            None => None,
        };
        let settings = DispatcherSettings {
            max_attempts: self.outbox_max_attempts.max(1),
            retry_base: self.outbox_retry_base,
            retry_cap: self.outbox_retry_max.max(self.outbox_retry_base),
            // A claim must outlast its whole batch (a batch is delivered in up to four rounds),
            // or a slow receiver would be handed to a second worker.
            lease: self.outbox_lease.max(self.delivery_timeout * 6),
            ..DispatcherSettings::default()
        };
        let webhooks = WebhookSender::new(self.delivery_timeout)?;
        let sms_gateway = self.sms_gateway_url.as_ref().map(|url| WebhookTarget {
            id: 0,
            url: url.clone(),
            secret: self.sms_gateway_secret.clone(),
        });
        Dispatcher::new(store, settings, handle, Channels { mailer, webhooks, sms_gateway }).map(Some)
    }
}

/// Parses `250ms`, `10s`, `5m`, `2h` or `1d` (a bare number is seconds).
pub fn parse_std_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if let Some(millis) = trimmed.strip_suffix("ms") {
        return millis
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis)
            .ok_or_else(|| format!("'{text}' is not a duration like 250ms, 10s, 5m or 2h"));
    }
    let duration = crate::auth::secrets::parse_duration(trimmed)?;
    duration.to_std().map_err(|_| format!("'{text}' is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_leaves_secrets_out() {
        let args = DeliveryArgs {
            smtp_url: Some("smtp://user:hunter2@mail.example.com".into()),
            sms_gateway_secret: "gateway-key".into(),
            ..DeliveryArgs::default()
        };
        let text = format!("{args:?}");
        assert!(!text.contains("hunter2") && !text.contains("gateway-key"), "{text}");
    }

    #[test]
    fn every_serve_option_holding_a_secret_is_redacted() {
        let mut args = crate::cli::ServeArgs::new(
            "127.0.0.1:0".parse().expect("address"),
            "postgres://ticketd:db-password@db.example.com/ticketd?sslpassword=ssl-secret",
        );
        args.auth.jwt_hs256_secret = Some("jwt-secret-of-at-least-thirty-two-bytes".into());
        args.delivery.smtp_url = Some("smtps://mailer:smtp-password@mail.example.com".into());
        args.delivery.sms_gateway_url = Some("https://sms:gw-password@sms.example.com/send?token=gw-token".into());
        args.delivery.sms_gateway_secret = "gateway-key".into();
        let target = crate::store::outbox::WebhookTarget {
            id: 1,
            url: "http://hook:hook-password@hooks.example.com/?key=hook-key".into(),
            secret: "whsec_signing".into(),
        };
        let jwt =
            crate::auth::jwt::JwtSettings { hs256_secret: Some("jwt-settings-secret".into()), ..Default::default() };
        let auth = crate::auth::AuthSettings { jwt: jwt.clone(), ..Default::default() };
        for text in
            [format!("{args:?}"), format!("{args:#?}"), format!("{target:?}"), format!("{jwt:?}"), format!("{auth:?}")]
        {
            for secret in [
                "db-password",
                "ssl-secret",
                "jwt-secret",
                "smtp-password",
                "gw-password",
                "gw-token",
                "gateway-key",
                "hook-password",
                "hook-key",
                "whsec_signing",
                "jwt-settings-secret",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        assert!(format!("{args:?}").contains("db.example.com"), "the rest stays readable");
    }

    #[test]
    fn durations_take_milliseconds_and_larger_units() {
        assert_eq!(parse_std_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_std_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_std_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_std_duration("0ms").is_err());
        assert!(parse_std_duration("soon").is_err());
    }
}
