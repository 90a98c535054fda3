//! `ticketd customfield …` and `ticketd foreignkey …`: custom field definitions of ticket
//! messages, and foreign keys outside systems attach to a message.

use anyhow::anyhow;
use clap::Subcommand;

use super::DatabaseArgs;
use crate::domain::{CustomFieldInfo, CustomFieldType, VendorEnum};

#[derive(Debug, Subcommand)]
pub enum CustomFieldCommand {
    /// Define (or redefine) a custom field: `x_…` for an extra field, a ProgId or
    /// `SuperOffice:<n>` for a user-defined one.
    Add {
        name: String,
        /// The field's type: Integer, ShortText, LongText, Date, Checkbox, MdoList, Decimal, DateTime, …
        #[arg(long = "type", default_value = "ShortText", value_parser = parse_type)]
        field_type: CustomFieldType,
        /// The label users see; a multi-language value such as NO:"Region";US:"Region" works.
        #[arg(long, default_value = "")]
        label: String,
        #[arg(long, default_value = "")]
        short_label: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        mandatory: bool,
        #[arg(long)]
        read_only: bool,
        #[arg(long)]
        indexed: bool,
        #[arg(long, default_value_t = 0)]
        rank: i32,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the custom field names and types.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ForeignKeyCommand {
    /// Attach (or replace) a foreign key on a message, e.g. `erp.invoice.id 4711`.
    Set {
        message_id: i32,
        key: String,
        value: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn parse_type(text: &str) -> Result<CustomFieldType, String> {
    CustomFieldType::from_name(text)
        .ok_or_else(|| format!("'{text}' is not a field type; use one of {}", CustomFieldType::names()))
}

pub async fn run_custom_field(command: CustomFieldCommand) -> anyhow::Result<()> {
    match command {
        CustomFieldCommand::Add {
            name,
            field_type,
            label,
            short_label,
            description,
            mandatory,
            read_only,
            indexed,
            rank,
            database,
        } => {
            let store = crate::store::connect(&database.database_url).await?;
            let field = CustomFieldInfo {
                field_type,
                template_variable_name: (!name.starts_with("x_")).then(|| format!("{{{name}}}")),
                field_name: name,
                display_name: label,
                short_label,
                description,
                is_mandatory: mandatory,
                is_read_only: read_only,
                is_indexed: indexed,
                rank,
                ..CustomFieldInfo::default()
            };
            store.put_custom_field(&field).await.map_err(anyhow::Error::from)
        }
        CustomFieldCommand::List { database } => {
            let store = crate::store::connect(&database.database_url).await?;
            for field in store.custom_fields().await? {
                println!("{}\t{}", field.field_name, field.field_type.name());
            }
            Ok(())
        }
    }
}

pub async fn run_foreign_key(command: ForeignKeyCommand) -> anyhow::Result<()> {
    let ForeignKeyCommand::Set { message_id, key, value, database } = command;
    let store = crate::store::connect(&database.database_url).await?;
    store.set_foreign_key(message_id, &key, &value).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => anyhow!("there is no ticket message {message_id}"),
        other => other.into(),
    })
}
