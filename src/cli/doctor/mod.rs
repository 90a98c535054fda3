//! `ticketd doctor`: whether a configuration can work, one line per check, with the same flags
//! and environment as `serve` (so it checks the real configuration) and a non-zero exit when
//! any check fails. Nothing is changed: migrations are reported, never applied.

mod checks;
mod database;

use anyhow::anyhow;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::ServeArgs;

/// Options of `ticketd doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Print the results as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// Run only these checks (comma-separated); all of them when not given.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<Check>,
    /// Free space (MiB) the SQLite database's directory must have.
    #[arg(long, env = "TICKETD_DOCTOR_MIN_FREE_MIB", default_value_t = 100)]
    pub min_free_mib: u64,
}

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The settings are valid beyond what the command line parser checks.
    Config,
    /// The database answers, takes writes and has every migration of this build.
    Database,
    /// The TLS trust roots load (HTTPS webhooks, SMTP over TLS).
    TlsRoots,
    /// The SMTP server answers EHLO (and STARTTLS/TLS as configured).
    Smtp,
    /// The JWT key and JWKS files load.
    Jwt,
    /// The SQLite database's directory is writable and has free space.
    DataDir,
}

impl Check {
    const ALL: [Check; 6] = [Check::Config, Check::Database, Check::TlsRoots, Check::Smtp, Check::Jwt, Check::DataDir];

    fn name(self) -> &'static str {
        match self {
            Check::Config => "config",
            Check::Database => "database",
            Check::TlsRoots => "tls-roots",
            Check::Smtp => "smtp",
            Check::Jwt => "jwt",
            Check::DataDir => "data-dir",
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Not applicable to this configuration (e.g. no SMTP server configured).
    Skip,
    Fail,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: Check,
    pub status: Status,
    pub detail: String,
}

impl Finding {
    fn of(check: Check, outcome: Outcome) -> Self {
        let (status, detail) = match outcome {
            Outcome::Ok(detail) => (Status::Ok, detail),
            Outcome::Skip(detail) => (Status::Skip, detail),
            Outcome::Fail(detail) => (Status::Fail, detail),
        };
        Self { check, status, detail }
    }
}

/// What a check found, before it is labelled.
pub enum Outcome {
    Ok(String),
    Skip(String),
    Fail(String),
}

pub async fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let selected: Vec<Check> =
        Check::ALL.into_iter().filter(|check| args.only.is_empty() || args.only.contains(check)).collect();
    let settings = args.serve.settings();
    let url = &settings.database_url.0;
    let mut findings = Vec::with_capacity(selected.len());
    for check in selected {
        let outcome = match check {
            Check::Config => checks::config(&settings),
            Check::Database => database::check(url).await,
            Check::TlsRoots => checks::tls_roots(),
            Check::Smtp => checks::smtp(&settings.delivery).await,
            Check::Jwt => checks::jwt(&settings.auth),
            Check::DataDir => checks::data_dir(url, args.min_free_mib),
        };
        findings.push(Finding::of(check, outcome));
    }
    let failed = findings.iter().filter(|finding| finding.status == Status::Fail).count();
    if args.json {
        let document = serde_json::json!({ "ok": failed == 0, "checks": findings });
        println!("{}", serde_json::to_string_pretty(&document)?);
    } else {
        for finding in &findings {
            let status = match finding.status {
                Status::Ok => "ok  ",
                Status::Skip => "skip",
                Status::Fail => "FAIL",
            };
            println!("{status}  {:<9}  {}", finding.check.name(), finding.detail);
        }
    }
    match failed {
        0 => Ok(()),
        1 => Err(anyhow!("doctor: 1 check failed")),
        n => Err(anyhow!("doctor: {n} checks failed")),
    }
}

/// A database URL fit to print: any password replaced.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_urls_hide_passwords() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/ticketd"), "postgres://app:***@db:5432/ticketd");
        assert_eq!(redact_url("smtps://u:p@w@mail.example.com?x=1"), "smtps://u:***@mail.example.com?x=1");
        assert_eq!(redact_url("postgres://app@db/ticketd"), "postgres://app@db/ticketd");
        assert_eq!(redact_url("sqlite:///data/ticketd.db"), "sqlite:///data/ticketd.db");
    }
}
