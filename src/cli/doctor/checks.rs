//! The doctor's checks of settings, trust roots, SMTP, JWT keys and the data directory.

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};

use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::{Outcome, redact_url};
use crate::app::{AuthOptions, DeliveryOptions, Settings};
use crate::auth::jwt::JwtVerifier;
use crate::notify::{Mailer, SmtpSettings, WebhookSender};

/// What `serve` would refuse at start beyond the command line parser: the database URL's
/// kind, the SMTP URL and sender, the SMS gateway URL.
pub fn config(args: &Settings) -> Outcome {
    let url = &args.database_url.0;
    let known = ["sqlite:", "postgres:", "postgresql:"];
    if !known.iter().any(|prefix| url.starts_with(prefix)) {
        return Outcome::Fail(format!("--database-url '{}': use sqlite://PATH or postgres://…", redact_url(url)));
    }
    let delivery = &args.delivery;
    if let Some(smtp_url) = &delivery.smtp_url {
        let settings = SmtpSettings {
            url: smtp_url.clone(),
            from: delivery.smtp_from.clone(),
            timeout: delivery.delivery_timeout,
        };
        if let Err(err) = Mailer::new(&settings) {
            return Outcome::Fail(err.replace(smtp_url.as_str(), &redact_url(smtp_url)));
        }
    }
    if let Some(gateway) = &delivery.sms_gateway_url
        && !(gateway.starts_with("http://") || gateway.starts_with("https://"))
    {
        return Outcome::Fail(format!("--sms-gateway-url '{gateway}' is not an http(s) URL"));
    }
    if let Err(err) = WebhookSender::new(delivery.delivery_timeout) {
        return Outcome::Fail(format!("cannot set up the webhook client: {err}"));
    }
    Outcome::Ok(format!(
        "settings are valid (listen {}, database {})",
        args.listen,
        if url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" }
    ))
}

/// Counts the trust roots exactly as the TLS verifier of webhooks and SMTP loads them on
/// Linux (the system store, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when set).
pub fn tls_roots() -> Outcome {
    let loaded = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(loaded.certs);
    let mut notes = Vec::new();
    if ignored > 0 {
        notes.push(format!("{ignored} unparsable ignored"));
    }
    notes.extend(loaded.errors.iter().map(ToString::to_string));
    let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
    let source = match (std::env::var_os("SSL_CERT_FILE"), std::env::var_os("SSL_CERT_DIR")) {
        (None, None) => "the system store".to_owned(),
        _ => "SSL_CERT_FILE/SSL_CERT_DIR".to_owned(),
    };
    if added == 0 {
        return Outcome::Fail(format!(
            "no trusted root certificates in {source}{notes}: HTTPS webhooks and SMTP over TLS would fail \
             certificate verification; install ca-certificates or point SSL_CERT_FILE at a PEM bundle"
        ));
    }
    Outcome::Ok(format!("{added} trusted root certificates from {source}{notes}"))
}

/// Connects to the SMTP server as deliveries would: EHLO, then STARTTLS or TLS as the URL
/// says, and sign-in when it carries credentials.
pub async fn smtp(delivery: &DeliveryOptions) -> Outcome {
    let Some(url) = &delivery.smtp_url else {
        return Outcome::Skip("no --smtp-url: e-mail notifications are off".into());
    };
    crate::notify::install_crypto_provider();
    let shown = redact_url(url);
    let transport: AsyncSmtpTransport<Tokio1Executor> = match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
        Ok(builder) => builder.timeout(Some(delivery.delivery_timeout)).build(),
        Err(err) => return Outcome::Fail(format!("--smtp-url {shown}: {err}")),
    };
    let security = if url.starts_with("smtps:") {
        "TLS"
    } else if url.contains("tls=required") {
        "STARTTLS"
    } else if url.contains("tls=opportunistic") {
        "STARTTLS when offered"
    } else {
        "plain"
    };
    let within = delivery.delivery_timeout + std::time::Duration::from_secs(1);
    match tokio::time::timeout(within, transport.test_connection()).await {
        Ok(Ok(true)) => Outcome::Ok(format!("{shown} answered EHLO ({security})")),
        Ok(Ok(false)) => Outcome::Fail(format!("{shown} connected but did not answer NOOP ({security})")),
        Ok(Err(err)) => Outcome::Fail(format!("{shown} ({security}): {}", describe(&err))),
        Err(_) => Outcome::Fail(format!("{shown} did not answer within {within:?}")),
    }
}

/// An error with its causes (TLS verification failures hide in the source chain).
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// Loads the configured JWT keys as `serve` would.
pub fn jwt(auth: &AuthOptions) -> Outcome {
    let settings = auth.jwt();
    match JwtVerifier::from_settings(&settings) {
        Ok(None) => Outcome::Skip("no JWT key configured: Bearer JWTs are refused".into()),
        Ok(Some(_)) => {
            let mut loaded = Vec::new();
            if auth.jwt_hs256_secret.as_deref().is_some_and(|secret| !secret.is_empty()) {
                loaded.push("HS256 secret".to_owned());
            }
            loaded.extend(auth.jwt_public_key.iter().map(|path| format!("public key {path}")));
            loaded.extend(auth.jwt_jwks.iter().map(|path| format!("JWKS {path}")));
            Outcome::Ok(format!("loaded {}", loaded.join(", ")))
        }
        Err(err) => Outcome::Fail(err),
    }
}

/// The SQLite file's directory: writable (a file is created and removed) with at least
/// `min_free_mib` MiB free.
pub fn data_dir(database_url: &str, min_free_mib: u64) -> Outcome {
    if !database_url.starts_with("sqlite:") {
        return Outcome::Skip("PostgreSQL holds the data; nothing is stored locally".into());
    }
    let dir = match sqlite_dir(database_url) {
        Ok(dir) => dir,
        Err(err) => return Outcome::Fail(format!("{err:#}")),
    };
    let shown = dir.display();
    let probe = dir.join(format!(".ticketd-doctor-{}", std::process::id()));
    if let Err(err) = std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)) {
        return Outcome::Fail(format!("{shown} is not writable: {err}"));
    }
    let free_mib = match rustix::fs::statvfs(&dir) {
        Ok(stats) => stats.f_bavail.saturating_mul(stats.f_frsize) / (1024 * 1024),
        Err(err) => return Outcome::Fail(format!("cannot read the free space of {shown}: {err}")),
    };
    if free_mib < min_free_mib {
        return Outcome::Fail(format!("{shown} has {free_mib} MiB free, under --min-free-mib {min_free_mib}"));
    }
    Outcome::Ok(format!("{shown} is writable, {free_mib} MiB free"))
}

/// The directory a `sqlite:` URL's file is in.
fn sqlite_dir(database_url: &str) -> anyhow::Result<PathBuf> {
    let file = crate::store::sqlite_path(database_url).with_context(|| format!("--database-url {database_url}"))?;
    let dir = file.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!("{} does not exist or is not a directory", dir.display());
    }
    Ok(dir.to_path_buf())
}
