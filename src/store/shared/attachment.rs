// The `AttachmentStore` implementation shared by both backends; included by `store_impl.rs`.

use crate::store::message_rows::attachment_info;

#[async_trait]
impl AttachmentStore for This {
    async fn add_attachment(&self, upload: &NewAttachment) -> Result<AttachmentInfo, StoreError> {
        let size = i32::try_from(upload.content.len()).unwrap_or(i32::MAX);
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let row = sqlx::query(
            "INSERT INTO attachments (message_id, position, name, content_type, att_size, inline_image, content_id, \
             auth_key, content, created_by, created_at) VALUES (NULL, 0, $1, $2, $3, $4, $5, '', $6, $7, $8) \
             RETURNING id, name, content_type, att_size, inline_image, content_id, auth_key",
        )
        .bind(&upload.name)
        .bind(&upload.content_type)
        .bind(size)
        .bind(upload.inline_image)
        .bind(&upload.content_id)
        .bind(&upload.content)
        .bind(upload.created_by)
        .bind(now_ticks())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        attachment_info(&row)
    }

    async fn attachment(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key, message_id, created_by \
             FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((attachment_info(&row)?, attachment_owner(&row)?))).transpose()
    }

    async fn attachment_content(&self, id: i32) -> Result<Option<AttachmentContent>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key, message_id, created_by, \
             content FROM attachments WHERE id = $1 AND content IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(AttachmentContent { info: attachment_info(&row)?, owner: attachment_owner(&row)?, content: row.try_get("content")? })
        })
        .transpose()
    }

    async fn connect_attachments(&self, message_id: i32, ids: &[i32], uploader: Option<i32>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        let message = sqlx::query("SELECT id FROM ticket_messages WHERE id = $1").bind(message_id).fetch_optional(&mut *tx).await?;
        if message.is_none() {
            return Err(StoreError::NotFound);
        }
        let last = sqlx::query("SELECT COALESCE(MAX(position), -1) AS last FROM attachments WHERE message_id = $1")
            .bind(message_id)
            .fetch_one(&mut *tx)
            .await?;
        let mut position = i64::from(last.try_get::<i32, _>("last")?) + 1;
        for &id in ids {
            let row = sqlx::query("SELECT message_id, created_by FROM attachments WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let unknown = StoreError::UnknownReference { field: "attachmentIds", id };
            match row.as_ref().map(attachment_owner).transpose()? {
                // Someone else's pending upload reads as no upload at all.
                Some(AttachmentOwner { message_id: None, uploaded_by })
                    if uploader.is_none() || uploaded_by == uploader => {}
                // Connecting twice is harmless.
                Some(AttachmentOwner { message_id: Some(owner), .. }) if owner == message_id => continue,
                _ => return Err(unknown),
            }
            // Only while still pending: a sweep or another connection may have come first.
            let done = sqlx::query("UPDATE attachments SET message_id = $1, position = $2 WHERE id = $3 AND message_id IS NULL")
                .bind(message_id)
                .bind(i32::try_from(position).unwrap_or(i32::MAX))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(unknown);
            }
            position += 1;
        }
        sqlx::query("UPDATE ticket_messages SET version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(message_id)
            .bind(now_ticks())
            .execute(&mut *tx)
            .await?;
        queue_attachments_connected(&mut tx, message_id, now_ticks()).await?;
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(())
    }

    async fn delete_pending_uploads(&self, before: crate::domain::Timestamp, batch: u32) -> Result<u64, StoreError> {
        use crate::store::retention::{RetentionKind, RetentionStore as _};
        self.delete_expired(RetentionKind::PendingUploads, before, batch).await
    }
}

fn attachment_owner(row: &impl crate::store::columns::Columns) -> Result<AttachmentOwner, StoreError> {
    Ok(AttachmentOwner { message_id: row.maybe_int("message_id")?, uploaded_by: row.maybe_int("created_by")? })
}
