//! The notification options of `ticketd serve`: SMTP, webhook timeouts and the dispatcher's pace.

use std::time::Duration;

use clap::Args;

use super::defaults::{self, defaults};
use crate::app::DeliveryOptions;

/// Notification options of `ticketd serve`.
#[derive(Clone, Args)]
pub struct DeliveryArgs {
    /// SMTP server notification e-mail goes through: `smtp://[user:password@]host[:port]`
    /// (plain, for local relays; add `?tls=required` for STARTTLS) or `smtps://…` (TLS).
    /// Without it, no e-mail is queued.
    #[arg(long, env = "TICKETD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of notification e-mail.
    #[arg(long, env = "TICKETD_SMTP_FROM", default_value_t = defaults().delivery.smtp_from)]
    pub smtp_from: String,
    /// How long one SMTP or webhook delivery may take (e.g. 10s).
    #[arg(long, env = "TICKETD_DELIVERY_TIMEOUT", default_value = defaults::duration(defaults().delivery.delivery_timeout), value_parser = parse_std_duration)]
    pub delivery_timeout: Duration,
    /// Attempts before a failing delivery is parked as dead.
    #[arg(long, env = "TICKETD_OUTBOX_MAX_ATTEMPTS", default_value_t = defaults().delivery.outbox_max_attempts)]
    pub outbox_max_attempts: u32,
    /// The wait after a delivery's first failure; it doubles with each further one (with jitter).
    #[arg(long, env = "TICKETD_OUTBOX_RETRY_BASE", default_value = defaults::duration(defaults().delivery.outbox_retry_base), value_parser = parse_std_duration)]
    pub outbox_retry_base: Duration,
    /// The longest wait between two attempts.
    #[arg(long, env = "TICKETD_OUTBOX_RETRY_MAX", default_value = defaults::duration(defaults().delivery.outbox_retry_max), value_parser = parse_std_duration)]
    pub outbox_retry_max: Duration,
    /// How long a claimed delivery stays with its worker; a crashed instance's claims free up after it.
    #[arg(long, env = "TICKETD_OUTBOX_LEASE", default_value = defaults::duration(defaults().delivery.outbox_lease), value_parser = parse_std_duration)]
    pub outbox_lease: Duration,
    /// HTTP SMS gateway `/SendSms` texts are POSTed to (JSON, signed like webhooks).
    #[arg(long, env = "TICKETD_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,
    /// The key SMS gateway requests are signed with.
    #[arg(long, env = "TICKETD_SMS_GATEWAY_SECRET", hide_env_values = true, default_value_t = defaults().delivery.sms_gateway_secret)]
    pub sms_gateway_secret: String,
    /// Serve the API without delivering notifications (another instance delivers them).
    #[arg(long, env = "TICKETD_NO_DISPATCH")]
    pub no_dispatch: bool,
    /// Allow webhook targets on loopback, private, link-local and other internal addresses
    /// (on-premise receivers); refused by default.
    #[arg(long, env = "TICKETD_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// Consecutive failed deliveries after which a webhook turns TooManyErrors and stops.
    #[arg(long, env = "TICKETD_WEBHOOK_ERROR_LIMIT", default_value_t = defaults().delivery.webhook_error_limit, value_parser = clap::value_parser!(u32).range(1..))]
    pub webhook_error_limit: u32,
}

impl std::fmt::Debug for DeliveryArgs {
    /// Leaves out the SMTP URL and the SMS gateway's key, as the options it turns into do.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.options(), f)
    }
}

impl DeliveryArgs {
    pub fn options(&self) -> DeliveryOptions {
        DeliveryOptions {
            smtp_url: self.smtp_url.clone(),
            smtp_from: self.smtp_from.clone(),
            delivery_timeout: self.delivery_timeout,
            outbox_max_attempts: self.outbox_max_attempts,
            outbox_retry_base: self.outbox_retry_base,
            outbox_retry_max: self.outbox_retry_max,
            outbox_lease: self.outbox_lease,
            sms_gateway_url: self.sms_gateway_url.clone(),
            sms_gateway_secret: self.sms_gateway_secret.clone(),
            no_dispatch: self.no_dispatch,
            webhook_allow_private: self.webhook_allow_private,
            webhook_error_limit: self.webhook_error_limit,
        }
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
    fn durations_take_milliseconds_and_larger_units() {
        assert_eq!(parse_std_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_std_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_std_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_std_duration("0ms").is_err());
        assert!(parse_std_duration("soon").is_err());
    }
}
