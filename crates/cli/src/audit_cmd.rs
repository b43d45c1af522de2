//! `wangge audit verify|purge`: check the SM3 chain of the audit log; purge rows older
//! than the retention period (never younger than 180 days).
use clap::Subcommand;
use wangge_domain::date::{Date, local_midnight_ms};
use wangge_store::Store;
use wangge_store::audit::Verification;

#[derive(Subcommand, Clone, Debug)]
pub enum AuditCommand {
    /// Walk the chain and report the first broken row. Exit status 1 when broken.
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
        AuditCommand::Verify => match store.verify_audit().await.map_err(|e| e.to_string())? {
            Verification::Intact { rows } => {
                println!("审计日志完整：{rows} 条记录的哈希链校验通过");
                Ok(0)
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
                Ok(1)
            }
        },
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
