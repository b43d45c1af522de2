//! A review (一周一点评 / 月度通报) laid out once as titled tables, then written as a
//! page, an .xlsx workbook (one sheet a table) or a PDF (the CJK font loaded once).
use std::sync::OnceLock;

use wangge_pdf::{Block, Document, Font, Table};
use wangge_sheet::{Sheet, write_xlsx};
use wangge_store::review::{CaseLine, CompareRow, Review};

/// One table of the review.
pub struct Section {
    pub title: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}%"))
}

fn compare_rows(rows: &[CompareRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.reports.to_string(),
                r.closed.to_string(),
                r.open_overdue.to_string(),
                pct(r.on_time_closure),
                pct(r.closure),
                pct(r.satisfaction),
            ]
        })
        .collect()
}

const COMPARE: [&str; 7] = [
    "名称",
    "上报",
    "结案",
    "超期未结",
    "按期结案率",
    "结案率",
    "满意率",
];

fn case_rows(rows: &[CaseLine], rated: bool) -> Vec<Vec<String>> {
    rows.iter()
        .map(|c| {
            let mut row = vec![
                c.id.to_string(),
                c.category.clone(),
                c.address.clone(),
                c.department.clone(),
                c.state.to_string(),
                c.reported_at.clone(),
            ];
            if rated {
                row.push(c.rating.map(|r| format!("{r}星")).unwrap_or_default());
                row.push(c.comment.clone());
            } else {
                row.push(c.deadline.clone());
            }
            row
        })
        .collect()
}

/// The review's tables in reading order.
pub fn sections(r: &Review) -> Vec<Section> {
    let mut out = vec![Section {
        title: "一、总体情况".into(),
        header: vec!["指标", "本期", "上期", "分子 / 分母", "公式"],
        rows: r
            .indicators
            .iter()
            .zip(&r.previous)
            .map(|(i, p)| {
                vec![
                    i.name.to_string(),
                    i.value_text.clone(),
                    p.value_text.clone(),
                    match i.denominator {
                        Some(d) => format!("{} / {d}", i.numerator),
                        None => i.numerator.to_string(),
                    },
                    i.formula.to_string(),
                ]
            })
            .collect(),
    }];
    out.push(Section {
        title: format!("二、各{}对比", r.children_label),
        header: COMPARE.to_vec(),
        rows: compare_rows(&r.children),
    });
    out.push(Section {
        title: "三、表扬（按期结案率前三）".into(),
        header: COMPARE.to_vec(),
        rows: compare_rows(&r.best),
    });
    out.push(Section {
        title: "四、通报（按期结案率后三）".into(),
        header: COMPARE.to_vec(),
        rows: compare_rows(&r.worst),
    });
    out.push(Section {
        title: "五、职能部门".into(),
        header: vec![
            "部门",
            "牵头事件",
            "结案",
            "超期未结",
            "按期结案率",
            "结案率",
            "满意率",
        ],
        rows: compare_rows(&r.departments),
    });
    let cases = vec![
        "事件编号",
        "类别",
        "地址",
        "责任部门",
        "状态",
        "上报时间",
        "办理时限",
    ];
    out.push(Section {
        title: "六、超期未结事件".into(),
        header: cases.clone(),
        rows: case_rows(&r.overdue, false),
    });
    out.push(Section {
        title: "七、督办事件".into(),
        header: cases,
        rows: case_rows(&r.supervised, false),
    });
    out.push(Section {
        title: "八、群众差评（1–2星）".into(),
        header: vec![
            "事件编号",
            "类别",
            "地址",
            "责任部门",
            "状态",
            "上报时间",
            "评价",
            "评价内容",
        ],
        rows: case_rows(&r.low_ratings, true),
    });
    out
}

/// The review as an .xlsx workbook: a sheet per table.
pub fn xlsx(r: &Review) -> Result<Vec<u8>, String> {
    let sections = sections(r);
    let names: Vec<String> = sections
        .iter()
        .map(|s| {
            s.title
                .split_once('、')
                .map_or(s.title.as_str(), |t| t.1)
                .chars()
                .take(28)
                .collect()
        })
        .collect();
    let sheets: Vec<Sheet<'_>> = sections
        .iter()
        .zip(&names)
        .map(|(s, name)| Sheet {
            name,
            headers: &s.header,
            rows: &s.rows,
        })
        .collect();
    write_xlsx(&sheets).map_err(|e| e.to_string())
}

/// The CJK font, loaded on first use (reading it takes tens of milliseconds).
fn font() -> Result<&'static Font, String> {
    static FONT: OnceLock<Result<Font, String>> = OnceLock::new();
    FONT.get_or_init(|| Font::load_default().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// The review as a PDF with the CJK font embedded.
pub fn pdf(r: &Review) -> Result<Vec<u8>, String> {
    let mut blocks = vec![Block::KeyValues(vec![
        ("辖区".into(), r.region_name.clone()),
        ("统计周期".into(), format!("{} 至 {}（不含）", r.from, r.to)),
        ("生成时间".into(), r.generated_at.clone()),
    ])];
    for s in sections(r) {
        blocks.push(Block::Heading(s.title));
        if s.rows.is_empty() {
            blocks.push(Block::Paragraph("无。".into()));
        } else {
            blocks.push(Block::Table(Table {
                header: s.header.iter().map(|h| h.to_string()).collect(),
                rows: s.rows,
                widths: vec![],
            }));
        }
    }
    let doc = Document {
        title: r.title.clone(),
        subtitle: Some(format!("{} · 网格化服务管理平台", r.period_label)),
        blocks,
    };
    wangge_pdf::render(&doc, font()?).map_err(|e| e.to_string())
}
