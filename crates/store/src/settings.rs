//! Settings an admin may change (`setting`: key → text), read and written whole.
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::entity::setting;
use crate::{Store, StoreError};

impl Store {
    /// The stored text of a setting, if it was ever saved.
    pub(crate) async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(setting::Entity::find_by_id(key.to_string())
            .one(self.connection())
            .await?
            .map(|s| s.value))
    }

    /// Saves a setting, replacing what was there.
    pub(crate) async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let db = self.connection();
        match setting::Entity::find_by_id(key.to_string()).one(db).await? {
            Some(existing) => {
                let mut m: setting::ActiveModel = existing.into();
                m.value = Set(value.to_string());
                m.update(db).await?;
            }
            None => {
                setting::ActiveModel {
                    key: Set(key.to_string()),
                    value: Set(value.to_string()),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }
}
