//! `ticketd associate add`: creates a user who can sign in with Basic credentials.

use clap::Subcommand;
use tokio::io::AsyncReadExt;

use super::DatabaseArgs;
use crate::auth::password;
use crate::store::NewAssociate;

#[derive(Debug, Subcommand)]
pub enum AssociateCommand {
    /// Add an associate; the password is read from standard input (never from the command line).
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
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: AssociateCommand) -> Result<(), String> {
    let AssociateCommand::Add {
        login,
        password_stdin: _,
        name,
        email,
        database,
    } = command;
    let mut input = String::new();
    tokio::io::stdin()
        .read_to_string(&mut input)
        .await
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let secret = input.lines().next().unwrap_or_default();
    if secret.is_empty() {
        return Err("the password on standard input is empty".into());
    }
    let store = crate::store::connect(&database.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let password_hash = password::hash(secret)?;
    let associate = NewAssociate {
        login,
        password_hash,
        full_name: name,
        email,
        ..Default::default()
    };
    let id = store
        .add_associate(&associate)
        .await
        .map_err(|e| e.to_string())?;
    println!("{id}");
    Ok(())
}
