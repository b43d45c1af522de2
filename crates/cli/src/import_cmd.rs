//! `wangge import persons FILE`: a dry run that lists every bad row, then (with `--apply`)
//! the import of the valid rows, with a progress bar for each pass.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use wangge_import::{
    Kind, Progress, RowError, Upload, apply, check, errors_xlsx, find_repeats, prepare,
};
use wangge_sheet::Limits;
use wangge_store::{Scope, Store};

use crate::progress::Progress as Bar;

#[derive(Args, Clone, Debug)]
pub struct ImportArgs {
    /// What the file holds: persons, households, buildings or organizations.
    pub kind: String,
    /// An .xlsx or .csv file (UTF-8 with or without BOM, or GBK).
    pub file: PathBuf,
    /// A header the file uses and the field it feeds, e.g. `--map 证件号=id_number`;
    /// an empty field ignores the column (`--map 血型=`).
    #[arg(long = "map", value_name = "表头=字段")]
    pub map: Vec<String>,
    /// Import the valid rows after the dry run (without it nothing is written).
    #[arg(long)]
    pub apply: bool,
    /// Write the bad rows (row, column, value, reason) to this .xlsx file.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
}

/// Returns the exit status: 0 when every row was good, 1 when some rows were bad.
pub async fn run(store: &Store, args: ImportArgs) -> Result<i32, String> {
    let kind = Kind::parse(&args.kind).ok_or_else(|| {
        format!(
            "不支持导入“{}”，可导入：persons（人口）、households（户）、buildings（楼栋）、organizations（组织）",
            args.kind
        )
    })?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("无法读取文件 {}：{e}", args.file.display()))?;
    let upload = Upload {
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: Arc::from(bytes),
    };
    let overrides = args
        .map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .ok_or_else(|| format!("--map 应写作 表头=字段，而不是“{m}”"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let prepared =
        prepare(&upload, kind, &overrides, &Limits::default()).map_err(|e| e.to_string())?;
    if !prepared.mapping.missing_required.is_empty() {
        return Err(format!(
            "文件缺少必填列：{}（可用 --map 表头=字段 指定）",
            prepared.mapping.missing_required.join("、")
        ));
    }
    if !prepared.mapping.unknown.is_empty() {
        eprintln!(
            "以下列未对应任何字段，将不导入：{}（可用 --map 表头=字段 指定）",
            prepared.mapping.unknown.join("、")
        );
    }
    let scope = Scope::system();
    let progress = Arc::new(Progress::default());
    if !args.apply {
        let bar = watch(progress.clone(), "检查");
        let report = check(store, &scope, &upload, &prepared, &progress).await;
        bar.abort();
        let report = report.map_err(|e| e.to_string())?;
        println!(
            "共 {} 行：将新增 {}，更新 {}，未变 {}；有问题 {} 行",
            report.rows,
            report.totals.new,
            report.totals.changed,
            report.totals.unchanged,
            report.bad_rows
        );
        print_errors(&report.errors, args.errors.as_deref())?;
        println!("这是试运行，未写入任何数据；确认无误后加 --apply 导入有效行");
        return Ok(if report.bad_rows > 0 { 1 } else { 0 });
    }
    // Applying straight away: one quick pass finds repeated ID numbers, then the import
    // checks each row as it goes and reports the bad ones at the end.
    let (excluded, mut errors) = find_repeats(&upload, &prepared).map_err(|e| e.to_string())?;
    let bar = watch(progress.clone(), "导入");
    let applied = apply(
        store, &scope, &upload, &prepared, &excluded, &progress, "cli",
    )
    .await;
    bar.abort();
    let a = applied.map_err(|e| e.to_string())?;
    let bad_rows = a.bad_rows + excluded.len() as u64;
    println!(
        "导入完成：共 {} 行，新增 {}，更新 {}，未变 {}，跳过有问题的 {} 行",
        a.rows, a.totals.new, a.totals.changed, a.totals.unchanged, bad_rows
    );
    errors.extend(a.errors);
    errors.sort_by_key(|e| e.line);
    print_errors(&errors, args.errors.as_deref())?;
    Ok(if bad_rows > 0 { 1 } else { 0 })
}

fn print_errors(errors: &[RowError], xlsx: Option<&Path>) -> Result<(), String> {
    for e in errors.iter().take(20) {
        println!("  第{}行 {}“{}”：{}", e.line, e.column, e.value, e.reason);
    }
    if errors.len() > 20 {
        println!(
            "  ……另有 {} 条错误（用 --errors 文件.xlsx 导出全部）",
            errors.len() - 20
        );
    }
    if let Some(path) = xlsx {
        let bytes = errors_xlsx(errors).map_err(|e| e.to_string())?;
        std::fs::write(path, bytes).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
        println!("错误明细已写入 {}", path.display());
    }
    Ok(())
}

/// Draws the shared progress on the terminal until aborted.
fn watch(progress: Arc<Progress>, label: &'static str) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut bar = Bar::new(label, 1000);
        let mut shown = 0;
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let now = progress.permille();
            if now > shown {
                bar.advance(now - shown, &format!("{} 行", progress.rows()));
                shown = now;
            }
        }
    })
}
