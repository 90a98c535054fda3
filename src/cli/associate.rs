//! `ticketd associate …`: users who can sign in.

use anyhow::{Context as _, anyhow, bail};
use clap::Subcommand;
use tokio::io::AsyncReadExt;

use super::DatabaseArgs;
use crate::auth::password;
use crate::domain::{Role, TicketAccess};
use crate::store::{AssociateChange, NewAssociate};

#[derive(Debug, Subcommand)]
pub enum AssociateCommand {
    /// Add an associate; the password is read from standard input (never from the command line).
    /// Prints the new associate's id.
    Add {
        /// The login name (matched without regard to case).
        login: String,
        /// Read the password from standard input (its first line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The associate's full name.
        #[arg(long, default_value = "")]
        name: String,
        /// The associate's e-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// What the associate may do: admin, agent or readonly.
        #[arg(long, default_value = "agent", value_parser = parse_role)]
        role: Role,
        /// The language notification e-mail to the associate is written in (en, no, sv, da, de,
        /// fr, nl or fi; English when not given).
        #[arg(long, default_value = "", value_parser = parse_language)]
        language: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set a new password, read from standard input.
    Passwd {
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Change an associate's role (admin, agent or readonly).
    Role {
        login: String,
        #[arg(value_parser = parse_role)]
        role: Role,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Show or set which tickets an associate may work on: every ticket (`--all`, the default) or
    /// only tickets of some categories plus the tickets they own (`--categories "Support,Sales"`).
    /// Without an option it prints the current access. Administrators always reach every ticket.
    Access {
        login: String,
        /// Every ticket.
        #[arg(long, conflicts_with = "categories")]
        all: bool,
        /// Comma-separated ticket category names, exactly as tickets store them; an empty list
        /// leaves only the tickets the associate owns.
        #[arg(long)]
        categories: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Refuse every further sign-in of an associate, whatever the credential.
    Disable {
        login: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Allow a disabled associate to sign in again.
    Enable {
        login: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn parse_language(text: &str) -> Result<String, String> {
    if text.is_empty() || crate::locale::Language::from_tag(text).is_some() {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!("'{text}' is not a supported language; use en, no, sv, da, de, fr, nl or fi"))
    }
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_name(text).ok_or_else(|| format!("'{text}' is not a role; use admin, agent or readonly"))
}

/// The first line of standard input, which must not be empty.
async fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    tokio::io::stdin().read_to_string(&mut input).await.context("cannot read the password")?;
    let secret = input.lines().next().unwrap_or_default();
    if secret.is_empty() {
        bail!("the password on standard input is empty");
    }
    Ok(secret.to_owned())
}

pub async fn run(command: AssociateCommand) -> anyhow::Result<()> {
    let (database, login, change) = match command {
        AssociateCommand::Add { login, password_stdin: _, name, email, role, language, database } => {
            let password_hash = password::hash(&read_password().await?).map_err(anyhow::Error::msg)?;
            let store = crate::store::connect(&database.database_url).await?;
            let associate =
                NewAssociate { login, password_hash, full_name: name, email, role, language, ..Default::default() };
            let id = store.add_associate(&associate).await?;
            println!("{id}");
            return Ok(());
        }
        AssociateCommand::Passwd { login, password_stdin: _, database } => (
            database,
            login,
            AssociateChange::PasswordHash(password::hash(&read_password().await?).map_err(anyhow::Error::msg)?),
        ),
        AssociateCommand::Role { login, role, database } => (database, login, AssociateChange::Role(role)),
        AssociateCommand::Access { login, all, categories, database } => {
            let wanted = match (all, categories) {
                (true, _) => Some(TicketAccess::All),
                (false, Some(list)) => Some(TicketAccess::categories_from_list(&list)),
                (false, None) => None,
            };
            return run_access(&database, &login, wanted).await;
        }
        AssociateCommand::Disable { login, database } => (database, login, AssociateChange::Disabled(true)),
        AssociateCommand::Enable { login, database } => (database, login, AssociateChange::Disabled(false)),
    };
    let store = crate::store::connect(&database.database_url).await?;
    if store.change_associate(&login, &change).await? {
        Ok(())
    } else {
        Err(anyhow!("there is no associate '{login}'"))
    }
}

/// Prints a login's ticket access, or replaces it with `wanted`. Warns (without failing) about
/// category names no ticket has, since a typo would silently hide every ticket of that category.
async fn run_access(database: &DatabaseArgs, login: &str, wanted: Option<TicketAccess>) -> anyhow::Result<()> {
    let store = crate::store::connect(&database.database_url).await?;
    let associate = store.credentials(login).await?.with_context(|| format!("there is no associate '{login}'"))?;
    let Some(access) = wanted else {
        match store.ticket_access(associate.associate_id).await? {
            TicketAccess::All => println!("all"),
            TicketAccess::Categories(names) => {
                println!("categories: {}", names.into_iter().collect::<Vec<_>>().join(", "))
            }
        }
        return Ok(());
    };
    if let TicketAccess::Categories(names) = &access {
        let known = store.ticket_categories().await?;
        for name in names.iter().filter(|name| !known.contains(name)) {
            eprintln!("ticketd: warning: no ticket has the category '{name}' (yet)");
        }
        if associate.role == Role::Admin {
            eprintln!("ticketd: note: '{login}' is an administrator and reaches every ticket whatever this says");
        }
    }
    if store.set_ticket_access(login, &access).await? {
        Ok(())
    } else {
        Err(anyhow!("there is no associate '{login}'"))
    }
}
