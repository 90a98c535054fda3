// Reads shared by both backends; included by `sqlite.rs` and `postgres.rs`, where `Db` names
// the backend. Placeholders are `$N`, which SQLite and PostgreSQL both accept.

use crate::store::message_rows::{self, ordinal};

type Conn = <Db as sqlx::Database>::Connection;
type DbRow = <Db as sqlx::Database>::Row;

async fn load_associate(conn: &mut Conn, id: i32) -> Result<Option<Associate>, StoreError> {
    let row = sqlx::query(message_rows::SELECT_ASSOCIATE).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(message_rows::associate).transpose()
}

async fn load_save_events(conn: &mut Conn, message_id: i32) -> Result<Vec<SaveEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT message_id, event, notify, associate_id FROM message_events \
         WHERE message_id = $1 ORDER BY id",
    )
    .bind(message_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SaveEvent {
                message_id: row.try_get("message_id")?,
                event: row.try_get("event")?,
                notify: row.try_get("notify")?,
                associate_id: row.try_get("associate_id")?,
            })
        })
        .collect()
}

async fn load_secret(conn: &mut Conn, kind: SecretKind, hash: &str) -> Result<Option<StoredSecret>, StoreError> {
    let row = sqlx::query(
        "SELECT associate_id, name, scope, xsrf_token, expires_at, revoked FROM auth_secrets \
         WHERE secret_hash = $1 AND kind = $2",
    )
    .bind(hash)
    .bind(kind.code())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        let expires_at: Option<i64> = row.try_get("expires_at")?;
        Ok(StoredSecret {
            associate_id: row.try_get("associate_id")?,
            name: row.try_get("name")?,
            scope: crate::domain::Scope::from_code(row.try_get("scope")?),
            xsrf_token: row.try_get("xsrf_token")?,
            expires_at: expires_at.map(from_ticks),
            revoked: row.try_get("revoked")?,
        })
    })
    .transpose()
}
