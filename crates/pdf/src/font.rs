//! Finding and loading the CJK font, measuring text with it, and cutting it down to the
//! glyphs a document uses.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use subsetter::GlyphRemapper;
use ttf_parser::{Face, RawFace, Tag, name_id};

use crate::PdfError;

/// Names a font file, optionally `path#index` for a face of a collection.
const ENV: &str = "WANGGE_PDF_FONT";

/// Debian's CJK fonts, best first: the package is named in the comment.
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", // fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",         // fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",           // fonts-wqy-zenhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",             // fonts-arphic-uming
];

/// The face of a collection to use when no index is given: simplified Chinese forms.
const PREFERRED_FAMILY: &str = "Noto Sans CJK SC";

const CFF: Tag = Tag::from_bytes(b"CFF ");
const GLYF: Tag = Tag::from_bytes(b"glyf");

/// A font loaded once and shared by every render (cloning is cheap).
#[derive(Clone)]
pub struct Font {
    data: Arc<[u8]>,
    index: u32,
    path: PathBuf,
    family: String,
    pub(crate) info: Info,
}

/// What the PDF font objects say about the face, in units of 1/1000 em.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    pub ps_name: String,
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    pub bbox: [f32; 4],
    pub italic_angle: f32,
    pub stem_v: f32,
    /// CFF outlines (embedded as CIDFontType0) rather than TrueType (CIDFontType2).
    pub cff: bool,
    /// Height of the em box above the baseline, as a share of the em; centres text in a line.
    pub em_top: f32,
}

impl Font {
    /// The font named by `WANGGE_PDF_FONT`, else the first installed of Debian's CJK fonts
    /// (fonts-noto-cjk's Noto Sans CJK SC first). The font must contain Chinese characters.
    pub fn load_default() -> Result<Font, PdfError> {
        let spec = std::env::var_os(ENV).filter(|v| !v.is_empty());
        load_with(spec.as_deref(), CANDIDATES)
    }

    /// The face at `index` of a font file (0 for a plain `.ttf`/`.otf`); unlike
    /// [`Font::load_default`] it accepts a font without Chinese characters.
    pub fn from_path(path: impl AsRef<Path>, index: u32) -> Result<Font, PdfError> {
        open(path.as_ref(), Some(index))
    }

    /// The family name, e.g. "Noto Sans CJK SC".
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The file the font was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The face's index in its file.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Width in points of `text` set in this font at `size` points, on one line.
    pub fn text_width(&self, text: &str, size: f32) -> f32 {
        self.glyphs().map_or(0.0, |mut g| g.width(text, size))
    }

    /// Characters of `text` that the font has no glyph for (rendered as '?'), in order.
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        let Ok(mut glyphs) = self.glyphs() else {
            return text.chars().collect();
        };
        text.chars().for_each(|c| {
            glyphs.get(c);
        });
        glyphs.missing.into_iter().collect()
    }

    /// A measuring cache over the parsed face, made once per render.
    pub(crate) fn glyphs(&self) -> Result<Glyphs<'_>, PdfError> {
        let face = Face::parse(&self.data, self.index).map_err(|e| self.parse_error(e))?;
        Ok(Glyphs::new(face))
    }

    /// The font program holding only the glyphs in `remapper`, new glyph id = CID: a bare CFF
    /// table for CFF outlines, else a whole TrueType file.
    pub(crate) fn subset(&self, remapper: &GlyphRemapper) -> Result<Vec<u8>, PdfError> {
        let sub = subsetter::subset(&self.data, self.index, remapper)
            .map_err(|e| PdfError::Subset(e.to_string()))?;
        if !self.info.cff {
            return Ok(sub);
        }
        let raw = RawFace::parse(&sub, 0).map_err(|e| PdfError::Subset(e.to_string()))?;
        raw.table(CFF)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| PdfError::Subset("子集中没有 CFF 表".into()))
    }

    fn parse_error(&self, e: impl fmt::Display) -> PdfError {
        PdfError::FontParse {
            path: self.path.clone(),
            index: self.index,
            reason: e.to_string(),
        }
    }
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Font({self})")
    }
}

impl fmt::Display for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}（{}#{}）",
            self.family,
            self.path.display(),
            self.index
        )
    }
}

/// `spec` (the environment variable) wins and is not second-guessed; else the first
/// candidate that exists.
fn load_with(spec: Option<&OsStr>, candidates: &[&str]) -> Result<Font, PdfError> {
    let font = match spec {
        Some(spec) => {
            let (path, index) = parse_spec(spec)?;
            open(&path, index)?
        }
        None => {
            let Some(path) = candidates.iter().map(Path::new).find(|p| p.is_file()) else {
                return Err(PdfError::FontNotFound {
                    tried: candidates.join("、"),
                });
            };
            open(path, None)?
        }
    };
    if font.glyphs()?.face.glyph_index('中').is_none() {
        return Err(PdfError::NotCjk {
            path: font.path,
            index: font.index,
        });
    }
    Ok(font)
}

/// `path` or `path#index`; a `#` not followed by a number belongs to the path.
fn parse_spec(spec: &OsStr) -> Result<(PathBuf, Option<u32>), PdfError> {
    let text = spec
        .to_str()
        .ok_or_else(|| PdfError::FontSpec(spec.to_string_lossy().into_owned()))?;
    match text.rsplit_once('#') {
        Some((path, index)) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => {
            let index = index
                .parse()
                .map_err(|_| PdfError::FontSpec(text.to_owned()))?;
            Ok((PathBuf::from(path), Some(index)))
        }
        _ => Ok((PathBuf::from(text), None)),
    }
}

/// Reads and checks one face; without an index, picks the simplified-Chinese face.
fn open(path: &Path, index: Option<u32>) -> Result<Font, PdfError> {
    let data: Arc<[u8]> = std::fs::read(path)
        .map_err(|source| PdfError::FontRead {
            path: path.to_owned(),
            source,
        })?
        .into();
    let index = index.unwrap_or_else(|| preferred_face(&data));
    let error = |reason: String| PdfError::FontParse {
        path: path.to_owned(),
        index,
        reason,
    };
    let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
    if index >= count {
        return Err(error(format!("文件中只有 {count} 个字体")));
    }
    let face = Face::parse(&data, index).map_err(|e| error(e.to_string()))?;
    let raw = face.raw_face();
    let cff = raw.table(CFF).is_some();
    if !cff && raw.table(GLYF).is_none() {
        return Err(error(
            "不支持的字形格式（只支持 CFF 和 TrueType 轮廓）".into(),
        ));
    }
    let family = name(&face, name_id::TYPOGRAPHIC_FAMILY)
        .or_else(|| name(&face, name_id::FAMILY))
        .unwrap_or_default();
    let info = info(&face, cff);
    Ok(Font {
        data,
        index,
        path: path.to_owned(),
        family,
        info,
    })
}

/// The first face named [`PREFERRED_FAMILY`], else the first whose family ends in " SC"
/// (simplified Chinese), else the first face.
fn preferred_face(data: &[u8]) -> u32 {
    let families: Vec<(u32, String)> = (0..ttf_parser::fonts_in_collection(data).unwrap_or(1))
        .filter_map(|i| {
            let face = Face::parse(data, i).ok()?;
            Some((i, name(&face, name_id::FAMILY)?))
        })
        .collect();
    families
        .iter()
        .find(|(_, f)| f == PREFERRED_FAMILY)
        .or_else(|| families.iter().find(|(_, f)| f.ends_with(" SC")))
        .map_or(0, |(i, _)| *i)
}

/// A name-table entry, the English (US) one where there is a choice.
fn name(face: &Face<'_>, id: u16) -> Option<String> {
    let mut found = None;
    for entry in face.names().into_iter().filter(|n| n.name_id == id) {
        let text = entry.to_string().or_else(|| {
            // Macintosh Roman names: the ASCII ones (PostScript names) read as they are.
            entry
                .name
                .is_ascii()
                .then(|| String::from_utf8_lossy(entry.name).into_owned())
        });
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            if entry.language_id == 0x409 {
                return Some(text);
            }
            found.get_or_insert(text);
        }
    }
    found
}

fn info(face: &Face<'_>, cff: bool) -> Info {
    let per_em = f32::from(face.units_per_em().max(1));
    let scale = |v: i16| f32::from(v) * 1000.0 / per_em;
    let bbox = face.global_bounding_box();
    let ps_name: String = name(face, name_id::POST_SCRIPT_NAME)
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect();
    let ascent = face.typographic_ascender().unwrap_or(face.ascender());
    let descent = face.typographic_descender().unwrap_or(face.descender());
    let em_top = if ascent > descent {
        f32::from(ascent) / (f32::from(ascent) - f32::from(descent))
    } else {
        0.8
    };
    Info {
        ps_name: if ps_name.is_empty() {
            "WanggeCJK".into()
        } else {
            ps_name
        },
        ascent: scale(face.ascender()),
        descent: scale(face.descender()),
        cap_height: scale(face.capital_height().unwrap_or(face.ascender())),
        bbox: [
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ],
        italic_angle: face.italic_angle(),
        // The usual estimate from the weight class; viewers barely use it.
        stem_v: 10.0 + 0.244 * (f32::from(face.weight().to_number()) - 50.0),
        cff,
        em_top,
    }
}

/// One character as drawn: the glyph, its advance in em, and the character it stands for
/// in the text layer ('?' where the font lacks the original).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub id: u16,
    pub advance: f32,
    pub ch: char,
}

/// Looks glyphs up once per character and remembers which characters the font lacks.
pub(crate) struct Glyphs<'a> {
    face: Face<'a>,
    per_em: f32,
    cache: HashMap<char, Glyph>,
    pub missing: BTreeSet<char>,
}

impl<'a> Glyphs<'a> {
    fn new(face: Face<'a>) -> Self {
        Glyphs {
            per_em: f32::from(face.units_per_em().max(1)),
            face,
            cache: HashMap::new(),
            missing: BTreeSet::new(),
        }
    }

    /// The glyph for `c`; a character the font lacks becomes '?' (or .notdef if even that is
    /// missing) and is recorded in `missing`.
    pub fn get(&mut self, c: char) -> Glyph {
        if let Some(g) = self.cache.get(&c) {
            return *g;
        }
        let glyph = match self.face.glyph_index(c) {
            Some(id) => self.glyph(id.0, c),
            None => {
                self.missing.insert(c);
                let id = self.face.glyph_index('?').map_or(0, |g| g.0);
                self.glyph(id, '?')
            }
        };
        self.cache.insert(c, glyph);
        glyph
    }

    /// The advance of an original glyph id, in em.
    pub fn advance(&self, id: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(id))
            .unwrap_or(0);
        f32::from(units) / self.per_em
    }

    fn glyph(&self, id: u16, ch: char) -> Glyph {
        Glyph {
            id,
            advance: self.advance(id),
            ch,
        }
    }

    /// Width in points of `text` on one line at `size` points.
    pub fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.get(c).advance).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_with_and_without_index() {
        let (p, i) = parse_spec(OsStr::new("/f/a.ttc#2")).unwrap();
        assert_eq!((p, i), (PathBuf::from("/f/a.ttc"), Some(2)));
        let (p, i) = parse_spec(OsStr::new("/f/a#b.ttf")).unwrap();
        assert_eq!((p, i), (PathBuf::from("/f/a#b.ttf"), None));
        assert!(parse_spec(OsStr::new("/f/a.ttc#99999999999")).is_err());
    }

    #[test]
    fn no_font_names_the_package() {
        let err = load_with(None, &["/nonexistent/a.ttc", "/nonexistent/b.ttc"]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("apt-get install fonts-noto-cjk"),
            "{message}"
        );
        assert!(message.contains("/nonexistent/b.ttc"), "{message}");
    }

    #[test]
    fn spec_picks_the_face_and_wants_chinese() {
        let noto = CANDIDATES[0];
        if Path::new(noto).is_file() {
            let font = load_with(Some(OsStr::new(&format!("{noto}#0"))), &[]).unwrap();
            assert_eq!((font.index(), font.family()), (0, "Noto Sans CJK JP"));
            let font = load_with(Some(OsStr::new(noto)), &[]).unwrap();
            assert_eq!(font.family(), PREFERRED_FAMILY);
        }
        let dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        if Path::new(dejavu).is_file() {
            let err = load_with(Some(OsStr::new(dejavu)), CANDIDATES).unwrap_err();
            assert!(matches!(err, PdfError::NotCjk { .. }), "{err}");
        }
    }

    #[test]
    fn unreadable_and_bad_index_are_errors() {
        let err = load_with(Some(OsStr::new("/nonexistent/x.ttf#1")), CANDIDATES).unwrap_err();
        assert!(matches!(err, PdfError::FontRead { .. }), "{err}");
        let cargo = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let err = Font::from_path(cargo, 0).unwrap_err();
        assert!(matches!(err, PdfError::FontParse { .. }), "{err}");
    }
}
