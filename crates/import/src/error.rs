//! Why an import stopped as a whole (a bad row is not an error here: it is reported).
use wangge_sheet::SheetError;
use wangge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read (format, encoding, a broken quote …): nothing was written.
    #[error("{0}")]
    File(#[from] SheetError),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Applying was asked for a file whose dry run found a problem with the whole file.
    #[error("{0}")]
    NotChecked(String),
}
