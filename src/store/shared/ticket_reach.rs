// The `TicketReachStore` implementation shared by both backends; included by `store_impl.rs`. Types
// other included files import too are named by path here, so the includes never clash.

fn ticket_scope_of(row: &DbRow) -> Result<crate::domain::TicketScope, StoreError> {
    Ok(crate::domain::TicketScope {
        ticket_id: row.try_get("id")?,
        category_name: row.try_get("category_name")?,
        owned_by: row.try_get("owned_by")?,
    })
}

#[async_trait]
impl crate::store::ticket_reach::TicketReachStore for This {
    async fn ticket_access(&self, associate_id: i32) -> Result<crate::domain::TicketAccess, StoreError> {
        // One row per category (one row with a NULL category when there are none).
        let rows = sqlx::query(
            "SELECT a.restricted, c.category_name FROM associates a \
             LEFT JOIN associate_categories c ON c.associate_id = a.id WHERE a.id = $1",
        )
        .bind(associate_id)
        .fetch_all(&self.pool)
        .await?;
        let Some(first) = rows.first() else { return Ok(crate::domain::TicketAccess::All) };
        if !first.try_get::<bool, _>("restricted")? {
            return Ok(crate::domain::TicketAccess::All);
        }
        let mut names = std::collections::BTreeSet::new();
        for row in &rows {
            if let Some(name) = row.try_get::<Option<String>, _>("category_name")? {
                names.insert(name);
            }
        }
        Ok(crate::domain::TicketAccess::Categories(names))
    }

    async fn set_ticket_access(&self, login: &str, access: &crate::domain::TicketAccess) -> Result<bool, StoreError> {
        let names: Vec<&String> = match access {
            crate::domain::TicketAccess::All => Vec::new(),
            crate::domain::TicketAccess::Categories(names) => names.iter().collect(),
        };
        let restricted = matches!(access, crate::domain::TicketAccess::Categories(_));
        let mut tx = self.begin_owned(BEGIN_WRITE).await?;
        let updated = sqlx::query("UPDATE associates SET restricted = $2 WHERE login_key = $1 RETURNING id")
            .bind(login.to_lowercase())
            .bind(restricted)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = updated else {
            tx.rollback().await?;
            return Ok(false);
        };
        let associate_id: i32 = row.try_get("id")?;
        sqlx::query("DELETE FROM associate_categories WHERE associate_id = $1").bind(associate_id).execute(&mut *tx).await?;
        for name in names {
            sqlx::query("INSERT INTO associate_categories (associate_id, category_name) VALUES ($1, $2)")
                .bind(associate_id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await.map_err(crate::store::classify::at_commit)?;
        Ok(true)
    }

    async fn ticket_scope(&self, ticket_id: i32) -> Result<Option<crate::domain::TicketScope>, StoreError> {
        let row = sqlx::query("SELECT id, category_name, owned_by FROM tickets WHERE id = $1")
            .bind(ticket_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ticket_scope_of).transpose()
    }

    async fn message_scope(&self, message_id: i32) -> Result<Option<crate::domain::TicketScope>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.category_name, t.owned_by FROM ticket_messages m \
             JOIN tickets t ON t.id = m.ticket_id WHERE m.id = $1",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(ticket_scope_of).transpose()
    }

    async fn ticket_categories(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT category_name FROM tickets").fetch_all(&self.pool).await?;
        let mut names = rows.iter().map(|row| row.try_get("category_name")).collect::<Result<Vec<String>, _>>()?;
        // Sorted here, not in SQL: the backends' collations order text differently.
        names.sort();
        Ok(names)
    }
}
