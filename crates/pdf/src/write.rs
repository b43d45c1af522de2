//! Writes laid-out pages as PDF objects: Flate-compressed content streams, the font subset as
//! a Type0 font (Identity-H; a character code is the subset's glyph id, which the subsetter
//! also makes the CID) with its widths and a ToUnicode map, and the document metadata.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write as _;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::font::{Font, Glyphs};
use crate::layout::{Ink, Op, PAGE_H, PAGE_W};
use crate::{Document, PdfError};

/// The one font resource of every page.
const FONT: Name<'static> = Name(b"F1");
/// CIDs are glyph ids of our own subset, not of a registered character collection.
const IDENTITY: SystemInfo<'static> = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};
const RULE_WIDTH: f32 = 0.5;
const RULE_GRAY: f32 = 0.45;
/// Simulated bold: the glyph outline is also stroked, this share of the text size wide.
const BOLD_STROKE: f32 = 0.03;

/// The glyphs the pages use, in subset order, and the character each stands for.
struct Used {
    remapper: GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

impl Used {
    /// The two-byte codes (subset glyph ids) that show `text`.
    fn encode(&mut self, glyphs: &mut Glyphs<'_>, text: &str) -> Vec<u8> {
        let mut codes = Vec::with_capacity(2 * text.len());
        for c in text.chars() {
            let glyph = glyphs.get(c);
            let cid = self.remapper.remap(glyph.id);
            if glyph.id != 0 {
                self.chars.entry(cid).or_insert(glyph.ch);
            }
            codes.extend(cid.to_be_bytes());
        }
        codes
    }
}

pub(crate) fn write(
    doc: &Document,
    pages: &[Vec<Op>],
    glyphs: &mut Glyphs<'_>,
    font: &Font,
) -> Result<Vec<u8>, PdfError> {
    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let (catalog, tree, info) = (alloc(), alloc(), alloc());
    let font_refs = FontRefs {
        type0: alloc(),
        cid: alloc(),
        descriptor: alloc(),
        program: alloc(),
        to_unicode: alloc(),
    };
    let mut pdf = Pdf::new();
    let mut used = Used {
        remapper: GlyphRemapper::new(),
        chars: BTreeMap::new(),
    };
    let mut kids = Vec::with_capacity(pages.len());
    for ops in pages {
        let (page_ref, content_ref) = (alloc(), alloc());
        let content = deflate(&page_content(ops, glyphs, &mut used))?;
        pdf.stream(content_ref, &content)
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_ref);
        page.resources().fonts().pair(FONT, font_refs.type0);
        page.finish();
        kids.push(page_ref);
    }
    pdf.pages(tree)
        .count(i32::try_from(kids.len()).unwrap_or(i32::MAX))
        .kids(kids);

    let mut catalog = pdf.catalog(catalog);
    catalog.pages(tree).lang(TextStr("zh-CN"));
    catalog.viewer_preferences().display_doc_title(true);
    catalog.finish();
    let mut meta = pdf.document_info(info);
    meta.title(TextStr(&doc.title)).producer(TextStr("Wangge"));
    if let Some(subtitle) = &doc.subtitle {
        meta.subject(TextStr(subtitle));
    }
    meta.finish();

    write_font(&mut pdf, &font_refs, &used, glyphs, font)?;
    Ok(pdf.finish())
}

/// Shades first, then grid lines, then text on top.
fn page_content(ops: &[Op], glyphs: &mut Glyphs<'_>, used: &mut Used) -> Vec<u8> {
    let mut content = Content::new();
    for op in ops {
        if let Op::Shade { x, y, w, h, gray } = *op {
            content.set_fill_gray(gray).rect(x, y, w, h).fill_nonzero();
        }
    }
    let mut rules = ops.iter().filter_map(|op| match op {
        Op::Rule { from, to } => Some((from, to)),
        _ => None,
    });
    if let Some(first) = rules.next() {
        content
            .set_line_width(RULE_WIDTH)
            .set_stroke_gray(RULE_GRAY);
        for (from, to) in std::iter::once(first).chain(rules) {
            content.move_to(from.0, from.1).line_to(to.0, to.1);
        }
        content.stroke();
    }
    content.begin_text();
    let mut state: Option<(f32, Ink)> = None;
    for op in ops {
        let Op::Text {
            x,
            y,
            size,
            text,
            ink,
        } = op
        else {
            continue;
        };
        if state.is_none_or(|(s, _)| s != *size) {
            content.set_font(FONT, *size);
        }
        if state.is_none_or(|s| s != (*size, *ink)) {
            content.set_fill_gray(ink.gray);
            if ink.bold {
                content
                    .set_text_rendering_mode(TextRenderingMode::FillStroke)
                    .set_stroke_gray(ink.gray)
                    .set_line_width(BOLD_STROKE * size);
            } else {
                content.set_text_rendering_mode(TextRenderingMode::Fill);
            }
        }
        state = Some((*size, *ink));
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
        content.show(Str(&used.encode(glyphs, text)));
    }
    content.end_text();
    content.finish().into_vec()
}

struct FontRefs {
    type0: Ref,
    cid: Ref,
    descriptor: Ref,
    program: Ref,
    to_unicode: Ref,
}

/// The Type0 font, its CID font with widths, the descriptor, the subset program and the
/// ToUnicode map that lets viewers copy and search the text.
fn write_font(
    pdf: &mut Pdf,
    refs: &FontRefs,
    used: &Used,
    glyphs: &Glyphs<'_>,
    font: &Font,
) -> Result<(), PdfError> {
    let info = &font.info;
    let base = format!("{}+{}", subset_tag(&used.remapper), info.ps_name);
    let base = Name(base.as_bytes());

    pdf.type0_font(refs.type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid)
        .to_unicode(refs.to_unicode);

    let mut cid = pdf.cid_font(refs.cid);
    cid.subtype(if info.cff {
        CidFontType::Type0
    } else {
        CidFontType::Type2
    })
    .base_font(base)
    .system_info(IDENTITY)
    .font_descriptor(refs.descriptor)
    .default_width(0.0);
    if !info.cff {
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    let widths = used
        .remapper
        .remapped_gids()
        .map(|id| glyphs.advance(id) * 1000.0);
    cid.widths().consecutive(0, widths);
    cid.finish();

    let mut descriptor = pdf.font_descriptor(refs.descriptor);
    let [x0, y0, x1, y1] = info.bbox;
    descriptor
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(info.italic_angle)
        .ascent(info.ascent)
        .descent(info.descent)
        .cap_height(info.cap_height)
        .stem_v(info.stem_v);
    if info.cff {
        descriptor.font_file3(refs.program);
    } else {
        descriptor.font_file2(refs.program);
    }
    descriptor.finish();

    let program = font.subset(&used.remapper)?;
    let compressed = deflate(&program)?;
    let mut stream = pdf.stream(refs.program, &compressed);
    stream.filter(Filter::FlateDecode);
    if info.cff {
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    } else {
        stream.pair(
            Name(b"Length1"),
            i32::try_from(program.len()).unwrap_or(i32::MAX),
        );
    }
    stream.finish();

    let mut cmap = UnicodeCmap::new(Name(b"Wangge-UTF16"), IDENTITY);
    for (&cid, &ch) in &used.chars {
        cmap.pair(cid, ch);
    }
    let cmap = deflate(cmap.finish().as_slice())?;
    pdf.stream(refs.to_unicode, &cmap)
        .filter(Filter::FlateDecode);
    Ok(())
}

/// Six capital letters that differ between subsets, as PDF requires of a subset's name.
fn subset_tag(remapper: &GlyphRemapper) -> String {
    let mut hasher = DefaultHasher::new();
    remapper.remapped_gids().for_each(|g| g.hash(&mut hasher));
    let mut hash = Hasher::finish(&hasher);
    (0..6)
        .map(|_| {
            let letter = b'A' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(PdfError::Compress)
}
