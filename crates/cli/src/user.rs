//! `wangge user add|list`: accounts for real deployments. New accounts must change their
//! initial password at first login; admins must enrol TOTP.
use clap::Subcommand;
use wangge_domain::role::Role;
use wangge_store::Store;
use wangge_store::accounts::NewAccount;

#[derive(Subcommand, Clone, Debug)]
pub enum UserCommand {
    /// Create an account; the initial password must be changed at first login.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// grid_worker, grid_leader, operator, dept_handler, dept_head, leader, admin, auditor
        #[arg(long)]
        role: String,
        /// Region code prefix the account may see (e.g. 430204 for the whole district).
        #[arg(long)]
        scope: String,
        /// Department code, for department roles.
        #[arg(long)]
        department: Option<String>,
        /// Initial password; read from WANGGE_INITIAL_PASSWORD when omitted.
        #[arg(long, env = "WANGGE_INITIAL_PASSWORD")]
        password: String,
    },
    /// List accounts.
    List,
}

pub async fn run(store: &Store, cmd: UserCommand) -> Result<(), String> {
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            scope,
            department,
            password,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                let all: Vec<_> = Role::all().iter().map(|r| r.as_str()).collect();
                format!("未知角色“{role}”，可选：{}", all.join(", "))
            })?;
            let account = store
                .create_account(NewAccount {
                    username: &username,
                    display_name: &name,
                    password: &password,
                    role,
                    scope: &scope,
                    department_code: department.as_deref(),
                    must_change_password: true,
                })
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "已创建账号 {}（{}，范围 {}），首次登录须修改密码",
                account.username,
                role.label(),
                account.scope
            );
            Ok(())
        }
        UserCommand::List => {
            for a in store.list_accounts().await.map_err(|e| e.to_string())? {
                println!(
                    "{:<20} {:<10} {:<16} {}",
                    a.username,
                    a.role.label(),
                    a.scope,
                    a.display_name
                );
            }
            Ok(())
        }
    }
}
