//! The bulk path for generators and imports: multi-row INSERTs sized under each backend's
//! parameter limit, inside the caller's transaction. One code path for both databases.
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Value};

use crate::StoreError;

/// SQLite allows 32,766 bound parameters per statement, PostgreSQL 65,535.
const MAX_PARAMS: usize = 30_000;

/// A table's rows waiting to be written, column order fixed at creation.
pub struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Vec<Value>>,
}

impl Rows {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "row width for {}",
            self.table
        );
        self.values.push(row);
    }

    pub(crate) fn rows_mut(&mut self) -> &mut Vec<Vec<Value>> {
        &mut self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Writes and empties the buffer.
    pub async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), StoreError> {
        let per_stmt = (MAX_PARAMS / self.columns.len()).max(1);
        let rows = std::mem::take(&mut self.values);
        let mut it = rows.into_iter().peekable();
        while it.peek().is_some() {
            let mut q = Query::insert();
            q.into_table(Alias::new(self.table))
                .columns(self.columns.iter().map(|c| Alias::new(*c)));
            for row in it.by_ref().take(per_stmt) {
                q.values(row.into_iter().map(Into::into))
                    .map_err(|e| StoreError::invalid("bulk", format!("{}：{e}", self.table)))?;
            }
            conn.execute(&q).await?;
        }
        Ok(())
    }
}
