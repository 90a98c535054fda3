// Custom field definitions and foreign keys; included by `store_impl.rs`.

async fn load_custom_fields(conn: &mut Conn) -> Result<Vec<CustomFieldInfo>, StoreError> {
    let rows = sqlx::query(
        "SELECT field_name, field_type, display_name, description, short_label, hide_label, hide_field, is_indexed, \
         is_mandatory, is_read_only, is_external, is_display_field, rank, template_variable_name \
         FROM custom_field_definitions ORDER BY rank, field_name",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CustomFieldInfo {
                field_type: ordinal(row.try_get("field_type")?),
                field_name: row.try_get("field_name")?,
                display_name: row.try_get("display_name")?,
                description: row.try_get("description")?,
                short_label: row.try_get("short_label")?,
                hide_label: row.try_get("hide_label")?,
                hide_field: row.try_get("hide_field")?,
                is_indexed: row.try_get("is_indexed")?,
                is_mandatory: row.try_get("is_mandatory")?,
                is_read_only: row.try_get("is_read_only")?,
                is_external: row.try_get("is_external")?,
                is_display_field: row.try_get("is_display_field")?,
                rank: row.try_get("rank")?,
                template_variable_name: row.try_get("template_variable_name")?,
            })
        })
        .collect()
}

async fn save_custom_field(conn: &mut Conn, f: &CustomFieldInfo) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM custom_field_definitions WHERE field_name = $1").bind(&f.field_name).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO custom_field_definitions (field_name, field_type, display_name, description, short_label, hide_label, \
         hide_field, is_indexed, is_mandatory, is_read_only, is_external, is_display_field, rank, template_variable_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&f.field_name)
    .bind(f.field_type.ordinal())
    .bind(&f.display_name)
    .bind(&f.description)
    .bind(&f.short_label)
    .bind(f.hide_label)
    .bind(f.hide_field)
    .bind(f.is_indexed)
    .bind(f.is_mandatory)
    .bind(f.is_read_only)
    .bind(f.is_external)
    .bind(f.is_display_field)
    .bind(f.rank)
    .bind(&f.template_variable_name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn load_foreign_keys(conn: &mut Conn, message_id: i32) -> Result<Option<FieldMap>, StoreError> {
    let exists = sqlx::query("SELECT id FROM ticket_messages WHERE id = $1").bind(message_id).fetch_optional(&mut *conn).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows = sqlx::query("SELECT fk_key, fk_value FROM message_foreign_keys WHERE message_id = $1")
        .bind(message_id)
        .fetch_all(&mut *conn)
        .await?;
    let keys = rows.iter().map(|row| Ok((row.try_get("fk_key")?, row.try_get("fk_value")?))).collect::<Result<FieldMap, StoreError>>()?;
    Ok(Some(keys))
}

async fn save_foreign_key(conn: &mut Conn, message_id: i32, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM message_foreign_keys WHERE message_id = $1 AND fk_key = $2")
        .bind(message_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO message_foreign_keys (message_id, fk_key, fk_value) VALUES ($1, $2, $3)")
        .bind(message_id)
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            _ => StoreError::from(err),
        })?;
    Ok(())
}
