//! Sessions: an opaque random token handed to the client (cookie or bearer), stored only
//! as its SM3 hash, expiring after the idle timeout, with a CSRF token for forms.
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use sm3::{Digest, Sm3};
use wangge_domain::audit::to_hex;

use crate::accounts::Account;
use crate::entity::{account, session};
use crate::{Scope, Store, StoreError};

/// Returned once at login: the only time the token exists outside the client.
#[derive(Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub account: Account,
}

#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub account: Account,
    pub csrf: String,
    pub scope: Scope,
}

/// Only refresh `last_seen_at` this often, so reads do not all become writes.
const TOUCH_EVERY_MS: i64 = 60_000;

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source is available");
    to_hex(&b)
}

fn token_hash(token: &str) -> String {
    to_hex(&Sm3::digest(token.as_bytes()))
}

impl Store {
    pub(crate) async fn open_session(
        &self,
        account: &Account,
        client: &str,
    ) -> Result<NewSession, StoreError> {
        let token = random_token();
        let csrf = random_token();
        let now = self.now_ms();
        session::ActiveModel::from(session::Model {
            token_hash: token_hash(&token),
            account_id: account.id,
            csrf: csrf.clone(),
            created_at: now,
            last_seen_at: now,
            client: client.chars().take(64).collect(),
        })
        .insert(&self.db)
        .await?;
        Ok(NewSession {
            token,
            csrf,
            account: account.clone(),
        })
    }

    /// The session behind a token, or None when unknown, idle too long, or the account is
    /// disabled or locked. An idle session is deleted on sight.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, StoreError> {
        if token.len() != 64 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let Some(s) = session::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let now = self.now_ms();
        if now - s.last_seen_at > self.policy.idle_timeout_ms {
            session::Entity::delete_by_id(hash).exec(&self.db).await?;
            return Ok(None);
        }
        let Some(acc) = account::Entity::find_by_id(s.account_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        if acc.disabled || acc.locked_until.is_some_and(|u| u > now) {
            return Ok(None);
        }
        if now - s.last_seen_at > TOUCH_EVERY_MS {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::TokenHash.eq(hash))
                .exec(&self.db)
                .await?;
        }
        let account = crate::accounts::Account::from_model(&acc)?;
        let scope = Scope {
            account_id: account.id,
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            role: account.role,
            region: account.scope.clone(),
            department_id: account.department_id,
        };
        Ok(Some(SessionInfo {
            account,
            csrf: s.csrf,
            scope,
        }))
    }

    pub async fn end_session(
        &self,
        token: &str,
        username: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        session::Entity::delete_by_id(token_hash(token))
            .exec(&self.db)
            .await?;
        let entry = crate::audit::AuditEntry {
            account: username,
            action: "logout",
            object: username,
            outcome: "ok",
            client,
        };
        self.audit(entry).await
    }
}
