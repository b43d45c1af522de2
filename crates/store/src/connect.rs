//! Opening the database named by a URL: SQLite (a file, WAL, busy timeout) or PostgreSQL.
use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(db: &DatabaseConnection) -> Backend {
        match db.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Where the data lives, parsed from `--database-url` or `--data DIR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// The SQLite file inside a data folder.
    pub fn in_data_dir(dir: &Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(dir.join("wangge.sqlite"))
    }

    pub fn parse(url: &str) -> Result<DatabaseUrl, StoreError> {
        let url = url.trim();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::invalid(
                    "database_url",
                    "SQLite 地址缺少文件路径，例如 sqlite://./wangge-data/wangge.sqlite",
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        Err(StoreError::invalid(
            "database_url",
            format!("无法识别的数据库地址“{url}”：应以 sqlite:// 或 postgres:// 开头"),
        ))
    }

    /// The URL with any password hidden, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let cred = &u[s + 3..at];
                    match cred.find(':') {
                        Some(c) => format!("{}{}:***{}", &u[..s + 3], &cred[..c], &u[at..]),
                        None => u.clone(),
                    }
                }
                _ => u.clone(),
            },
        }
    }
}

pub(crate) async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection, StoreError> {
    match url {
        DatabaseUrl::Sqlite(path) => connect_sqlite(path).await,
        DatabaseUrl::Postgres(u) => {
            let mut opts = ConnectOptions::new(u.clone());
            opts.max_connections(16)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(10))
                .acquire_timeout(Duration::from_secs(30))
                .sqlx_logging(false);
            Database::connect(opts)
                .await
                .map_err(|e| StoreError::Connect(format!("{}：{e}", url.redacted())))
        }
    }
}

async fn connect_sqlite(path: &Path) -> Result<DatabaseConnection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Connect(format!("无法创建数据目录 {}：{e}", dir.display())))?;
        check_writable(dir)?;
    }
    let mut opts = ConnectOptions::new(format!("sqlite://{}", path.display()));
    // One writer at a time is SQLite's nature; a small pool serves concurrent readers.
    opts.max_connections(8)
        .min_connections(1)
        .sqlx_logging(false);
    opts.map_sqlx_sqlite_opts(|o| {
        o.create_if_missing(true)
            .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            // Every acknowledged write must survive a power cut: the WAL is synced at each
            // commit. Writes many people make at once are group-committed to share it.
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            // Random-keyed indexes (blind index, names) thrash SQLite's 2 MB default cache;
            // 256 MB per connection keeps a Liaocheng-scale load fast (pages load lazily).
            .pragma("cache_size", "-262144")
    });
    let db = Database::connect(opts)
        .await
        .map_err(|e| StoreError::Connect(format!("sqlite://{}：{e}", path.display())))?;
    db.execute_unprepared("PRAGMA temp_store = MEMORY").await?;
    Ok(db)
}

/// Begins a transaction that writes. On SQLite it takes the write lock at `BEGIN`
/// (IMMEDIATE) and so waits its turn under the busy timeout: a deferred transaction that
/// reads first is refused at its first write (SQLITE_BUSY, no waiting) whenever another
/// connection committed in between. PostgreSQL has no such mode and ignores it.
pub(crate) async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// A clear message now beats an opaque "readonly database" on the first write.
fn check_writable(dir: &Path) -> Result<(), StoreError> {
    let probe = dir.join(".wangge-write-test");
    std::fs::write(&probe, b"ok")
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| StoreError::Connect(format!("数据目录 {} 不可写：{e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Begins (deferred or immediate), reads, lets the other writer go, waits for `go_on`,
    /// then writes and commits.
    async fn read_then_write(
        db: &DatabaseConnection,
        immediate: bool,
        read: tokio::sync::oneshot::Sender<()>,
        go_on: impl std::future::Future<Output = ()>,
    ) -> Result<(), DbErr> {
        let txn = if immediate {
            begin_write(db).await?
        } else {
            db.begin().await?
        };
        txn.execute_unprepared("SELECT COUNT(*) FROM t").await?;
        let _ = read.send(());
        go_on.await;
        txn.execute_unprepared("INSERT INTO t VALUES (1)").await?;
        txn.commit().await
    }

    #[tokio::test]
    async fn a_write_transaction_that_reads_first_waits_for_another_writer() {
        use tokio::sync::oneshot;
        let dir = std::env::temp_dir().join(format!("wangge-begin-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = connect(&DatabaseUrl::Sqlite(dir.join("t.sqlite")))
            .await
            .unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER)")
            .await
            .unwrap();

        // Deferred: another connection commits between the read and the write, which
        // SQLite then refuses at once.
        let (read, has_read) = oneshot::channel();
        let (wrote, has_written) = oneshot::channel::<()>();
        let other = async {
            has_read.await.unwrap();
            let r = db.execute_unprepared("INSERT INTO t VALUES (2)").await;
            let _ = wrote.send(());
            r
        };
        let go_on = async {
            let _ = has_written.await;
        };
        let (deferred, o) = tokio::join!(read_then_write(&db, false, read, go_on), other);
        assert!(o.is_ok(), "{o:?}");
        let refused = deferred.expect_err("SQLite refuses the deferred write");
        assert!(
            refused.to_string().contains("database is locked"),
            "{refused}"
        );

        // Immediate: the other writer waits for the transaction, and both succeed.
        let (read, has_read) = oneshot::channel();
        let other = async {
            has_read.await.unwrap();
            db.execute_unprepared("INSERT INTO t VALUES (2)").await
        };
        let go_on = tokio::time::sleep(std::time::Duration::from_millis(200));
        let (immediate, o) = tokio::join!(read_then_write(&db, true, read, go_on), other);
        assert!(immediate.is_ok() && o.is_ok(), "{immediate:?} {o:?}");
        db.close().await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn parses_and_redacts_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/w.sqlite").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("data/w.sqlite"))
        );
        let pg = DatabaseUrl::parse("postgres://u:secret@h:5432/db").unwrap();
        assert_eq!(pg.redacted(), "postgres://u:***@h:5432/db");
        let err = DatabaseUrl::parse("mysql://x").unwrap_err().to_string();
        assert!(err.contains("mysql://x"), "{err}");
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }
}
