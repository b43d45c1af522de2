//! `wangge demo`: a ready-to-use demo district on the embedded SQLite. The first run
//! generates the district and one account per role (written to `DIR/demo-accounts.json`);
//! later runs reuse the data.
use std::path::Path;

use clap::Args;
use serde::{Deserialize, Serialize};
use wangge_domain::role::Role;
use wangge_domain::totp::base32_encode;
use wangge_store::accounts::NewAccount;
use wangge_store::{Store, StoreError};

use crate::generator::{GenArgs, generate};
use crate::open::DataArgs;

#[derive(Args, Clone, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long, default_value = "127.0.0.1:8080", env = "WANGGE_LISTEN")]
    pub listen: std::net::SocketAddr,
    #[command(flatten)]
    pub district: GenArgs,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub totp_secret: Option<String>,
}

pub const ACCOUNTS_FILE: &str = "demo-accounts.json";

/// A random password that meets the policy: classes from fixed positions, the rest random.
fn demo_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    let mut raw = [0u8; 12];
    getrandom_fill(&mut raw);
    let pick = |set: &[u8], b: u8| set[b as usize % set.len()] as char;
    let mut s = String::new();
    s.push(pick(UPPER, raw[0]));
    for b in &raw[1..6] {
        s.push(pick(LOWER, *b));
    }
    s.push('-');
    for b in &raw[6..10] {
        s.push(pick(DIGIT, *b));
    }
    s.push(pick(UPPER, raw[10]));
    s.push(pick(LOWER, raw[11]));
    s
}

fn getrandom_fill(buf: &mut [u8]) {
    wangge_store::sessions::random_token()
        .as_bytes()
        .chunks(2)
        .zip(buf.iter_mut())
        .for_each(|(hex, b)| {
            *b = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("00"), 16).unwrap_or(0)
        });
}

struct Plan {
    username: &'static str,
    role: Role,
    scope: String,
    department: Option<String>,
    display: String,
}

/// Creates one account per role (three operators: community, street, district).
async fn create_accounts(
    store: &Store,
    summary: &crate::generator::GenSummary,
) -> Result<Vec<DemoAccount>, StoreError> {
    let d = &summary.district;
    let grid = &d.grids[0];
    let community = grid.community.clone();
    let street = community[..9].to_string();
    let county = d.county.code.clone();
    let dept = d.departments.first().map(|x| x.code.clone());
    let plans = [
        Plan {
            username: "grid_worker",
            role: Role::GridWorker,
            scope: grid.code.clone(),
            department: None,
            display: format!("{}网格员", grid.name),
        },
        Plan {
            username: "grid_leader",
            role: Role::GridLeader,
            scope: community.clone(),
            department: None,
            display: "社区网格长".into(),
        },
        Plan {
            username: "operator_community",
            role: Role::Operator,
            scope: community,
            department: None,
            display: "社区指挥中心".into(),
        },
        Plan {
            username: "operator_street",
            role: Role::Operator,
            scope: street,
            department: None,
            display: "街道指挥中心".into(),
        },
        Plan {
            username: "operator_district",
            role: Role::Operator,
            scope: county.clone(),
            department: None,
            display: "区指挥中心".into(),
        },
        Plan {
            username: "dept_handler",
            role: Role::DeptHandler,
            scope: county.clone(),
            department: dept.clone(),
            display: "部门经办人".into(),
        },
        Plan {
            username: "dept_head",
            role: Role::DeptHead,
            scope: county.clone(),
            department: dept,
            display: "部门负责人".into(),
        },
        Plan {
            username: "leader",
            role: Role::Leader,
            scope: county.clone(),
            department: None,
            display: "区领导".into(),
        },
        Plan {
            username: "admin",
            role: Role::Admin,
            scope: county.clone(),
            department: None,
            display: "系统管理员".into(),
        },
        Plan {
            username: "auditor",
            role: Role::Auditor,
            scope: county,
            department: None,
            display: "安全审计员".into(),
        },
    ];
    let mut out = Vec::new();
    for p in plans {
        let password = demo_password();
        let account = store
            .create_account(NewAccount {
                username: p.username,
                display_name: &p.display,
                password: &password,
                role: p.role,
                scope: &p.scope,
                department_code: p.department.as_deref(),
                must_change_password: false,
            })
            .await?;
        if p.role == Role::GridWorker {
            // The demo's grid worker sees the grid's generated patrols and visits as theirs.
            store.adopt_field_history(&p.scope, account.id).await?;
        }
        let totp_secret = if p.role.requires_totp() {
            let mut secret = [0u8; 20];
            getrandom_fill(&mut secret);
            store.set_totp_secret(account.id, &secret).await?;
            Some(base32_encode(&secret))
        } else {
            None
        };
        out.push(DemoAccount {
            username: p.username.into(),
            password,
            role: p.role.as_str().into(),
            scope: p.scope,
            totp_secret,
        });
    }
    Ok(out)
}

fn write_accounts(dir: &Path, accounts: &[DemoAccount]) -> Result<(), String> {
    let path = dir.join(ACCOUNTS_FILE);
    let json = serde_json::to_string_pretty(accounts).map_err(|e| e.to_string())?;
    std::fs::write(&path, json).map_err(|e| format!("无法写入 {}：{e}", path.display()))
}

pub fn read_accounts(dir: &Path) -> Result<Vec<DemoAccount>, String> {
    let path = dir.join(ACCOUNTS_FILE);
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} 格式错误：{e}", path.display()))
}

/// Prepares the demo data (first run only) and returns the accounts to print.
pub async fn prepare(store: &Store, args: &DemoArgs) -> Result<Vec<DemoAccount>, String> {
    if let Ok(accounts) = read_accounts(&args.data.data) {
        println!("沿用已有的演示数据：{}", args.data.data.display());
        return Ok(accounts);
    }
    println!("首次运行：生成演示辖区（{} 个网格）…", args.district.grids);
    let summary = generate(store, &args.district)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "已生成 {} 个网格、{} 人、{} 件事件，用时 {:.1} 秒",
        summary.district.grids.len(),
        summary.persons,
        summary.events,
        summary.seconds
    );
    let accounts = create_accounts(store, &summary)
        .await
        .map_err(|e| e.to_string())?;
    write_accounts(&args.data.data, &accounts)?;
    Ok(accounts)
}

pub fn print_accounts(accounts: &[DemoAccount]) {
    println!("演示账号（每个角色一个，另见 demo-accounts.json）：");
    for a in accounts {
        let role = Role::parse(&a.role).map_or("", |r| r.label());
        let totp = a
            .totp_secret
            .as_deref()
            .map(|s| format!("  TOTP密钥 {s}"))
            .unwrap_or_default();
        println!(
            "  {:<20} {:<14} {:<10} 范围 {:<16}{totp}",
            a.username, a.password, role, a.scope
        );
    }
}
