//! Renders reports and reads them back with poppler (pdftotext, pdffonts): the Chinese text
//! must come back exactly and the font must be an embedded subset. Without a CJK font or
//! poppler-utils the tests say why and pass; CI installs both (.ci/run).

mod sample;

use std::path::PathBuf;
use std::process::Command;

use wangge_pdf::{Block, Document, Font, Table, missing_chars, render};

fn font() -> Option<Font> {
    match Font::load_default() {
        Ok(font) => Some(font),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// Runs a poppler tool on `pdf` (`FILE` in `args`); `None` (with the reason printed) when
/// it is not installed.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
    if Command::new(tool).arg("-v").output().is_err() {
        eprintln!("skipped: {tool} is missing (apt-get install poppler-utils)");
        return None;
    }
    let path = temp_pdf(pdf);
    let args = args.iter().map(|a| {
        if *a == "FILE" {
            path.as_os_str()
        } else {
            a.as_ref()
        }
    });
    let output = Command::new(tool).args(args).output();
    let _ = std::fs::remove_file(&path);
    let output = output.expect("poppler runs");
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("poppler prints UTF-8"))
}

fn temp_pdf(pdf: &[u8]) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("wangge-pdf-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).expect("temp file");
    path
}

fn text_of(pdf: &[u8]) -> Option<String> {
    poppler("pdftotext", &["-enc", "UTF-8", "FILE", "-"], pdf)
}

/// Page objects in the file (their dictionaries are not compressed).
fn page_count(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

fn assert_pdf(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-1."), "not a PDF header");
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"), "no PDF trailer");
}

#[test]
fn weekly_review_flows_over_pages() {
    let Some(font) = font() else { return };
    let pdf = render(&sample::weekly_review(200), &font).unwrap();
    assert_pdf(&pdf);
    // Every table row is one line high, so the count depends only on the layout.
    assert_eq!(page_count(&pdf), 6);
    assert!(pdf.len() < 300 * 1024, "{} bytes", pdf.len());

    let one = Document {
        title: sample::TITLE.into(),
        blocks: vec![Block::Paragraph("一段话。".into())],
        ..Document::default()
    };
    assert_eq!(page_count(&render(&one, &font).unwrap()), 1);
}

#[test]
fn text_comes_back_exactly() {
    let Some(font) = font() else { return };
    let doc = sample::weekly_review(200);
    let Some(text) = text_of(&render(&doc, &font).unwrap()) else {
        return;
    };
    assert!(text.starts_with(sample::TITLE), "{text}");
    for expected in [
        "区网格化服务管理中心",
        "按期办结率",
        "一、总体情况",
        "较上周增加 8.2%",
        "落实“一事一专班”",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    for i in [1, 57, 200] {
        for cell in sample::row(i) {
            assert!(text.contains(&cell), "cell {cell} not in {text}");
        }
    }
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), 6);
    for (n, page) in pages.iter().enumerate() {
        // pdftotext drops narrow spaces between Chinese and digits.
        let footer = format!("第{}页/共6页", n + 1);
        assert!(page.replace(' ', "").contains(&footer), "{page}");
        if n > 0 && n < 5 {
            // The table goes on: its header is repeated.
            assert!(
                page.contains(sample::HEADER[1]),
                "no header on page {}",
                n + 1
            );
        }
    }
}

#[test]
fn font_is_an_embedded_subset_with_every_glyph() {
    let Some(font) = font() else { return };
    let doc = sample::weekly_review(200);
    assert_eq!(missing_chars(&doc, &font), Vec::<char>::new());
    let Some(fonts) = poppler("pdffonts", &["FILE"], &render(&doc, &font).unwrap()) else {
        return;
    };
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{fonts}");
    let words: Vec<&str> = rows[0].split_whitespace().collect();
    // name, type words…, encoding, emb, sub, uni, object id, generation
    let n = words.len();
    assert_eq!(&words[n - 5..n - 2], ["yes", "yes", "yes"], "{fonts}");
    assert_eq!(words[n - 6], "Identity-H", "{fonts}");
    assert!(words[0].contains('+'), "subset name: {fonts}");
}

#[test]
fn load_default_prefers_simplified_chinese() {
    if std::env::var_os("WANGGE_PDF_FONT").is_some() {
        return;
    }
    let Some(font) = font() else { return };
    eprintln!("font: {font}");
    if font.path().ends_with("NotoSansCJK-Regular.ttc") {
        assert_eq!(font.family(), "Noto Sans CJK SC");
    }
    let width = font.text_width("网格", 10.0);
    assert!((width - 20.0).abs() < 0.01, "{width}");
}

#[test]
fn missing_characters_print_as_question_marks() {
    let Some(font) = font() else { return };
    // Linear B: in no CJK font.
    let doc = Document {
        title: "缺字𐀀测试".into(),
        ..Document::default()
    };
    assert_eq!(missing_chars(&doc, &font), vec!['𐀀']);
    let pdf = render(&doc, &font).unwrap();
    assert_pdf(&pdf);
    if let Some(text) = text_of(&pdf) {
        assert!(text.starts_with("缺字?测试"), "{text}");
    }
}

#[test]
fn odd_documents_render_without_panicking() {
    let Some(font) = font() else { return };
    let long_word = "A".repeat(5_000);
    let long_cjk = "网格".repeat(3_000);
    let tall_cell = "第一行\n".repeat(300);
    let odd = [
        Document::default(),
        Document {
            title: "\u{7}\t\r\n".into(),
            subtitle: Some(String::new()),
            blocks: vec![
                Block::Heading(String::new()),
                Block::Paragraph(String::new()),
                Block::Table(Table::default()),
                Block::KeyValues(vec![]),
                Block::KeyValues(vec![(long_cjk.clone(), long_word.clone())]),
            ],
        },
        Document {
            title: long_word.clone(),
            subtitle: Some(long_cjk.clone()),
            blocks: vec![
                Block::Paragraph(format!("{long_word} {long_cjk}")),
                Block::Table(Table {
                    header: vec!["只有表头".into()],
                    ..Table::default()
                }),
                Block::Table(Table {
                    rows: vec![
                        vec![],
                        vec!["无表头".into(), long_word.clone()],
                        vec![tall_cell.clone(); 3],
                    ],
                    widths: vec![f32::NAN, -1.0],
                    ..Table::default()
                }),
                Block::Table(Table {
                    header: vec![tall_cell.repeat(2)],
                    rows: vec![vec![tall_cell.clone()]],
                    ..Table::default()
                }),
                Block::Table(Table {
                    header: (0..80).map(|i| format!("第{i}列")).collect(),
                    rows: vec![(0..80).map(|i| i.to_string()).collect()],
                    ..Table::default()
                }),
            ],
        },
    ];
    for doc in &odd {
        let pdf = render(doc, &font).unwrap();
        assert_pdf(&pdf);
        assert!(page_count(&pdf) >= 1);
    }
    if let Some(text) = text_of(&render(&odd[2], &font).unwrap()) {
        assert_eq!(text.matches("第一行").count(), 300 * 3 + 300 * 2 + 300);
    }
}

#[test]
fn truetype_fonts_embed_as_cid_type2() {
    let path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    let font = match Font::from_path(path, 0) {
        Ok(font) => font,
        Err(e) => {
            eprintln!("skipped: {e} (apt-get install fonts-dejavu-core)");
            return;
        }
    };
    let doc = Document {
        title: "Weekly review".into(),
        blocks: vec![Block::Paragraph("Cases closed on time: 96.5%".into())],
        ..Document::default()
    };
    let pdf = render(&doc, &font).unwrap();
    if let Some(fonts) = poppler("pdffonts", &["FILE"], &pdf) {
        assert!(fonts.contains("CID TrueType"), "{fonts}");
    }
    if let Some(text) = text_of(&pdf) {
        assert!(text.contains("Cases closed on time: 96.5%"), "{text}");
    }
}
