//! .xlsx files made on the spot: written by this crate or by rust_xlsxwriter, read back.

use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
use wangge_sheet::{
    Format, Limits, Sheet, SheetError, Table, detect_format, read_table, write_xlsx,
};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn read(bytes: &[u8]) -> Result<Table, SheetError> {
    let format = detect_format("名单.xlsx", bytes)?;
    assert_eq!(format, Format::Xlsx);
    read_table(format, bytes, &Limits::default())
}

#[test]
fn round_trip_keeps_chinese_headers_and_full_id_numbers() {
    let headers = ["姓名", "身份证号", "联系电话", "现住址", "备注"];
    let rows = vec![
        strings(&[
            "张三",
            "11010519491231002X",
            "13800001111",
            "幸福小区3栋2单元501",
            "",
        ]),
        strings(&["", "", "", "", ""]),
        strings(&["李四", "110105194912310011", "", "", "=SUM(A1)"]),
        strings(&["王五", "", "", "", "第一行\n第二行"]),
    ];
    let bytes = write_xlsx(&[Sheet {
        name: "人口",
        headers: &headers,
        rows: &rows,
    }])
    .unwrap();
    let table = read(&bytes).unwrap();
    assert_eq!(table.headers, headers);
    let lines: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
    assert_eq!(
        lines,
        [2, 4, 5],
        "the empty row is skipped but still counted"
    );
    assert_eq!(table.rows[0].cells, rows[0]);
    assert_eq!(table.rows[1].cells[1], "110105194912310011");
    assert_eq!(
        table.rows[1].cells[4], "'=SUM(A1)",
        "formulas come back neutralised"
    );
    assert_eq!(table.rows[2].cells[4], "第一行\n第二行");
}

#[test]
fn only_the_first_sheet_is_read_and_names_are_made_valid() {
    let first = vec![strings(&["1"])];
    let second = vec![strings(&["2"])];
    let bytes = write_xlsx(&[
        Sheet {
            name: "户籍/人口?",
            headers: &["序号"],
            rows: &first,
        },
        Sheet {
            name: "户籍/人口?",
            headers: &["序号"],
            rows: &second,
        },
    ])
    .unwrap();
    assert_eq!(read(&bytes).unwrap().rows[0].cells, ["1"]);
}

#[test]
fn numbers_and_dates_read_as_a_person_typed_them() {
    let mut book = Workbook::new();
    let page = book.add_worksheet();
    for (c, h) in ["姓名", "身份证号", "联系电话", "出生日期", "面积", "户号"]
        .iter()
        .enumerate()
    {
        page.write_string(0, c as u16, *h).unwrap();
    }
    page.write_string(1, 0, "张三").unwrap();
    page.write_number(1, 1, 110101199001011234.0).unwrap();
    page.write_number(1, 2, 13800001111.0).unwrap();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let born = ExcelDateTime::from_ymd(1990, 1, 1).unwrap();
    page.write_datetime_with_format(1, 3, &born, &date).unwrap();
    page.write_number(1, 4, 86.5).unwrap();
    page.write_number(1, 5, 42.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let table = read(&bytes).unwrap();
    let cells = &table.rows[0].cells;
    let id = &cells[1];
    assert!(
        id.chars().all(|c| c.is_ascii_digit()) && id.len() == 18,
        "no scientific notation: {id}"
    );
    // Excel itself keeps 15 significant digits of a number; the ID checksum catches the rest.
    assert_eq!(id, "110101199001011000");
    assert_eq!(cells[2], "13800001111");
    assert_eq!(cells[3], "1990-01-01");
    assert_eq!(cells[4], "86.5");
    assert_eq!(cells[5], "42");
}

#[test]
fn a_truncated_file_is_reported_as_damaged() {
    let rows = vec![strings(&["张三", "11010519491231002X"]); 200];
    let bytes = write_xlsx(&[Sheet {
        name: "人口",
        headers: &["姓名", "身份证号"],
        rows: &rows,
    }])
    .unwrap();
    let half = &bytes[..bytes.len() / 2];
    let e = read(half).unwrap_err();
    assert!(matches!(e, SheetError::DamagedXlsx { .. }), "{e:?}");
    assert_eq!(e.to_string(), "文件不是有效的 xlsx（可能已损坏或被截断）");
}

#[test]
fn a_title_row_above_the_header_is_skipped() {
    let mut book = Workbook::new();
    let page = book.add_worksheet();
    page.merge_range(0, 0, 0, 2, "某某社区人口信息表", &CellFormat::new())
        .unwrap();
    for (c, h) in ["姓名", "身份证号", "民族"].iter().enumerate() {
        page.write_string(1, c as u16, *h).unwrap();
    }
    page.write_string(2, 0, "张三").unwrap();
    page.write_string(2, 2, "汉族").unwrap();
    let table = read(&book.save_to_buffer().unwrap()).unwrap();
    assert_eq!(table.headers, ["姓名", "身份证号", "民族"]);
    assert_eq!(table.rows[0].line, 3);
    assert_eq!(table.rows[0].cells, ["张三", "", "汉族"]);
}

#[test]
fn header_problems_and_limits_are_named() {
    let dup = write_xlsx(&[Sheet {
        name: "a",
        headers: &["姓名", "姓名"],
        rows: &[],
    }])
    .unwrap();
    assert_eq!(
        read(&dup).unwrap_err().to_string(),
        "重复的表头“姓名”（第1列和第2列）"
    );

    let rows = vec![strings(&["张三", &"长".repeat(100)])];
    let big = write_xlsx(&[Sheet {
        name: "a",
        headers: &["姓名", "现住址"],
        rows: &rows,
    }])
    .unwrap();
    let limits = Limits {
        max_cell_bytes: 100,
        ..Limits::default()
    };
    let e = read_table(Format::Xlsx, &big, &limits).unwrap_err();
    assert_eq!(e.to_string(), "单元格过大（第2行“现住址”列超过100 字节）");

    let limits = Limits {
        max_columns: 1,
        ..Limits::default()
    };
    let e = read_table(Format::Xlsx, &big, &limits).unwrap_err();
    assert_eq!(e.to_string(), "列数超过上限（第1行超过1列）");

    let rows = vec![strings(&["1"]); 3];
    let many = write_xlsx(&[Sheet {
        name: "a",
        headers: &["序号"],
        rows: &rows,
    }])
    .unwrap();
    let limits = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    let e = read_table(Format::Xlsx, &many, &limits).unwrap_err();
    assert!(matches!(e, SheetError::TooManyRows { limit: 2 }), "{e:?}");
}
