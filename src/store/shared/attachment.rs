// The `AttachmentStore` implementation shared by both backends; included by `store_impl.rs`.

use crate::store::message_rows::attachment_info;

#[async_trait]
impl AttachmentStore for This {
    async fn begin_upload(&self, upload: &NewAttachment) -> Result<i32, StoreError> {
        // `content` stays NULL until the last piece is in: readers skip such rows, and the
        // pending-upload sweep removes any a crash left behind.
        let id = sqlx::query_scalar(
            "INSERT INTO attachments (message_id, position, name, content_type, att_size, inline_image, content_id, \
             auth_key, content, created_by, created_at) VALUES (NULL, 0, $1, $2, 0, $3, $4, '', NULL, $5, $6) \
             RETURNING id",
        )
        .bind(&upload.name)
        .bind(&upload.content_type)
        .bind(upload.inline_image)
        .bind(&upload.content_id)
        .bind(upload.created_by)
        .bind(now_ticks())
        // Stepped to the end, where SQLite commits the statement: a commit refused for want of
        // space must fail the upload rather than hand out the id of a row that is not there.
        .fetch_all(&self.pool)
        .await?;
        id.first().copied().ok_or(StoreError::NotFound)
    }

    async fn append_upload(&self, id: i32, seq: i32, bytes: &[u8]) -> Result<(), StoreError> {
        // One short statement per piece: a slow uploader holds neither a connection nor a lock
        // between pieces.
        sqlx::query("INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(seq)
            .bind(bytes)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn finish_upload(&self, id: i32, size: i32) -> Result<AttachmentInfo, StoreError> {
        // An empty `content` says the bytes are complete and in `attachment_chunks`.
        let row = sqlx::query(
            "UPDATE attachments SET content = $3, att_size = $2 \
             WHERE id = $1 AND message_id IS NULL AND content IS NULL \
             RETURNING id, name, content_type, att_size, inline_image, content_id, auth_key",
        )
        .bind(id)
        .bind(size)
        .bind(&[] as &[u8])
        .fetch_optional(&self.pool)
        .await?;
        // Gone only if swept while it was arriving.
        attachment_info(&row.ok_or(StoreError::NotFound)?)
    }

    async fn abandon_upload(&self, id: i32) -> Result<(), StoreError> {
        // The pieces go with the row (ON DELETE CASCADE).
        sqlx::query("DELETE FROM attachments WHERE id = $1 AND message_id IS NULL AND content IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn attachment(&self, id: i32) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        // All but uploads whose bytes are still arriving.
        self.attachment_where(id, "(message_id IS NOT NULL OR content IS NOT NULL)").await
    }

    async fn attachment_with_content(
        &self,
        id: i32,
    ) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        self.attachment_where(id, "content IS NOT NULL").await
    }

    async fn attachment_chunk(&self, id: i32, seq: i32) -> Result<Option<(i32, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, data FROM attachment_chunks WHERE attachment_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1",
        )
        .bind(id)
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((row.try_get("seq")?, row.try_get("data")?))).transpose()
    }

    async fn attachment_content(&self, id: i32) -> Result<Option<AttachmentContent>, StoreError> {
        let Some((info, owner)) = self.attachment_with_content(id).await? else { return Ok(None) };
        let mut content = Vec::with_capacity(usize::try_from(info.size).unwrap_or(0));
        let mut next = 0;
        while let Some((seq, piece)) = self.attachment_chunk(id, next).await? {
            content.extend_from_slice(&piece);
            next = seq.saturating_add(1);
        }
        Ok(Some(AttachmentContent { info, owner, content }))
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
            let row = sqlx::query(
                "SELECT message_id, created_by FROM attachments \
                 WHERE id = $1 AND (message_id IS NOT NULL OR content IS NOT NULL)",
            )
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

impl This {
    async fn attachment_where(
        &self,
        id: i32,
        condition: &'static str,
    ) -> Result<Option<(AttachmentInfo, AttachmentOwner)>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, name, content_type, att_size, inline_image, content_id, auth_key, message_id, created_by \
             FROM attachments WHERE id = $1 AND {condition}"
        ));
        let row = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((attachment_info(&row)?, attachment_owner(&row)?))).transpose()
    }
}

fn attachment_owner(row: &impl crate::store::columns::Columns) -> Result<AttachmentOwner, StoreError> {
    Ok(AttachmentOwner { message_id: row.maybe_int("message_id")?, uploaded_by: row.maybe_int("created_by")? })
}
