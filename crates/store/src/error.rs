//! The one error type of the store, mapped to HTTP answers by the web layer.
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or outside the caller's scope: both answer the same so ids cannot be probed.
    #[error("未找到该记录，或不在您的管辖范围内")]
    NotFound,
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from one phone or address in a while.
    #[error("{0}")]
    TooMany(String),
    #[error("无法连接数据库：{0}")]
    Connect(String),
    #[error("数据库错误：{0}")]
    Db(#[from] DbErr),
    #[error("加密模块错误：{0}")]
    Crypto(String),
}

impl StoreError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }
}
