//! `wangge audit verify|purge`: check the SM3 chains of the audit log and of every
//! event's trail; purge rows older
//! than the retention period (never younger than 180 days).
use clap::Subcommand;
use wangge_domain::date::{Date, local_midnight_ms};
use wangge_store::Store;
use wangge_store::audit::Verification;

#[derive(Subcommand, Clone, Debug)]
pub enum AuditCommand {
    /// Walk the audit log's chain and every event's trail; report the first broken audit
    /// row and the broken trails. Exit status 1 when anything is broken.
    Verify,
    /// Delete rows before a date (YYYY-MM-DD); refused for rows younger than 180 days.
    Purge {
        #[arg(long)]
        before: String,
    },
}

/// Returns the process exit status.
pub async fn run(store: &Store, cmd: AuditCommand) -> Result<i32, String> {
    match cmd {
        AuditCommand::Verify => {
            let log_ok = match store.verify_audit().await.map_err(|e| e.to_string())? {
                Verification::Intact { rows } => {
                    println!("审计日志完整：{rows} 条记录的哈希链校验通过");
                    true
                }
                Verification::Broken {
                    rows_checked,
                    row_id,
                    reason,
                } => {
                    let row = row_id
                        .map(|r| format!("，记录编号 {r}"))
                        .unwrap_or_default();
                    println!("审计日志被篡改：{reason}（前 {rows_checked} 条完好{row}）");
                    false
                }
            };
            let trails = store.verify_trails().await.map_err(|e| e.to_string())?;
            if trails.broken_count == 0 {
                println!(
                    "事件留痕完整：{} 件事件、{} 个步骤的哈希链校验通过",
                    trails.events, trails.steps
                );
            } else {
                println!(
                    "事件留痕被篡改：{} 件事件中有 {} 件的哈希链断开",
                    trails.events, trails.broken_count
                );
                for b in &trails.broken {
                    let at = b.seq.map(|s| format!("第 {s} 步：")).unwrap_or_default();
                    println!("  事件 {}：{at}{}", b.event_id, b.reason);
                }
            }
            Ok(if log_ok && trails.broken_count == 0 {
                0
            } else {
                1
            })
        }
        AuditCommand::Purge { before } => {
            let date =
                Date::parse(&before).ok_or_else(|| format!("日期“{before}”格式应为 YYYY-MM-DD"))?;
            let n = store
                .purge_audit_before(local_midnight_ms(date), "cli")
                .await
                .map_err(|e| e.to_string())?;
            println!("已清理 {n} 条 {before} 之前的审计记录");
            Ok(0)
        }
    }
}
