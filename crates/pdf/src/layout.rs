//! Turns a document into A4 pages of positioned drawing operations: title, headings and
//! paragraphs flow down the page and onto the next; every page gets "第 N 页 / 共 M 页".

use crate::font::Glyphs;
use crate::wrap::{Line, wrap};
use crate::{Block, Document};

/// A4 portrait, in points.
pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
/// 20 mm margins; the bottom one also holds the footer.
const MARGIN: f32 = 56.69;
pub(crate) const LEFT: f32 = MARGIN;
pub(crate) const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const TOP: f32 = PAGE_H - MARGIN;
const BOTTOM: f32 = MARGIN;

/// Text sizes in points and line heights; 10.5 pt is 五号, the usual size of official text.
const TITLE: (f32, f32) = (20.0, 28.0);
const SUBTITLE: (f32, f32) = (11.0, 18.0);
const HEADING: (f32, f32) = (14.0, 21.0);
pub(crate) const BODY: (f32, f32) = (10.5, 17.0);
const FOOTER_SIZE: f32 = 9.0;
/// Space before a heading and before any other block.
const HEADING_GAP: f32 = 14.0;
pub(crate) const BLOCK_GAP: f32 = 8.0;

/// Something drawn on a page, in PDF coordinates (origin at the bottom left).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// One line of text whose baseline starts at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        ink: Ink,
    },
    /// A thin grid line.
    Rule { from: (f32, f32), to: (f32, f32) },
    /// A grey background (table header).
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
}

/// How text is coloured: a grey level (0 black) and simulated bold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ink {
    pub gray: f32,
    pub bold: bool,
}

pub(crate) const PLAIN: Ink = Ink {
    gray: 0.0,
    bold: false,
};
pub(crate) const BOLD: Ink = Ink {
    gray: 0.0,
    bold: true,
};
pub(crate) const MUTED: Ink = Ink {
    gray: 0.35,
    bold: false,
};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// The pages of `doc`, footers included.
pub(crate) fn layout(doc: &Document, glyphs: &mut Glyphs<'_>, em_top: f32) -> Vec<Vec<Op>> {
    let mut pager = Pager {
        glyphs,
        em_top,
        pages: Vec::new(),
        ops: Vec::new(),
        y: TOP,
    };
    pager.title(doc);
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                pager.gap(HEADING_GAP);
                // Keep a heading with the first lines of what follows it.
                pager.need(HEADING.1 + 2.0 * BODY.1);
                pager.flow(text, HEADING, BOLD, Align::Left);
            }
            Block::Paragraph(text) => {
                pager.gap(BLOCK_GAP);
                pager.flow(text, BODY, PLAIN, Align::Left);
            }
            Block::Table(table) => pager.table(table),
            Block::KeyValues(pairs) => pager.key_values(pairs),
        }
    }
    pager.finish()
}

/// The page being filled and those already full.
pub(crate) struct Pager<'g, 'f> {
    pub glyphs: &'g mut Glyphs<'f>,
    em_top: f32,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// The top of the free space on the current page.
    pub y: f32,
}

impl Pager<'_, '_> {
    fn title(&mut self, doc: &Document) {
        let subtitle = doc.subtitle.as_deref().filter(|s| !s.trim().is_empty());
        if doc.title.trim().is_empty() && subtitle.is_none() {
            return;
        }
        self.flow(&doc.title, TITLE, BOLD, Align::Center);
        if let Some(subtitle) = subtitle {
            self.y -= 4.0;
            self.flow(subtitle, SUBTITLE, MUTED, Align::Center);
        }
        self.y -= 8.0;
        self.need(1.0);
        self.rule((LEFT, self.y), (LEFT + WIDTH, self.y));
        self.y -= 10.0;
    }

    /// Wrapped lines of `text` across the full width, breaking pages between lines.
    fn flow(&mut self, text: &str, (size, lh): (f32, f32), ink: Ink, align: Align) {
        for line in wrap(self.glyphs, text, size, WIDTH) {
            self.need(lh);
            let top = self.y;
            self.text(&line, LEFT, WIDTH, top, (size, lh), ink, align);
            self.y -= lh;
        }
    }

    /// Places `line` in the box [x, x + width] of the line whose top is `top`.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        line: &Line,
        x: f32,
        width: f32,
        top: f32,
        (size, lh): (f32, f32),
        ink: Ink,
        align: Align,
    ) {
        if line.text.is_empty() {
            return;
        }
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - line.width) / 2.0,
            Align::Right => x + width - line.width,
        };
        let y = top - (lh - size) / 2.0 - self.em_top * size;
        self.ops.push(Op::Text {
            x,
            y,
            size,
            text: line.text.clone(),
            ink,
        });
    }

    pub fn rule(&mut self, from: (f32, f32), to: (f32, f32)) {
        self.ops.push(Op::Rule { from, to });
    }

    pub fn shade(&mut self, x: f32, y: f32, w: f32, h: f32, gray: f32) {
        self.ops.push(Op::Shade { x, y, w, h, gray });
    }

    /// Nothing has been placed on this page yet.
    pub fn at_top(&self) -> bool {
        self.y >= TOP
    }

    /// Free height left on this page.
    pub fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Height of an empty page's free space.
    pub fn page_room() -> f32 {
        TOP - BOTTOM
    }

    /// Starts a new page unless `height` fits here (or this page is still empty, so that
    /// something taller than a page cannot loop).
    pub fn need(&mut self, height: f32) {
        if height > self.room() && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space between blocks; none at the top of a page.
    pub fn gap(&mut self, height: f32) {
        if !self.at_top() {
            self.y -= height;
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = TOP;
    }

    /// All pages, each with its footer.
    fn finish(mut self) -> Vec<Vec<Op>> {
        self.new_page();
        let total = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (n, ops) in pages.iter_mut().enumerate() {
            let text = format!("第 {} 页 / 共 {total} 页", n + 1);
            let width = self.glyphs.width(&text, FOOTER_SIZE);
            ops.push(Op::Text {
                x: (PAGE_W - width) / 2.0,
                y: BOTTOM / 2.0,
                size: FOOTER_SIZE,
                text,
                ink: MUTED,
            });
        }
        pages
    }
}
