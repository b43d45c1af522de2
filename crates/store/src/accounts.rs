//! Accounts: creation under the password policy, login with lockout and TOTP, password
//! change and TOTP enrolment. Passwords are hashed with argon2id.
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use wangge_domain::password::check_password_policy;
use wangge_domain::region::RegionCode;
use wangge_domain::role::Role;
use wangge_domain::totp::verify_totp;

use crate::audit::AuditEntry;
use crate::entity::{account, department};
use crate::{Store, StoreError};

/// The 等保 level-3 defaults; deployments may tighten or relax them.
#[derive(Clone, Copy, Debug)]
pub struct SecurityPolicy {
    pub max_failures: i32,
    pub lockout_ms: i64,
    pub idle_timeout_ms: i64,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            max_failures: 5,
            lockout_ms: 30 * 60_000,
            idle_timeout_ms: 30 * 60_000,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(serialize_with = "role_id")]
    pub role: Role,
    pub scope: String,
    pub department_id: Option<i64>,
    pub must_change_password: bool,
    pub totp_enrolled: bool,
}

fn role_id<S: serde::Serializer>(role: &Role, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(role.as_str())
}

impl Account {
    pub(crate) fn from_model(m: &account::Model) -> Result<Account, StoreError> {
        Ok(Account {
            id: m.id,
            username: m.username.clone(),
            display_name: m.display_name.clone(),
            role: Role::parse(&m.role)
                .ok_or_else(|| StoreError::Crypto(format!("未知角色 {}", m.role)))?,
            scope: m.scope.clone(),
            department_id: m.department_id,
            must_change_password: m.must_change_password,
            totp_enrolled: m.totp_secret.is_some(),
        })
    }

    /// Admin accounts must have a second factor before they may do anything.
    pub fn needs_totp_enrolment(&self) -> bool {
        self.role.requires_totp() && !self.totp_enrolled
    }
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub scope: &'a str,
    pub department_code: Option<&'a str>,
    pub must_change_password: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown user or wrong password: one answer for both, so names cannot be probed.
    BadCredentials,
    Locked {
        until_ms: i64,
    },
    TotpRequired,
    TotpInvalid,
    Disabled,
}

impl LoginError {
    pub fn message(&self) -> String {
        match self {
            LoginError::BadCredentials => "用户名或密码错误".into(),
            LoginError::Locked { until_ms } => format!(
                "连续登录失败次数过多，账号已锁定至 {}",
                wangge_domain::date::format_local(*until_ms)
            ),
            LoginError::TotpRequired => "该账号需要动态验证码（TOTP）".into(),
            LoginError::TotpInvalid => "动态验证码错误或已使用".into(),
            LoginError::Disabled => "账号已停用".into(),
        }
    }
}

fn hash_password(pw: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Crypto(e.to_string()))?;
    Argon2::default()
        .hash_password_with_salt(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Crypto(format!("密码哈希失败：{e}")))
}

fn password_matches(hash: &str, pw: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// A hash of nothing anyone knows: unknown users cost the same time as known ones.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0b1mR2fLz5rW1o5HhHq4pQ1lJm1w0Z8lYfQ7q1y2a3U";

impl Store {
    pub async fn create_account(&self, new: NewAccount<'_>) -> Result<Account, StoreError> {
        let username = new.username.trim();
        if username.is_empty() || username.len() > 64 || username.contains(char::is_whitespace) {
            return Err(StoreError::invalid(
                "username",
                "用户名不能为空、不能含空格，且不超过64个字符",
            ));
        }
        check_password_policy(new.password, username)
            .map_err(|e| StoreError::invalid("password", e.to_string()))?;
        if !new.scope.is_empty() {
            RegionCode::parse(new.scope)
                .map_err(|e| StoreError::invalid("scope", e.to_string()))?;
        }
        let department_id = match (new.role.is_department(), new.department_code) {
            (true, Some(code)) => Some(
                department::Entity::find()
                    .filter(department::Column::Code.eq(code))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| {
                        StoreError::invalid("department", format!("部门“{code}”不存在"))
                    })?
                    .id,
            ),
            (true, None) => {
                return Err(StoreError::invalid(
                    "department",
                    "部门角色必须指定所属部门",
                ));
            }
            (false, _) => None,
        };
        if account::Entity::find()
            .filter(account::Column::Username.eq(username))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(format!("用户名“{username}”已存在")));
        }
        let model = account::Model {
            id: self.next_id(),
            username: username.to_string(),
            display_name: new.display_name.to_string(),
            password_hash: hash_password(new.password)?,
            role: new.role.as_str().to_string(),
            scope: new.scope.to_string(),
            department_id,
            must_change_password: new.must_change_password,
            failed_logins: 0,
            locked_until: None,
            totp_secret: None,
            totp_last_step: None,
            disabled: false,
            created_at: self.now_ms(),
        };
        let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
        let saved = account::ActiveModel::from(model).insert(&txn).await?;
        self.audit_in(
            &txn,
            AuditEntry {
                account: "system",
                action: "account.create",
                object: username,
                outcome: "ok",
                client: "",
            },
        )
        .await?;
        txn.commit().await?;
        Account::from_model(&saved)
    }

    pub async fn account(&self, id: i64) -> Result<Account, StoreError> {
        let m = account::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Account::from_model(&m)
    }

    pub async fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        account::Entity::find()
            .order_by_asc(account::Column::Username)
            .all(&self.db)
            .await?
            .iter()
            .map(Account::from_model)
            .collect()
    }

    /// Checks the password (and TOTP when enrolled), applies the lockout rule, audits the
    /// attempt, and on success opens a session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        totp: Option<&str>,
        client: &str,
    ) -> Result<Result<crate::sessions::NewSession, LoginError>, StoreError> {
        let now = self.now_ms();
        let found = account::Entity::find()
            .filter(account::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?;
        let Some(acc) = found else {
            password_matches(DECOY_HASH, password);
            self.audit(AuditEntry {
                account: username,
                action: "login",
                object: username,
                outcome: "fail:unknown_user",
                client,
            })
            .await?;
            return Ok(Err(LoginError::BadCredentials));
        };
        let fail = |outcome: &'static str, err: LoginError| async move {
            self.audit(AuditEntry {
                account: username,
                action: "login",
                object: username,
                outcome,
                client,
            })
            .await?;
            Ok::<_, StoreError>(Err(err))
        };
        if acc.disabled {
            return fail("fail:disabled", LoginError::Disabled).await;
        }
        if let Some(until) = acc.locked_until.filter(|u| *u > now) {
            return fail("fail:locked", LoginError::Locked { until_ms: until }).await;
        }
        if !password_matches(&acc.password_hash, password) {
            let failures = acc.failed_logins + 1;
            let lock = failures >= self.policy.max_failures;
            let mut am: account::ActiveModel = acc.clone().into();
            am.failed_logins = Set(if lock { 0 } else { failures });
            am.locked_until = Set(lock.then_some(now + self.policy.lockout_ms));
            am.update(&self.db).await?;
            return if lock {
                fail(
                    "fail:locked_now",
                    LoginError::Locked {
                        until_ms: now + self.policy.lockout_ms,
                    },
                )
                .await
            } else {
                fail("fail:bad_password", LoginError::BadCredentials).await
            };
        }
        let mut totp_step = acc.totp_last_step;
        if let Some(sealed) = &acc.totp_secret {
            let Some(code) = totp.map(str::trim).filter(|c| !c.is_empty()) else {
                return fail("fail:totp_required", LoginError::TotpRequired).await;
            };
            let secret = self.crypto.decrypt(sealed)?;
            match verify_totp(&secret, code, (now / 1000) as u64) {
                Some(step) if acc.totp_last_step.is_none_or(|last| (step as i64) > last) => {
                    totp_step = Some(step as i64)
                }
                _ => return fail("fail:totp", LoginError::TotpInvalid).await,
            }
        }
        let mut am: account::ActiveModel = acc.clone().into();
        am.failed_logins = Set(0);
        am.locked_until = Set(None);
        am.totp_last_step = Set(totp_step);
        am.update(&self.db).await?;
        let account = Account::from_model(&acc)?;
        let session = self.open_session(&account, client).await?;
        self.audit(AuditEntry {
            account: username,
            action: "login",
            object: username,
            outcome: "ok",
            client,
        })
        .await?;
        Ok(Ok(session))
    }

    pub async fn change_password(
        &self,
        account_id: i64,
        old: &str,
        new: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        let acc = self.account_model(account_id).await?;
        if !password_matches(&acc.password_hash, old) {
            return Err(StoreError::invalid("old_password", "原密码错误"));
        }
        if old == new {
            return Err(StoreError::invalid(
                "new_password",
                "新密码不能与原密码相同",
            ));
        }
        check_password_policy(new, &acc.username)
            .map_err(|e| StoreError::invalid("new_password", e.to_string()))?;
        let username = acc.username.clone();
        let mut am: account::ActiveModel = acc.into();
        am.password_hash = Set(hash_password(new)?);
        am.must_change_password = Set(false);
        self.update_audited(am, &username, "account.password", client)
            .await
    }

    /// Stores a TOTP secret once the user has proved they hold it with a valid code.
    pub async fn enrol_totp(
        &self,
        account_id: i64,
        secret: &[u8],
        code: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        let step = verify_totp(secret, code, (self.now_ms() / 1000) as u64)
            .ok_or_else(|| StoreError::invalid("totp", "动态验证码不正确，请核对手机上的验证器"))?;
        let acc = self.account_model(account_id).await?;
        let username = acc.username.clone();
        let mut am: account::ActiveModel = acc.into();
        am.totp_secret = Set(Some(self.crypto.encrypt(secret)));
        am.totp_last_step = Set(Some(step as i64));
        self.update_audited(am, &username, "account.totp_enrol", client)
            .await
    }

    /// For provisioning tools (the demo) that hand the secret to the user out of band.
    pub async fn set_totp_secret(&self, account_id: i64, secret: &[u8]) -> Result<(), StoreError> {
        let acc = self.account_model(account_id).await?;
        let username = acc.username.clone();
        let mut am: account::ActiveModel = acc.into();
        am.totp_secret = Set(Some(self.crypto.encrypt(secret)));
        self.update_audited(am, &username, "account.totp_provision", "cli")
            .await
    }

    async fn account_model(&self, id: i64) -> Result<account::Model, StoreError> {
        account::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Saves an account change and its audit row in one transaction.
    async fn update_audited(
        &self,
        am: account::ActiveModel,
        username: &str,
        action: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
        am.update(&txn).await?;
        self.audit_in(
            &txn,
            AuditEntry {
                account: username,
                action,
                object: username,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
