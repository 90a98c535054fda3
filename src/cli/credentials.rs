//! `ticketd ticket …`, `ticketd token …` and `ticketd app …`: issuing and revoking SoTicket
//! tickets, Bearer API tokens and partner application tokens. Each issue prints only the secret.

use anyhow::anyhow;
use clap::Subcommand;

use super::DatabaseArgs;
use crate::auth::issue::{issue_ticket, issue_token, register_app};
use crate::auth::secrets::{digest, parse_duration};
use crate::domain::Scope;
use crate::store::{SecretKind, Store};

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Issue a SoTicket ticket (`7T:…`) for a login and print it.
    Issue {
        login: String,
        /// How long the ticket is valid: 30m, 8h, 7d …
        #[arg(long, default_value = "8h", value_parser = parse_duration)]
        ttl: chrono::Duration,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a ticket.
    Revoke {
        ticket: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue an opaque Bearer API token (`8A:…`) for a login and print it.
    Issue {
        login: String,
        /// How long the token is valid (no expiry when absent): 30m, 8h, 90d …
        #[arg(long, value_parser = parse_duration)]
        ttl: Option<chrono::Duration>,
        /// `read` limits the token to reading; `write` (the default) allows saving too.
        #[arg(long, default_value = "write", value_parser = parse_scope)]
        scope: Scope,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token.
    Revoke {
        token: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register a partner application and print its SO-AppToken.
    Add {
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke every token of a partner application.
    Remove {
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn parse_scope(text: &str) -> Result<Scope, String> {
    Scope::from_name(text).ok_or_else(|| format!("'{text}' is not a scope; use read or write"))
}

async fn open(database: &DatabaseArgs) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    crate::store::connect(&database.database_url).await.map_err(anyhow::Error::from)
}

/// The id of an enabled associate.
async fn associate_id(store: &dyn Store, login: &str) -> anyhow::Result<i32> {
    match store.credentials(login).await? {
        Some(c) if !c.deleted => Ok(c.associate_id),
        Some(_) => Err(anyhow!("the associate '{login}' is disabled")),
        None => Err(anyhow!("there is no associate '{login}'")),
    }
}

async fn revoke(database: &DatabaseArgs, kind: SecretKind, hash: Option<&str>, name: &str) -> anyhow::Result<()> {
    let revoked = open(database).await?.revoke_secret(kind, hash, name).await?;
    if revoked == 0 { Err(anyhow!("nothing matched; nothing was revoked")) } else { Ok(()) }
}

pub async fn run_ticket(command: TicketCommand) -> anyhow::Result<()> {
    match command {
        TicketCommand::Issue { login, ttl, database } => {
            let store = open(&database).await?;
            let id = associate_id(store.as_ref(), &login).await?;
            println!("{}", issue_ticket(store.as_ref(), id, ttl).await.map_err(anyhow::Error::msg)?);
            Ok(())
        }
        TicketCommand::Revoke { ticket, database } => {
            revoke(&database, SecretKind::Ticket, Some(&digest(ticket.trim())), "").await
        }
    }
}

pub async fn run_token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Issue { login, ttl, scope, database } => {
            let store = open(&database).await?;
            let id = associate_id(store.as_ref(), &login).await?;
            println!("{}", issue_token(store.as_ref(), id, ttl, scope).await.map_err(anyhow::Error::msg)?);
            Ok(())
        }
        TokenCommand::Revoke { token, database } => {
            revoke(&database, SecretKind::ApiToken, Some(&digest(token.trim())), "").await
        }
    }
}

pub async fn run_app(command: AppCommand) -> anyhow::Result<()> {
    match command {
        AppCommand::Add { name, database } => {
            println!("{}", register_app(open(&database).await?.as_ref(), &name).await.map_err(anyhow::Error::msg)?);
            Ok(())
        }
        AppCommand::Remove { name, database } => revoke(&database, SecretKind::App, None, &name).await,
    }
}
