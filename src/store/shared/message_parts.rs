// The `MessagePartsStore` implementation shared by both backends; included by `store_impl.rs`.

#[async_trait]
impl crate::store::message_parts::MessagePartsStore for This {
    async fn header_messages(&self, header_ids: &[i32]) -> Result<Vec<i32>, StoreError> {
        let mut messages = std::collections::BTreeSet::new();
        // One lookup per id: the lists are short (bounded by the caller) and the statement is
        // the same on both backends.
        for &id in header_ids {
            let owner: Option<i32> = sqlx::query_scalar("SELECT message_id FROM message_headers WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            messages.extend(owner);
        }
        Ok(messages.into_iter().collect())
    }
}
