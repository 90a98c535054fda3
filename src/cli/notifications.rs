//! `ticketd follow`, `unfollow`, `webhook …` and `outbox …`: who is notified, where webhooks
//! go, and the operators' view of the outbox.

use anyhow::{Context as _, anyhow, bail};
use clap::{Args, Subcommand};

use super::DatabaseArgs;
use crate::domain::notification::DeliveryStatus;
use crate::store::Store;
use crate::store::outbox::OutboxRow;

/// Arguments of `ticketd follow` and `ticketd unfollow`.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// The associate's login.
    pub login: String,
    /// The ticket's id.
    pub ticket_id: i32,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Subscribe a URL to events; prints the id and the signing secret.
    Add {
        /// Where deliveries are POSTed (http:// or https://).
        url: String,
        /// Comma-separated events: ticketmessage.created, ticketmessage.changed, ticketmessage.deleted,
        /// ticket.changed, webhook{ID}.errors ... (`*` matches any run of characters).
        #[arg(long, default_value = "ticketmessage.created,ticketmessage.changed")]
        events: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the subscriptions.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Remove a subscription; its undelivered notifications are parked.
    Remove {
        id: i32,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Show outbox rows, newest first.
    List {
        /// Only rows in this state: pending, delivered or dead.
        #[arg(long, value_parser = parse_status)]
        status: Option<DeliveryStatus>,
        /// At most this many rows.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Make dead rows due again: one by id, or all with --all-dead.
    Retry {
        #[arg(required_unless_present = "all_dead", conflicts_with = "all_dead")]
        id: Option<i64>,
        #[arg(long)]
        all_dead: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Delete delivered and dead rows older than a duration (e.g. 7d).
    Purge {
        #[arg(long, default_value = "7d")]
        older_than: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn parse_status(text: &str) -> Result<DeliveryStatus, String> {
    DeliveryStatus::from_name(text).ok_or_else(|| format!("'{text}' is not a status; use pending, delivered or dead"))
}

async fn open(database: &DatabaseArgs) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    crate::store::connect(&database.database_url).await.map_err(anyhow::Error::from)
}

pub async fn run_follow(args: FollowArgs, follow: bool) -> anyhow::Result<()> {
    let store = open(&args.database).await?;
    store.set_following(&args.login, args.ticket_id, follow).await.map_err(|err| match err {
        crate::store::StoreError::NotFound => anyhow!("no login '{}' or no ticket {}", args.login, args.ticket_id),
        other => other.into(),
    })
}

pub async fn run_webhook(command: WebhookCommand) -> anyhow::Result<()> {
    match command {
        WebhookCommand::Add { url, events, database } => {
            check_url(&url)?;
            let names: Vec<String> = events.split(',').map(str::to_owned).collect();
            let events = crate::domain::webhook::parse_events(&names).map_err(anyhow::Error::msg)?.join(",");
            let secret = crate::auth::secrets::generate("whsec_").map_err(anyhow::Error::msg)?;
            let id = open(&database).await?.add_webhook(&url, &events, &secret).await?;
            eprintln!("webhook {id} posts {events} to {url}; it signs with this secret:");
            println!("{secret}");
        }
        WebhookCommand::List { database } => {
            for hook in open(&database).await?.all_webhooks().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    hook.id,
                    hook.state.name(),
                    hook.events.join(","),
                    crate::notify::redact::text(&hook.target_url),
                    hook.name
                );
            }
        }
        WebhookCommand::Remove { id, database } => {
            if !open(&database).await?.remove_webhook(id).await? {
                bail!("there is no webhook {id}");
            }
        }
    }
    Ok(())
}

fn check_url(url: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("'{url}' is not a URL"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(()),
        _ => Err(anyhow!("'{url}' is not an http:// or https:// URL")),
    }
}

pub async fn run_outbox(command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List { status, limit, database } => {
            let rows = open(&database).await?.outbox(status, limit).await?;
            println!("id\tdelivery_id\tchannel\tevent\tmessage\tto\tstatus\tattempts\tnext_attempt_utc\tlast_error");
            for row in rows {
                println!("{}", outbox_line(&row));
            }
        }
        OutboxCommand::Retry { id, all_dead: _, database } => {
            let revived = open(&database).await?.retry_outbox(id).await?;
            if revived == 0 && id.is_some() {
                bail!("no dead outbox row has that id");
            }
            println!("{revived}");
        }
        OutboxCommand::Purge { older_than, database } => {
            let age = crate::auth::secrets::parse_duration(&older_than).map_err(anyhow::Error::msg)?;
            let before = chrono::Utc::now().naive_utc() - age;
            println!("{}", open(&database).await?.purge_outbox(before).await?);
        }
    }
    Ok(())
}

fn outbox_line(row: &OutboxRow) -> String {
    let to = match (row.recipient_id, row.webhook_id) {
        (Some(associate), _) => format!("associate:{associate}"),
        (_, Some(hook)) => format!("webhook:{hook}"),
        _ => "-".into(),
    };
    format!(
        "{}\t{}\t{}\t{}\t{}\t{to}\t{}\t{}\t{}\t{}",
        row.id,
        row.delivery_id,
        row.channel.name(),
        row.event,
        row.message_id,
        row.status.name(),
        row.attempts,
        row.next_attempt_at.format("%Y-%m-%dT%H:%M:%S"),
        row.last_error.replace(['\t', '\n'], " ")
    )
}
