//! Who is calling: the session behind a bearer token (API) or a cookie (pages), the
//! client's address for the audit log, cookies, and CSRF checks for forms.
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use wangge_store::Scope;
use wangge_store::sessions::SessionInfo;

use crate::AppState;
use crate::error::{ApiError, PageError};

/// A signed-in caller of the JSON API.
pub struct ApiCaller {
    pub session: SessionInfo,
    pub token: String,
    pub client: String,
}

impl ApiCaller {
    pub fn scope(&self) -> &Scope {
        &self.session.scope
    }
}

/// A signed-in caller of the pages who has finished the first-login steps.
pub struct PageCaller {
    pub session: SessionInfo,
    pub token: String,
    pub client: String,
}

impl PageCaller {
    pub fn scope(&self) -> &Scope {
        &self.session.scope
    }
}

/// A signed-in caller who may still have to change the initial password or enrol TOTP:
/// only the pages for those steps accept it.
pub struct PendingCaller(pub PageCaller);

/// The caller's network address, for requests without an account (rate limits, audit).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

pub fn client_addr(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn session_cookie_name(state: &AppState) -> &'static str {
    session_cookie(state.config.secure_cookies)
}

/// Behind TLS the `__Host-` prefix pins the cookie to this host and path `/`.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-wangge_session"
    } else {
        "wangge_session"
    }
}

/// `Set-Cookie` value for a cookie only our pages can use.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// Compares without an early exit, so timing does not reveal a prefix of the secret.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let token = bearer
            .or_else(|| cookie(parts, session_cookie_name(state)))
            .ok_or_else(|| ApiError::unauthorized("请先登录：缺少 Authorization: Bearer 令牌"))?
            .to_string();
        let session =
            state.store.session(&token).await?.ok_or_else(|| {
                ApiError::unauthorized("登录已失效（令牌无效或超时），请重新登录")
            })?;
        if session.account.must_change_password {
            return Err(ApiError::forbidden("请先登录网页修改初始密码").with_field("password"));
        }
        if session.account.needs_totp_enrolment() {
            return Err(
                ApiError::forbidden("管理员账号须先在网页上绑定动态验证码（TOTP）")
                    .with_field("totp"),
            );
        }
        Ok(ApiCaller {
            session,
            token,
            client: client_addr(parts),
        })
    }
}

/// Where an unauthenticated page request goes.
pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

async fn pending(parts: &Parts, state: &AppState) -> Result<PageCaller, Response> {
    let token = cookie(parts, session_cookie_name(state))
        .ok_or_else(|| ToLogin.into_response())?
        .to_string();
    let session = match state.store.session(&token).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(ToLogin.into_response()),
        Err(e) => return Err(PageError::from(e).into_response()),
    };
    Ok(PageCaller {
        session,
        token,
        client: client_addr(parts),
    })
}

impl FromRequestParts<AppState> for PendingCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        pending(parts, state).await.map(PendingCaller)
    }
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let caller = pending(parts, state).await?;
        if caller.session.account.must_change_password {
            return Err(Redirect::to("/password").into_response());
        }
        if caller.session.account.needs_totp_enrolment() {
            return Err(Redirect::to("/totp").into_response());
        }
        Ok(caller)
    }
}

/// Every form carries the session's CSRF token; a form from another site cannot know it.
pub fn check_csrf(caller: &PageCaller, submitted: &str) -> Result<(), PageError> {
    if same_secret(&caller.session.csrf, submitted) {
        Ok(())
    } else {
        Err(PageError(ApiError::forbidden(
            "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
        )))
    }
}
