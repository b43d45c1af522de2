//! A weekly review shaped like the product's, with a table of `rows` events; shared by the
//! tests and the example.

use wangge_pdf::{Block, Document, Table};

pub const TITLE: &str = "聊城市东昌府区 一周一点评";
pub const HEADER: [&str; 6] = [
    "序号",
    "事件编号",
    "所属网格",
    "事件类型",
    "办理状态",
    "用时（小时）",
];
const KINDS: [&str; 4] = ["矛盾纠纷", "安全隐患", "环境卫生", "民生服务"];
const STATES: [&str; 3] = ["已办结", "办理中", "已超期"];

/// The cells of event row `i` (from 1).
pub fn row(i: usize) -> Vec<String> {
    vec![
        i.to_string(),
        format!("SJ2025{i:06}"),
        format!("古楼街道第{}网格", i % 37 + 1),
        KINDS[i % KINDS.len()].to_owned(),
        STATES[i % STATES.len()].to_owned(),
        format!("{}.{}", i % 72, i % 10),
    ]
}

pub fn weekly_review(rows: usize) -> Document {
    let pairs = [
        ("统计周期", "2025-05-05 至 2025-05-11"),
        ("上报事件", "1,234 件"),
        ("按期办结率", "96.5%"),
    ];
    Document {
        title: TITLE.into(),
        subtitle: Some("2025 年第 19 周 · 区网格化服务管理中心".into()),
        blocks: vec![
            Block::KeyValues(pairs.map(|(k, v)| (k.into(), v.into())).to_vec()),
            Block::Heading("一、总体情况".into()),
            Block::Paragraph(
                "本周全区各网格共上报事件 1,234 件，较上周增加 8.2%。其中矛盾纠纷 312 件、\
                 安全隐患 205 件、环境卫生 417 件，其余为民生服务类诉求。古楼街道、柳园街道\
                 办结及时，群众满意度达到 98.7%；个别社区存在超期未办结、回访不到位等问题，\
                 需要在下周重点督办（详见附表）。"
                    .into(),
            ),
            Block::Heading("二、事件明细".into()),
            Block::Table(Table {
                header: HEADER.map(String::from).to_vec(),
                rows: (1..=rows).map(row).collect(),
                widths: vec![],
            }),
            Block::Heading("三、下周工作建议".into()),
            Block::Paragraph(
                "对超期事件逐件约谈责任单位，落实“一事一专班”；加强网格员入户走访，\
                 重点关注独居老人和困难群众。"
                    .into(),
            ),
        ],
    }
}
