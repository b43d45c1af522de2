//! Simple Chinese report documents (the weekly review 一周一点评, the monthly report) rendered
//! to A4 PDF, with a subset of a CJK font embedded so that every character shows and the
//! text can be copied and searched.
//!
//! ```no_run
//! use wangge_pdf::{Block, Document, Font, Table, render};
//!
//! let font = Font::load_default()?; // once, at start
//! let doc = Document {
//!     title: "聊城市东昌府区 一周一点评".into(),
//!     subtitle: Some("2025 年第 18 周".into()),
//!     blocks: vec![
//!         Block::Heading("一、总体情况".into()),
//!         Block::Paragraph("本周共受理事件 1,234 件，按时办结率 96.5%。".into()),
//!         Block::Table(Table {
//!             header: vec!["街道".into(), "受理".into()],
//!             rows: vec![vec!["古楼街道".into(), "321".into()]],
//!             widths: vec![],
//!         }),
//!     ],
//! };
//! let pdf: Vec<u8> = render(&doc, &font)?;
//! # Ok::<(), wangge_pdf::PdfError>(())
//! ```

mod error;
mod font;
mod layout;
mod table;
mod wrap;
mod write;

pub use error::PdfError;
pub use font::Font;

/// A report: a title block on the first page, then blocks that flow over as many pages as
/// they need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
}

/// One piece of a report. Text may hold '\n' for a line break.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    Table(Table),
    /// Label–value pairs, labels in a grey column (e.g. 统计周期 → 5月5日至5月11日).
    KeyValues(Vec<(String, String)>),
}

/// A table with a header row (repeated on every page it spans); rows may be shorter than
/// the header. Columns holding only numbers are right-aligned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Relative column widths (e.g. `[1.0, 3.0, 1.0]`); empty: from the content.
    pub widths: Vec<f32>,
}

/// The PDF file of `doc` set in `font`. Characters the font lacks print as '?' (see
/// [`missing_chars`]).
pub fn render(doc: &Document, font: &Font) -> Result<Vec<u8>, PdfError> {
    let mut glyphs = font.glyphs()?;
    let pages = layout::layout(doc, &mut glyphs, font.info.em_top);
    write::write(doc, &pages, &mut glyphs, font)
}

/// The characters of `doc` that `font` has no glyph for, each once, in code point order.
pub fn missing_chars(doc: &Document, font: &Font) -> Vec<char> {
    let mut all = String::new();
    for text in doc.texts() {
        all.push_str(text);
    }
    let mut missing = font.missing_chars(&all);
    missing.retain(|c| !c.is_control());
    missing
}

impl Document {
    /// Every piece of text in the document.
    fn texts(&self) -> impl Iterator<Item = &str> {
        let blocks = self.blocks.iter().flat_map(|block| -> Vec<&str> {
            match block {
                Block::Heading(text) | Block::Paragraph(text) => vec![text],
                Block::Table(table) => table
                    .header
                    .iter()
                    .chain(table.rows.iter().flatten())
                    .map(String::as_str)
                    .collect(),
                Block::KeyValues(pairs) => pairs
                    .iter()
                    .flat_map(|(k, v)| [k.as_str(), v.as_str()])
                    .collect(),
            }
        });
        [self.title.as_str()]
            .into_iter()
            .chain(self.subtitle.as_deref())
            .chain(blocks)
    }
}
