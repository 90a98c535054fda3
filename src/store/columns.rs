//! Reading a result row by column name, whichever engine produced it: sqlx's PostgreSQL rows
//! and rusqlite's rows, so each row is mapped to the domain by one function.

use super::StoreError;

/// The typed column reads the row mappings use.
pub trait Columns {
    fn int(&self, column: &str) -> Result<i32, StoreError>;
    fn big(&self, column: &str) -> Result<i64, StoreError>;
    fn maybe_int(&self, column: &str) -> Result<Option<i32>, StoreError>;
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn maybe_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn flag(&self, column: &str) -> Result<bool, StoreError>;
    fn maybe_big(&self, column: &str) -> Result<Option<i64>, StoreError>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError>;
}

/// A mapping written for `&impl Columns` takes a runner's `&dyn Columns` row as `&row`.
impl<C: Columns + ?Sized> Columns for &C {
    fn int(&self, column: &str) -> Result<i32, StoreError> {
        (**self).int(column)
    }
    fn big(&self, column: &str) -> Result<i64, StoreError> {
        (**self).big(column)
    }
    fn maybe_int(&self, column: &str) -> Result<Option<i32>, StoreError> {
        (**self).maybe_int(column)
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        (**self).text(column)
    }
    fn maybe_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        (**self).maybe_text(column)
    }
    fn flag(&self, column: &str) -> Result<bool, StoreError> {
        (**self).flag(column)
    }
    fn maybe_big(&self, column: &str) -> Result<Option<i64>, StoreError> {
        (**self).maybe_big(column)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        (**self).bytes(column)
    }
}

macro_rules! columns_of {
    ($row:ty, $get:expr) => {
        impl Columns for $row {
            fn int(&self, column: &str) -> Result<i32, StoreError> {
                Ok($get(self, column)?)
            }
            fn big(&self, column: &str) -> Result<i64, StoreError> {
                Ok($get(self, column)?)
            }
            fn maybe_int(&self, column: &str) -> Result<Option<i32>, StoreError> {
                Ok($get(self, column)?)
            }
            fn text(&self, column: &str) -> Result<String, StoreError> {
                Ok($get(self, column)?)
            }
            fn maybe_text(&self, column: &str) -> Result<Option<String>, StoreError> {
                Ok($get(self, column)?)
            }
            fn flag(&self, column: &str) -> Result<bool, StoreError> {
                Ok($get(self, column)?)
            }
            fn maybe_big(&self, column: &str) -> Result<Option<i64>, StoreError> {
                Ok($get(self, column)?)
            }
            fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
                Ok($get(self, column)?)
            }
        }
    };
}

columns_of!(sqlx::postgres::PgRow, sqlx::Row::try_get);
columns_of!(rusqlite::Row<'_>, rusqlite::Row::get);
