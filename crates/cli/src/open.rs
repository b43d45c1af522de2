//! Every data command takes `--data DIR` (the SQLite folder, also home of the key) or
//! `--database-url URL`; this opens the store they name.
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use wangge_store::{DatabaseUrl, Sm4Crypto, Store, StoreError, SystemClock};

#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// Data folder: the SQLite database and the encryption key (wangge.key) live here.
    #[arg(
        long,
        global = true,
        default_value = "./wangge-data",
        env = "WANGGE_DATA"
    )]
    pub data: PathBuf,
    /// sqlite://FILE or postgres://USER@HOST/DB; overrides the SQLite file in --data.
    #[arg(long, global = true, env = "WANGGE_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DataArgs {
    pub fn url(&self) -> Result<DatabaseUrl, StoreError> {
        match &self.database_url {
            Some(u) => DatabaseUrl::parse(u),
            None => Ok(DatabaseUrl::in_data_dir(&self.data)),
        }
    }

    /// Opens the database (applying migrations) with the key from `WANGGE_KEY` or the folder.
    pub async fn open(&self) -> Result<Store, StoreError> {
        let url = self.url()?;
        let crypto = Sm4Crypto::from_env_or_dir(&self.data)?;
        Store::open(&url, Arc::new(crypto), Arc::new(SystemClock)).await
    }
}
