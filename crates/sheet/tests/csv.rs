//! CSV files made on the spot in the encodings offices use, read whole and streamed.

use std::time::Instant;

use wangge_sheet::{
    Encoding, Format, Limits, SheetError, Table, csv_rows, detect_format, read_table,
};

const TEXT: &str = "姓名,身份证号,现住址,备注\r\n\
张三,11010519491231002X,\"幸福小区3栋,2单元\",\"他说\"\"你好\"\"\"\r\n\
\r\n\
 李四 ,110105194912310011,\"第一行\n第二行\",\r\n";

fn read(bytes: &[u8]) -> Result<Table, SheetError> {
    let format = detect_format("人口.csv", bytes)?;
    assert_eq!(format, Format::Csv);
    read_table(format, bytes, &Limits::default())
}

#[test]
fn utf8_utf8_with_bom_and_gbk_read_the_same_rows() {
    let utf8 = TEXT.as_bytes().to_vec();
    let bom = [b"\xEF\xBB\xBF".as_slice(), TEXT.as_bytes()].concat();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(TEXT);
    assert!(!unmappable);
    let expected = read(&utf8).unwrap();
    assert_eq!(expected.headers, ["姓名", "身份证号", "现住址", "备注"]);
    assert_eq!(expected.rows.len(), 2);
    assert_eq!(
        expected.rows[0].cells,
        [
            "张三",
            "11010519491231002X",
            "幸福小区3栋,2单元",
            "他说\"你好\""
        ]
    );
    assert_eq!(expected.rows[1].line, 4, "the blank record counts as a row");
    assert_eq!(
        expected.rows[1].cells,
        ["李四", "110105194912310011", "第一行\n第二行", ""]
    );
    assert_eq!(read(&bom).unwrap(), expected);
    assert_eq!(read(&gbk).unwrap(), expected);

    let encodings: Vec<Encoding> = [&utf8[..], &bom, &gbk]
        .iter()
        .map(|bytes| csv_rows(*bytes, &Limits::default()).unwrap().1.encoding())
        .collect();
    assert_eq!(
        encodings,
        [Encoding::Utf8, Encoding::Utf8Bom, Encoding::Gbk]
    );
}

#[test]
fn invalid_bytes_in_a_gbk_file_name_the_row_and_reading_goes_on() {
    let (mut bytes, _, _) = encoding_rs::GBK.encode("姓名,身份证号\n张三,1\n");
    bytes.to_mut().extend_from_slice(b"\x81\x20,2\n");
    bytes
        .to_mut()
        .extend_from_slice(&encoding_rs::GBK.encode("王五,3\n").0);
    let e = read(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "文件编码无法识别（第3行含有无法按 GBK 解码的字节），请另存为“CSV UTF-8”或 .xlsx 后再上传"
    );

    let (_, rows) = csv_rows(&bytes[..], &Limits::default()).unwrap();
    let results: Vec<_> = rows.collect();
    assert_eq!(results.len(), 3);
    assert!(matches!(
        results[1],
        Err(SheetError::Undecodable { line: 3, .. })
    ));
    assert_eq!(results[2].as_ref().unwrap().cells, ["王五", "3"]);
}

#[test]
fn a_huge_cell_is_refused_with_its_row_and_column() {
    let mut text = String::from("姓名,现住址\n张三,");
    text.push_str(&"很".repeat(50 * 1024 * 1024 / 3));
    text.push_str("\n李四,幸福小区\n");
    let e = read(text.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "单元格过大（第2行“现住址”列超过64 KB）");

    let (_, rows) = csv_rows(text.as_bytes(), &Limits::default()).unwrap();
    let results: Vec<_> = rows.collect();
    assert!(results[0].is_err());
    assert_eq!(results[1].as_ref().unwrap().cells, ["李四", "幸福小区"]);
}

#[test]
fn header_and_structure_errors() {
    let e = read("姓名,电话,姓名\n张三,1,2\n".as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "重复的表头“姓名”（第1列和第3列）");
    let e = read("姓名,,电话\n".as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "表头为空（第1行第2列），请填写列名或删除该列"
    );
    let e = read("姓名,电话\n张三,\"1\n".as_bytes()).unwrap_err();
    assert!(
        matches!(e, SheetError::UnclosedQuote { line: 2, column: 2 }),
        "{e:?}"
    );
    let e = read("姓名\n张三,多余\n".as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "第2行第2列有内容，但这一列没有表头");
    assert!(matches!(read(b"\n\n,,\n"), Err(SheetError::NoHeader)));
    assert!(matches!(read(b"\xFF\xFEa\x00"), Err(SheetError::Utf16)));

    let wide = (0..201)
        .map(|i| format!("列{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let e = read(wide.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "列数超过上限（第1行超过200列）");

    let limits = Limits {
        max_rows: 1,
        ..Limits::default()
    };
    let (_, rows) = csv_rows("序号\n1\n2\n3\n".as_bytes(), &limits).unwrap();
    let results: Vec<_> = rows.collect();
    assert_eq!(results.len(), 2, "reading stops at the row limit");
    assert!(matches!(
        results[1],
        Err(SheetError::TooManyRows { limit: 1 })
    ));
}

#[test]
fn streams_a_million_rows() {
    const ROWS: usize = 1_000_000;
    let mut text = String::with_capacity(ROWS * 90);
    text.push_str("姓名,身份证号,联系电话,现住址,备注\r\n");
    for i in 0..ROWS {
        text.push_str(&format!(
            "居民{i},1101051949{i:08},138{i:08},幸福小区{}栋{}室,\"备注, 含逗号\"\r\n",
            i % 40,
            i % 600
        ));
    }
    let started = Instant::now();
    let (headers, rows) = csv_rows(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(headers.len(), 5);
    let mut count = 0;
    let mut last_line = 0;
    for row in rows {
        let row = row.unwrap();
        count += 1;
        last_line = row.line;
    }
    let took = started.elapsed();
    assert_eq!(count, ROWS);
    assert_eq!(last_line, ROWS + 1);
    println!(
        "streamed {ROWS} rows ({} MB) in {took:.2?}",
        text.len() / 1_000_000
    );
}
