//! Checks an uploaded photo by its content and rebuilds it without metadata (EXIF with the
//! GPS position, XMP, IPTC, comments) before anyone else sees it.
//!
//! The type comes from the magic bytes, never from a file name or a client's content type.
//! Each format's container is walked piece by piece and written out again with only the
//! pieces that make up the picture; whatever runs past the end, or does not fit the format,
//! is refused. Nothing is decoded: pixels are copied byte for byte. Bytes after the image's
//! end (phones append previews and videos there) are not part of it and are dropped too.

/// The largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// A checked photo with its metadata removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// `"image/jpeg"`, `"image/png"` or `"image/webp"`.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Why a photo was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("照片是空文件")]
    Empty,
    #[error("照片大小为{}，不能超过{}MB", megabytes(*.size), MAX_PHOTO_BYTES >> 20)]
    TooLarge { size: usize },
    /// `found` names what the file is instead, when it is recognisable.
    #[error("文件不是 JPEG、PNG 或 WebP 格式的照片{}", found_note(*.found))]
    Unsupported { found: Option<&'static str> },
    /// A structure runs past the end of the file: an interrupted upload, most likely.
    #[error("{format} 文件不完整，可能没有上传完，请重新上传")]
    Truncated { format: &'static str },
    /// A structure is present but wrong.
    #[error("{format} 文件已损坏：{problem}")]
    Corrupt {
        format: &'static str,
        problem: &'static str,
    },
}

/// A size in megabytes, rounded up to a tenth so it never reads as the limit itself.
fn megabytes(bytes: usize) -> String {
    let tenths = bytes.saturating_mul(10).div_ceil(1 << 20);
    format!("{}.{}MB", tenths / 10, tenths % 10)
}

fn found_note(found: Option<&'static str>) -> String {
    found.map_or_else(String::new, |what| format!("（实际是{what}）"))
}

/// Checks the photo and returns it without metadata, with its type from its content.
pub fn sanitize(bytes: &[u8]) -> Result<Photo, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge { size: bytes.len() });
    }
    let (content_type, bytes) = if bytes.starts_with(JPEG_MAGIC) {
        ("image/jpeg", jpeg::strip(bytes)?)
    } else if bytes.starts_with(PNG_MAGIC) {
        ("image/png", png::strip(bytes)?)
    } else if is_webp(bytes) {
        ("image/webp", webp::strip(bytes)?)
    } else {
        return Err(PhotoError::Unsupported {
            found: other_kind(bytes),
        });
    };
    Ok(Photo {
        content_type,
        bytes,
    })
}

const JPEG_MAGIC: &[u8] = &[0xff, 0xd8, 0xff];
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

fn is_webp(bytes: &[u8]) -> bool {
    bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP")
}

/// What a refused file looks like, for the message: the kinds people upload by mistake.
fn other_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("GIF 图片")
    } else if bytes.starts_with(b"%PDF-") {
        Some("PDF 文档")
    } else if bytes.starts_with(b"BM") && bytes.len() > 14 {
        Some("BMP 图片")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("TIFF 图片")
    } else if bytes.get(4..8) == Some(b"ftyp") {
        // ISO media files: the brand tells an iPhone's HEIC photo from a video.
        let brand = bytes.get(8..12).unwrap_or_default();
        if HEIF_BRANDS.iter().any(|b| brand == *b) {
            Some("HEIC/AVIF 图片，请转为 JPEG 后上传")
        } else {
            Some("视频文件")
        }
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("压缩包或 Office 文档")
    } else {
        markup_kind(bytes)
    }
}

/// Web pages and SVG (which may carry scripts): text that opens with a tag, after an
/// optional byte order mark and white space.
fn markup_kind(bytes: &[u8]) -> Option<&'static str> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = text[start..text.len().min(start + 1024)].to_ascii_lowercase();
    if !head.starts_with(b"<") {
        None
    } else if head.windows(4).any(|w| w == b"<svg") {
        Some("SVG 矢量图")
    } else {
        Some("HTML/XML 网页文件")
    }
}

/// ISO media brands of HEIF and AVIF still images.
const HEIF_BRANDS: [&[u8; 4]; 7] = [
    b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif",
];

/// The big-endian `u16` at `at`, if the bytes reach that far.
fn be16(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_be_bytes([b[0], b[1]])))
}

/// The big-endian `u32` at `at`, if the bytes reach that far.
fn be32(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// The little-endian `u32` at `at`, if the bytes reach that far.
fn le32(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// JPEG: a sequence of marker segments; after each start of scan, entropy-coded data up to
/// the next marker; the image ends at EOI.
mod jpeg {
    use super::{PhotoError, be16};

    const FORMAT: &str = "JPEG";
    const SOI: u8 = 0xd8;
    const EOI: u8 = 0xd9;
    const SOS: u8 = 0xda;

    fn truncated() -> PhotoError {
        PhotoError::Truncated { format: FORMAT }
    }

    fn corrupt(problem: &'static str) -> PhotoError {
        PhotoError::Corrupt {
            format: FORMAT,
            problem,
        }
    }

    /// Start-of-frame markers SOF0–SOF15, less DHT, JPG and DAC which share the range.
    fn is_frame(code: u8) -> bool {
        matches!(code, 0xc0..=0xcf) && !matches!(code, 0xc4 | 0xc8 | 0xcc)
    }

    /// Markers that stand alone, without a length: TEM and the restart markers.
    fn is_standalone(code: u8) -> bool {
        matches!(code, 0x01 | 0xd0..=0xd7)
    }

    /// Whether a segment is part of the picture rather than metadata about it.
    fn keep(code: u8, payload: &[u8]) -> bool {
        match code {
            // APP1 (Exif with GPS, XMP), APP13 (IPTC, Photoshop), comments.
            0xe1 | 0xed | 0xfe => false,
            // APP2 holds ICC profiles (kept: the colours depend on them) and the
            // Multi-Picture index of images appended after EOI, which are dropped.
            0xe2 => !payload.starts_with(b"MPF\0"),
            _ => true,
        }
    }

    /// The Orientation tag (0x0112) of an APP1 Exif payload's first IFD, when it says the
    /// picture must be turned or mirrored (2–8).
    pub(super) fn exif_orientation(payload: &[u8]) -> Option<u16> {
        let tiff = payload.strip_prefix(b"Exif\0\0")?;
        let big = match tiff.get(..4)? {
            b"MM\0\x2a" => true,
            b"II\x2a\0" => false,
            _ => return None,
        };
        let u16_at = |at: usize| -> Option<u16> {
            let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
            Some(if big {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            })
        };
        let u32_at = |at: usize| -> Option<usize> {
            let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
            let v = if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            };
            usize::try_from(v).ok()
        };
        let ifd = u32_at(4)?;
        let entries = usize::from(u16_at(ifd)?);
        (0..entries)
            .map(|i| ifd + 2 + 12 * i)
            .find(|&e| u16_at(e) == Some(0x0112))
            .filter(|&e| u16_at(e + 2) == Some(3) && u32_at(e + 4) == Some(1))
            .and_then(|e| u16_at(e + 8))
            .filter(|turn| (2..=8).contains(turn))
    }

    /// An APP1 segment holding nothing but the Orientation tag.
    pub(super) fn orientation_only(turn: u16) -> Vec<u8> {
        let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        payload.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        payload.extend(turn.to_be_bytes());
        payload.extend([0, 0, 0, 0, 0, 0]); // value padding, no next IFD
        let mut segment = vec![0xff, 0xe1];
        segment.extend(((payload.len() + 2) as u16).to_be_bytes());
        segment.extend(payload);
        segment
    }

    /// The marker code at `pos` and the position after it, skipping fill bytes (0xFF runs).
    fn marker(bytes: &[u8], mut pos: usize) -> Result<(u8, usize), PhotoError> {
        match bytes.get(pos) {
            None => return Err(truncated()),
            Some(0xff) => {}
            Some(_) => return Err(corrupt("段之间有多余的数据")),
        }
        while bytes.get(pos) == Some(&0xff) {
            pos += 1;
        }
        let code = *bytes.get(pos).ok_or_else(truncated)?;
        Ok((code, pos + 1))
    }

    /// Where the entropy-coded data starting at `pos` ends: at the first 0xFF that begins
    /// a marker, i.e. is followed by neither a stuffed zero, a restart marker nor fill.
    fn scan_end(bytes: &[u8], mut pos: usize) -> Result<usize, PhotoError> {
        loop {
            let offset = bytes[pos..]
                .iter()
                .position(|&b| b == 0xff)
                .ok_or_else(truncated)?;
            pos += offset;
            match bytes.get(pos + 1) {
                None => return Err(truncated()),
                Some(0x00 | 0xd0..=0xd7) => pos += 2,
                Some(0xff) => pos += 1,
                Some(_) => return Ok(pos),
            }
        }
    }

    pub(super) fn strip(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
        let mut out = Vec::with_capacity(bytes.len());
        out.extend_from_slice(&[0xff, SOI]);
        let (mut pos, mut framed, mut scanned) = (2, false, false);
        loop {
            let (code, after) = marker(bytes, pos)?;
            pos = after;
            if code == EOI {
                if !scanned {
                    return Err(corrupt("没有图像数据"));
                }
                out.extend_from_slice(&[0xff, EOI]);
                return Ok(out);
            }
            if is_standalone(code) {
                out.extend_from_slice(&[0xff, code]);
                continue;
            }
            if matches!(code, 0x00 | SOI) {
                return Err(corrupt("段标记无效"));
            }
            let len = be16(bytes, pos).ok_or_else(truncated)?;
            if len < 2 {
                return Err(corrupt("段长度无效"));
            }
            let end = pos + len;
            let segment = bytes.get(pos..end).ok_or_else(truncated)?;
            if keep(code, &segment[2..]) {
                out.extend_from_slice(&[0xff, code]);
                out.extend_from_slice(segment);
            } else if let Some(turn) = exif_orientation(&segment[2..]) {
                // A phone held upright stores the picture on its side with this tag; keep
                // the tag alone so the photo is not shown sideways.
                out.extend_from_slice(&orientation_only(turn));
            }
            pos = end;
            framed |= is_frame(code);
            if code == SOS {
                if !framed {
                    return Err(corrupt("扫描段之前没有帧头"));
                }
                scanned = true;
                let data_end = scan_end(bytes, pos)?;
                out.extend_from_slice(&bytes[pos..data_end]);
                pos = data_end;
            }
        }
    }
}

/// PNG: the signature, then chunks of length, type, data and CRC, IHDR first and IEND last.
mod png {
    use super::{PNG_MAGIC, PhotoError, be32};

    const FORMAT: &str = "PNG";

    /// Text, EXIF (with GPS) and the modification time.
    const METADATA: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"];

    fn corrupt(problem: &'static str) -> PhotoError {
        PhotoError::Corrupt {
            format: FORMAT,
            problem,
        }
    }

    /// One chunk: its type and all its bytes (length, type, data, CRC).
    struct Chunk<'a> {
        kind: &'a [u8],
        raw: &'a [u8],
    }

    /// The chunk at `pos`, with its CRC checked.
    fn chunk(bytes: &[u8], pos: usize) -> Result<Chunk<'_>, PhotoError> {
        let truncated = || PhotoError::Truncated { format: FORMAT };
        let len = be32(bytes, pos).ok_or_else(truncated)?;
        if len > i32::MAX as usize {
            return Err(corrupt("数据块长度无效"));
        }
        let end = (pos + 12).checked_add(len).ok_or_else(truncated)?;
        let raw = bytes.get(pos..end).ok_or_else(truncated)?;
        let kind = &raw[4..8];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(corrupt("数据块类型无效"));
        }
        let stored = be32(raw, 8 + len).ok_or_else(truncated)?;
        if crc32(&raw[4..8 + len]) as usize != stored {
            return Err(corrupt("数据块校验和不符"));
        }
        Ok(Chunk { kind, raw })
    }

    pub(super) fn strip(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
        let mut out = PNG_MAGIC.to_vec();
        let (mut pos, mut has_data) = (PNG_MAGIC.len(), false);
        loop {
            let Chunk { kind, raw } = chunk(bytes, pos)?;
            let first = pos == PNG_MAGIC.len();
            if first != (kind == b"IHDR") {
                return Err(corrupt("IHDR 数据块应在最前且只有一个"));
            }
            if first && raw.len() != 12 + 13 {
                return Err(corrupt("IHDR 数据块长度应为13"));
            }
            has_data |= kind == b"IDAT";
            pos += raw.len();
            if !METADATA.iter().any(|m| kind == *m) {
                out.extend_from_slice(raw);
            }
            if kind == b"IEND" {
                return if has_data {
                    Ok(out)
                } else {
                    Err(corrupt("没有图像数据"))
                };
            }
        }
    }

    /// The CRC-32 table of ISO 3309 / PNG (reflected polynomial 0xEDB88320).
    const CRC_TABLE: [u32; 256] = {
        let mut table = [0; 256];
        let mut n = 0;
        while n < 256 {
            let mut c = n as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[n] = c;
            n += 1;
        }
        table
    };

    /// CRC-32 as PNG computes it over a chunk's type and data.
    pub(super) fn crc32(bytes: &[u8]) -> u32 {
        !bytes
            .iter()
            .fold(!0, |c, &b| CRC_TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8))
    }
}

/// WebP: a RIFF container of chunks (four-character code, little-endian size, data padded
/// to an even length); an extended file opens with VP8X, whose flags announce EXIF and XMP.
mod webp {
    use super::{PhotoError, le32};

    const FORMAT: &str = "WebP";
    /// VP8X flag bits for an EXIF and an XMP chunk.
    const EXIF_FLAG: u8 = 0x08;
    const XMP_FLAG: u8 = 0x04;

    fn corrupt(problem: &'static str) -> PhotoError {
        PhotoError::Corrupt {
            format: FORMAT,
            problem,
        }
    }

    /// The chunk at `pos` (header, data and padding) within `body`.
    fn chunk(body: &[u8], pos: usize) -> Result<&[u8], PhotoError> {
        let size = le32(body, pos + 4).ok_or_else(|| corrupt("数据块头不完整"))?;
        let end = size
            .checked_add(size & 1)
            .and_then(|padded| padded.checked_add(pos + 8))
            .filter(|&end| end <= body.len())
            .ok_or_else(|| corrupt("数据块长度超出文件范围"))?;
        Ok(&body[pos..end])
    }

    pub(super) fn strip(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
        let riff_size = le32(bytes, 4).ok_or_else(|| corrupt("RIFF 头无效"))?;
        let end = riff_size
            .checked_add(8)
            .filter(|&end| end <= bytes.len())
            .ok_or(PhotoError::Truncated { format: FORMAT })?;
        if riff_size < 4 + 8 {
            return Err(corrupt("没有图像数据"));
        }
        // Chunk offsets are taken within the RIFF payload; anything after it is dropped.
        let body = &bytes[..end];
        let mut kept = Vec::with_capacity(end);
        let (mut pos, mut has_image) = (12, false);
        while pos < end {
            let raw = chunk(body, pos)?;
            let kind = &raw[..4];
            if pos == 12 && !matches!(kind, b"VP8 " | b"VP8L" | b"VP8X") {
                return Err(corrupt("第一个数据块应为 VP8、VP8L 或 VP8X"));
            }
            has_image |= matches!(kind, b"VP8 " | b"VP8L" | b"ANMF");
            pos += raw.len();
            match kind {
                b"EXIF" | b"XMP " => {}
                b"VP8X" => {
                    if raw.len() < 8 + 10 {
                        return Err(corrupt("VP8X 数据块长度应至少为10"));
                    }
                    let mut vp8x = raw.to_vec();
                    vp8x[8] &= !(EXIF_FLAG | XMP_FLAG);
                    kept.extend_from_slice(&vp8x);
                }
                _ => kept.extend_from_slice(raw),
            }
        }
        if !has_image {
            return Err(corrupt("没有图像数据"));
        }
        let size = u32::try_from(4 + kept.len()).expect("smaller than the input");
        let mut out = Vec::with_capacity(12 + kept.len());
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend_from_slice(&kept);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A marker planted in every piece of metadata of the samples: none may survive.
    const SECRET: &[u8] = b"GPS-SECRET";

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn concat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    // --- JPEG ------------------------------------------------------------------------

    fn segment(code: u8, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(payload.len() + 2).unwrap();
        concat(&[&[0xff, code], &len.to_be_bytes(), payload])
    }

    /// A TIFF structure as in EXIF: IFD0 points to a GPS IFD with a latitude reference, a
    /// latitude of three rationals, and a processing method holding [`SECRET`].
    fn exif_with_gps() -> Vec<u8> {
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec(); // big-endian, IFD0 at 8
        t.extend([0, 1]); // one entry: GPSInfo (0x8825), LONG, 1, the GPS IFD at 26
        t.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26]);
        t.extend([0, 0, 0, 0]); // no next IFD
        t.extend([0, 3]); // GPS IFD: three entries
        t.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef "N"
        t.extend([0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 68]); // GPSLatitude at 68
        t.extend([0, 0x1b, 0, 7, 0, 0, 0, 10, 0, 0, 0, 92]); // GPSProcessingMethod at 92
        t.extend([0, 0, 0, 0]);
        for (num, den) in [(27u32, 1u32), (49, 1), (3012, 100)] {
            t.extend(num.to_be_bytes());
            t.extend(den.to_be_bytes());
        }
        assert_eq!(t.len(), 92);
        t.extend(SECRET);
        concat(&[b"Exif\0\0", &t])
    }

    /// The picture's own segments, kept as they are.
    fn jpeg_picture() -> Vec<Vec<u8>> {
        let dqt = concat(&[&[0], &[1; 64]]);
        let dht = concat(&[&[0x00, 1], &[0; 15], &[0]]); // one code of length 1: symbol 0
        vec![
            segment(0xe0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
            segment(0xe2, b"ICC_PROFILE\0\x01\x01fake-profile"),
            segment(0xdb, &dqt),
            segment(0xc2, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]), // progressive, 1x1, one component
            segment(0xc4, &dht),
            segment(0xda, &[1, 1, 0, 0, 0, 0]),
            // Entropy-coded data with a stuffed 0xFF and a restart marker.
            vec![0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56],
            segment(0xc4, &dht), // a second scan, as progressive files have
            segment(0xda, &[1, 1, 0, 1, 5, 0]),
            vec![0x78, 0x9a],
        ]
    }

    /// A JPEG with every kind of metadata, and what it must become.
    fn jpeg_sample() -> (Vec<u8>, Vec<u8>) {
        let picture = jpeg_picture();
        let meta = [
            segment(0xe1, &exif_with_gps()),
            segment(
                0xe1,
                &concat(&[b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>", SECRET]),
            ),
            segment(0xed, &concat(&[b"Photoshop 3.0\08BIM\x04\x04", SECRET])),
            segment(0xfe, SECRET),
            segment(0xe2, &concat(&[b"MPF\0", SECRET])),
        ];
        let soi: &[u8] = &[0xff, 0xd8];
        let eoi: &[u8] = &[0xff, 0xd9];
        let mut input = vec![soi.to_vec(), picture[0].clone()];
        input.extend(meta);
        input.push(vec![0xff]); // a fill byte before a marker, which is not kept
        input.extend_from_slice(&picture[1..]);
        input.extend([eoi.to_vec(), concat(&[b"appended video ", SECRET])]);
        let expected = [&[soi.to_vec()], &picture[..], &[eoi.to_vec()]]
            .concat()
            .concat();
        (input.concat(), expected)
    }

    #[test]
    fn jpeg_loses_exif_xmp_iptc_comments_and_trailer() {
        let (input, expected) = jpeg_sample();
        assert!(contains(&input, b"GPS") && contains(&input, SECRET));
        let photo = sanitize(&input).unwrap();
        assert_eq!(photo.content_type, "image/jpeg");
        assert!(!contains(&photo.bytes, SECRET));
        assert!(!contains(&photo.bytes, b"Exif"));
        assert_eq!(photo.bytes, expected);
        assert_eq!(sanitize(&photo.bytes), Ok(photo));
    }

    /// An Exif block with the Orientation tag and a GPS position, little-endian as most
    /// phones write it.
    fn exif_turned(turn: u16) -> Vec<u8> {
        let mut t = b"II\x2a\0\x08\0\0\0".to_vec();
        t.extend([2, 0]); // two entries
        t.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0]);
        t.extend(turn.to_le_bytes());
        t.extend([0, 0]);
        t.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]); // GPSInfo at 38
        t.extend([0, 0, 0, 0]);
        t.extend([1, 0]); // GPS IFD: GPSLatitudeRef "N"
        t.extend([1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        t.extend([0, 0, 0, 0]);
        t.extend(SECRET);
        concat(&[b"Exif\0\0", &t])
    }

    #[test]
    fn jpeg_keeps_only_the_orientation_of_its_exif() {
        let picture = jpeg_picture();
        let soi: &[u8] = &[0xff, 0xd8];
        let eoi: &[u8] = &[0xff, 0xd9];
        for turn in [1u16, 3, 6, 8] {
            let input = [
                &[soi.to_vec(), segment(0xe1, &exif_turned(turn))],
                &picture[..],
                &[eoi.to_vec()],
            ]
            .concat()
            .concat();
            let photo = sanitize(&input).unwrap();
            assert!(!contains(&photo.bytes, SECRET), "turn {turn}");
            let kept = jpeg::exif_orientation(&photo.bytes[6..]);
            if turn == 1 {
                // Upright: nothing to keep.
                assert!(!contains(&photo.bytes, b"Exif"));
            } else {
                assert_eq!(kept, Some(turn), "turn {turn}");
                assert_eq!(
                    &photo.bytes[2..],
                    &[jpeg::orientation_only(turn), picture.concat(), eoi.to_vec()].concat()[..]
                );
            }
            assert_eq!(sanitize(&photo.bytes), Ok(photo), "idempotent, turn {turn}");
        }
        // A malformed Exif block is dropped whole.
        assert_eq!(
            jpeg::exif_orientation(b"Exif\0\0II\x2a\0\xff\xff\0\0"),
            None
        );
        assert_eq!(jpeg::exif_orientation(b"Exif\0\0"), None);
    }

    #[test]
    fn jpeg_structure_errors() {
        let (input, _) = jpeg_sample();
        let truncated = PhotoError::Truncated { format: "JPEG" };
        let eoi = input.len()
            - input
                .windows(2)
                .rev()
                .position(|w| w == [0xff, 0xd9])
                .unwrap();
        for cut in [3, 4, 5, 30, eoi - 2, eoi - 1] {
            assert_eq!(
                sanitize(&input[..cut]),
                Err(truncated.clone()),
                "cut at {cut}"
            );
        }
        assert_eq!(
            truncated.to_string(),
            "JPEG 文件不完整，可能没有上传完，请重新上传"
        );
        let corrupt = |bytes: &[u8]| match sanitize(bytes) {
            Err(PhotoError::Corrupt { format, problem }) => (format, problem),
            other => panic!("{other:?}"),
        };
        // A segment length below its own two bytes.
        assert_eq!(
            corrupt(b"\xff\xd8\xff\xe0\x00\x01\xff\xd9"),
            ("JPEG", "段长度无效")
        );
        // Stray bytes between segments, a scan before the frame, and no scan at all.
        assert_eq!(
            corrupt(b"\xff\xd8\xff\xfe\x00\x02xx\xff\xd9").1,
            "段之间有多余的数据"
        );
        assert_eq!(
            corrupt(&concat(&[
                b"\xff\xd8",
                &segment(0xda, &[0]),
                b"\x00\xff\xd9"
            ]))
            .1,
            "扫描段之前没有帧头"
        );
        assert_eq!(corrupt(b"\xff\xd8\xff\xd9").1, "没有图像数据");
        assert_eq!(corrupt(b"\xff\xd8\xff\xd8").1, "段标记无效");
        let message = PhotoError::Corrupt {
            format: "JPEG",
            problem: "段长度无效",
        };
        assert_eq!(message.to_string(), "JPEG 文件已损坏：段长度无效");
    }

    // --- PNG -------------------------------------------------------------------------

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let len = u32::try_from(data.len()).unwrap();
        let crc = png::crc32(&concat(&[kind, data]));
        concat(&[&len.to_be_bytes(), kind, data, &crc.to_be_bytes()])
    }

    /// A real 1×1 grey PNG with metadata chunks, and what it must become.
    fn png_sample() -> (Vec<u8>, Vec<u8>) {
        let ihdr = png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        let srgb = png_chunk(b"sRGB", &[0]);
        // zlib, one stored block of the row [filter 0, pixel 0], then its Adler-32.
        let idat = png_chunk(b"IDAT", &[0x78, 1, 1, 2, 0, 0xfd, 0xff, 0, 0, 0, 2, 0, 1]);
        let iend = png_chunk(b"IEND", &[]);
        let exif = exif_with_gps();
        let meta = [
            png_chunk(b"eXIf", &exif[6..]),
            png_chunk(b"tEXt", &concat(&[b"Comment\0", SECRET])),
            png_chunk(b"zTXt", &concat(&[b"Raw\0\0", SECRET])),
            png_chunk(b"iTXt", &concat(&[b"XML:com.adobe.xmp\0\0\0\0\0", SECRET])),
            png_chunk(b"tIME", &[7, 0xea, 3, 2, 9, 30, 0]),
        ];
        let sig = PNG_MAGIC.to_vec();
        let mut input = vec![sig.clone(), ihdr.clone(), meta[0].clone(), srgb.clone()];
        input.extend_from_slice(&meta[1..]);
        input.extend([idat.clone(), iend.clone(), SECRET.to_vec()]);
        let expected = [sig, ihdr, srgb, idat, iend].concat();
        (input.concat(), expected)
    }

    #[test]
    fn png_crc_known_answers() {
        assert_eq!(png::crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(png::crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn png_loses_exif_text_and_time() {
        let (input, expected) = png_sample();
        assert!(contains(&input, b"GPS"));
        let photo = sanitize(&input).unwrap();
        assert_eq!(photo.content_type, "image/png");
        assert!(!contains(&photo.bytes, SECRET) && !contains(&photo.bytes, b"GPS"));
        assert_eq!(photo.bytes, expected);
        assert_eq!(sanitize(&photo.bytes), Ok(photo));
    }

    #[test]
    fn png_structure_errors() {
        let (_, good) = png_sample();
        let problem = |bytes: &[u8]| match sanitize(bytes) {
            Err(PhotoError::Corrupt {
                format: "PNG",
                problem,
            }) => problem,
            other => panic!("{other:?}"),
        };
        let mut bad_crc = good.clone();
        let last = bad_crc.len() - 1;
        bad_crc[last] ^= 1;
        assert_eq!(problem(&bad_crc), "数据块校验和不符");
        let ihdr_end = 8 + 25;
        let text = png_chunk(b"tEXt", b"a\0b");
        let text_first = concat(&[&good[..8], &text, &good[8..]]);
        assert_eq!(problem(&text_first), "IHDR 数据块应在最前且只有一个");
        let twice = concat(&[&good[..ihdr_end], &good[8..]]);
        assert_eq!(problem(&twice), "IHDR 数据块应在最前且只有一个");
        let no_data = concat(&[&good[..ihdr_end], &png_chunk(b"IEND", &[])]);
        assert_eq!(problem(&no_data), "没有图像数据");
        let bad_type = concat(&[
            &good[..ihdr_end],
            &png_chunk(b"ID4T", &[]),
            &good[ihdr_end..],
        ]);
        assert_eq!(problem(&bad_type), "数据块类型无效");
        let mut huge = good.clone();
        huge[ihdr_end..ihdr_end + 4].copy_from_slice(&[0x80, 0, 0, 0]);
        assert_eq!(problem(&huge), "数据块长度无效");
        // Without IEND the file was cut short.
        let no_end = &good[..good.len() - 12];
        assert_eq!(
            sanitize(no_end),
            Err(PhotoError::Truncated { format: "PNG" })
        );
    }

    // --- WebP ------------------------------------------------------------------------

    fn webp_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let len = u32::try_from(data.len()).unwrap();
        let pad: &[u8] = if data.len() % 2 == 1 { &[0] } else { &[] };
        concat(&[kind, &len.to_le_bytes(), data, pad])
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body = chunks.concat();
        let size = u32::try_from(4 + body.len()).unwrap();
        concat(&[b"RIFF", &size.to_le_bytes(), b"WEBP", &body])
    }

    /// An extended WebP with alpha, EXIF and XMP announced and present (odd sizes, so
    /// padded), and what it must become.
    fn webp_sample() -> (Vec<u8>, Vec<u8>) {
        let vp8x = |flags: u8| webp_chunk(b"VP8X", &[flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let image = webp_chunk(b"VP8L", &[0x2f, 0, 0, 0, 0x10]);
        let exif = webp_chunk(b"EXIF", &exif_with_gps()[6..]);
        let xmp = webp_chunk(b"XMP ", &concat(&[b"<x:xmpmeta>", SECRET, b"!"]));
        let mut input = riff(&[vp8x(0x10 | 0x08 | 0x04), image.clone(), exif, xmp]);
        input.extend(SECRET);
        let expected = riff(&[vp8x(0x10), image]);
        (input, expected)
    }

    #[test]
    fn webp_loses_exif_and_xmp_and_their_flags() {
        let (input, expected) = webp_sample();
        let photo = sanitize(&input).unwrap();
        assert_eq!(photo.content_type, "image/webp");
        assert!(!contains(&photo.bytes, SECRET) && !contains(&photo.bytes, b"GPS"));
        assert_eq!(photo.bytes, expected);
        assert_eq!(sanitize(&photo.bytes), Ok(photo));
        // A simple lossless file has nothing to remove.
        let simple = riff(&[webp_chunk(b"VP8L", &[0x2f, 0, 0, 0, 0x10])]);
        assert_eq!(sanitize(&simple).unwrap().bytes, simple);
    }

    #[test]
    fn webp_structure_errors() {
        let (_, good) = webp_sample();
        let problem = |bytes: &[u8]| match sanitize(bytes) {
            Err(PhotoError::Corrupt {
                format: "WebP",
                problem,
            }) => problem,
            other => panic!("{other:?}"),
        };
        // The RIFF size promises more than there is.
        assert_eq!(
            sanitize(&good[..good.len() - 1]),
            Err(PhotoError::Truncated { format: "WebP" })
        );
        // A chunk longer than the RIFF payload.
        let mut long = good.clone();
        long[16] = 0xff;
        assert_eq!(problem(&long), "数据块长度超出文件范围");
        let short_vp8x = riff(&[webp_chunk(b"VP8X", &[0; 4]), webp_chunk(b"VP8L", &[0])]);
        assert_eq!(problem(&short_vp8x), "VP8X 数据块长度应至少为10");
        let exif_first = riff(&[webp_chunk(b"EXIF", SECRET), webp_chunk(b"VP8L", &[0])]);
        assert_eq!(problem(&exif_first), "第一个数据块应为 VP8、VP8L 或 VP8X");
        let no_image = riff(&[webp_chunk(b"VP8X", &[0; 10])]);
        assert_eq!(problem(&no_image), "没有图像数据");
        assert_eq!(problem(&riff(&[])), "没有图像数据");
    }

    // --- Everything else ---------------------------------------------------------------

    #[test]
    fn other_files_are_refused_by_content() {
        let found = |bytes: &[u8]| match sanitize(bytes) {
            Err(e @ PhotoError::Unsupported { found }) => (found, e.to_string()),
            other => panic!("{other:?}"),
        };
        let (what, message) = found(b"GIF89a\x01\x00\x01\x00\x80\x00\x00");
        assert_eq!(what, Some("GIF 图片"));
        assert_eq!(
            message,
            "文件不是 JPEG、PNG 或 WebP 格式的照片（实际是GIF 图片）"
        );
        assert_eq!(found(b"%PDF-1.7\n%\xe2\xe3").0, Some("PDF 文档"));
        // A web page saved as photo.jpg is still a web page.
        let page = b"\xef\xbb\xbf\n  <!DOCTYPE html><html><script>alert(1)</script>";
        assert_eq!(found(page).0, Some("HTML/XML 网页文件"));
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(found(svg).0, Some("SVG 矢量图"));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert!(found(heic).0.unwrap().starts_with("HEIC"));
        assert_eq!(found(b"\0\0\0\x18ftypisom\0\0\x02\0").0, Some("视频文件"));
        assert_eq!(
            found(b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28").0,
            Some("BMP 图片")
        );
        let (what, message) = found(b"hello");
        assert_eq!(what, None);
        assert_eq!(message, "文件不是 JPEG、PNG 或 WebP 格式的照片");
        // Only the magic bytes count: "RIFF" of another kind is not WebP.
        assert_eq!(found(b"RIFF\x04\0\0\0WAVE").0, None);
    }

    #[test]
    fn empty_and_oversize() {
        assert_eq!(sanitize(&[]), Err(PhotoError::Empty));
        assert_eq!(PhotoError::Empty.to_string(), "照片是空文件");
        let (jpeg, expected) = jpeg_sample();
        let mut big = jpeg.clone();
        big.resize(MAX_PHOTO_BYTES, 0);
        // At the limit it is accepted (the padding after EOI goes), one byte more is not.
        assert_eq!(sanitize(&big).unwrap().bytes, expected);
        big.push(0);
        let e = sanitize(&big).unwrap_err();
        assert_eq!(
            e,
            PhotoError::TooLarge {
                size: MAX_PHOTO_BYTES + 1
            }
        );
        assert_eq!(e.to_string(), "照片大小为10.1MB，不能超过10MB");
        assert_eq!(megabytes(3 << 20), "3.0MB");
        assert_eq!(megabytes(1), "0.1MB");
    }

    /// SplitMix64: a small deterministic generator, so a failure can be replayed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// The outcome for damaged input must be an error or a photo that is already clean.
    fn error_or_valid(bytes: &[u8]) {
        if let Ok(photo) = sanitize(bytes) {
            assert_eq!(sanitize(&photo.bytes).as_ref(), Ok(&photo), "{bytes:?}");
        }
    }

    #[test]
    fn damaged_files_never_panic() {
        let samples = [jpeg_sample(), png_sample(), webp_sample()];
        let mut rng = Rng(0x9407_0501);
        for (input, clean) in &samples {
            for image in [input, clean] {
                // Every cut of a clean image before its end is refused.
                for cut in 0..clean.len() {
                    assert!(sanitize(&clean[..cut]).is_err(), "cut at {cut}");
                }
                // Random cuts and random damage to bytes, lengths and markers.
                for _ in 0..2000 {
                    let mut bytes = image[..rng.below(image.len() + 1)].to_vec();
                    error_or_valid(&bytes);
                    for _ in 0..1 + rng.below(4) {
                        if let Some(at) = (!bytes.is_empty()).then(|| rng.below(bytes.len())) {
                            bytes[at] = rng.next() as u8;
                        }
                    }
                    error_or_valid(&bytes);
                }
            }
        }
    }
}
