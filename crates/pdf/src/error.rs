//! The one error type of the crate, with messages in Chinese for the operator.

use std::path::PathBuf;

/// What can go wrong when loading a font or rendering a document.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// None of the known font files is installed and `WANGGE_PDF_FONT` is not set.
    #[error(
        "未找到中文字体（已查找：{tried}）。请安装字体包：apt-get install fonts-noto-cjk，\
         或用环境变量 WANGGE_PDF_FONT 指定字体文件（路径 或 路径#序号）"
    )]
    FontNotFound { tried: String },

    /// `WANGGE_PDF_FONT` is set but cannot be understood.
    #[error("环境变量 WANGGE_PDF_FONT 的值无效：{0}（格式：路径 或 路径#序号）")]
    FontSpec(String),

    /// The font file exists (or was named) but cannot be read.
    #[error("无法读取字体文件 {path}：{source}")]
    FontRead {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The file is not a font, or the face at the index is malformed.
    #[error("字体文件 {path} 无法解析（第 {index} 个字体）：{reason}")]
    FontParse {
        path: PathBuf,
        index: u32,
        reason: String,
    },

    /// The font has no Chinese characters, so a report would show boxes.
    #[error("字体文件 {path}（第 {index} 个字体）不含汉字，请改用 fonts-noto-cjk 中的字体")]
    NotCjk { path: PathBuf, index: u32 },

    /// The font could not be cut down to the glyphs that the document uses.
    #[error("字体子集化失败：{0}")]
    Subset(String),

    /// Compressing a stream failed (it writes to memory, so this should not happen).
    #[error("压缩 PDF 数据流失败：{0}")]
    Compress(std::io::Error),
}
