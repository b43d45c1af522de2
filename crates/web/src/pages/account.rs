//! Log in and out, change the password (forced at first login), enrol a TOTP second factor.
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::HeaderName;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_domain::totp::{base32_decode, base32_encode, otpauth_uri};
use wangge_store::StoreError;
use wangge_store::sessions::random_token;

use super::{Nav, render};
use crate::AppState;
use crate::auth::{
    PendingCaller, check_csrf, client_addr, cookie, same_secret, session_cookie_name, set_cookie,
};
use crate::error::PageError;

const LOGIN_CSRF: &str = "wangge_login_csrf";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/password", get(password_form).post(change_password))
        .route("/totp", get(totp_form).post(enrol_totp))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    csrf: String,
    username: String,
    error: Option<String>,
}

/// The login form; before a session exists, CSRF is a double-submit cookie.
fn login_page(
    state: &AppState,
    status: StatusCode,
    username: String,
    error: Option<String>,
) -> Response {
    let csrf = random_token();
    let page = LoginPage {
        nav: Nav::default(),
        csrf: csrf.clone(),
        username,
        error,
    };
    (
        status,
        [(SET_COOKIE, set_cookie(state, LOGIN_CSRF, &csrf, Some(3600)))],
        render(&page),
    )
        .into_response()
}

async fn login_form(State(state): State<AppState>) -> Response {
    login_page(&state, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
}

async fn login(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let (parts, body) = req.into_parts();
    let client = client_addr(&parts);
    let cookie_csrf = cookie(&parts, LOGIN_CSRF).unwrap_or_default().to_string();
    let Ok(Form(f)) =
        Form::<LoginForm>::from_request(axum::extract::Request::from_parts(parts, body), &state)
            .await
    else {
        return Ok(login_page(
            &state,
            StatusCode::BAD_REQUEST,
            String::new(),
            Some("表单格式错误".into()),
        ));
    };
    if f.csrf.is_empty() || !same_secret(&f.csrf, &cookie_csrf) {
        return Ok(login_page(
            &state,
            StatusCode::FORBIDDEN,
            f.username,
            Some("页面已过期，请重新登录".into()),
        ));
    }
    let totp = Some(f.totp.as_str()).filter(|t| !t.trim().is_empty());
    match state
        .store
        .login(&f.username, &f.password, totp, &client)
        .await?
    {
        Ok(session) => {
            let next = if session.account.must_change_password {
                "/password"
            } else if session.account.needs_totp_enrolment() {
                "/totp"
            } else {
                "/"
            };
            let cookie = set_cookie(&state, session_cookie_name(&state), &session.token, None);
            Ok(([(SET_COOKIE, cookie)], Redirect::to(next)).into_response())
        }
        Err(e) => Ok(login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            f.username,
            Some(e.message()),
        )),
    }
}

use axum::extract::FromRequest;

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    PendingCaller(c): PendingCaller,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    state
        .store
        .end_session(&c.token, &c.scope().username, &c.client)
        .await?;
    let clear = set_cookie(&state, session_cookie_name(&state), "", Some(0));
    // The field screens' cached pages hold residents' details: a shared phone must not
    // show them after logout. Only the HTTP cache and the service worker's caches go;
    // records still waiting to be sent stay in the phone's storage.
    Ok((
        [
            (SET_COOKIE, clear),
            (
                HeaderName::from_static("clear-site-data"),
                "\"cache\"".into(),
            ),
        ],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    nav: Nav,
    csrf: String,
    forced: bool,
    done: bool,
    error: Option<String>,
}

fn password_page(c: &crate::auth::PageCaller, done: bool, error: Option<String>) -> PasswordPage {
    let forced = c.session.account.must_change_password && !done;
    let nav = if forced { Nav::default() } else { Nav::of(c) };
    PasswordPage {
        nav,
        csrf: c.session.csrf.clone(),
        forced,
        done,
        error,
    }
}

async fn password_form(PendingCaller(c): PendingCaller) -> Response {
    render(&password_page(&c, false, None)).into_response()
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    PendingCaller(c): PendingCaller,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    if f.new_password != f.confirm {
        let page = password_page(&c, false, Some("两次输入的新密码不一致".into()));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    match state
        .store
        .change_password(
            c.session.account.id,
            &f.old_password,
            &f.new_password,
            &c.client,
        )
        .await
    {
        Ok(()) if c.session.account.needs_totp_enrolment() => {
            Ok(Redirect::to("/totp").into_response())
        }
        Ok(()) if c.session.account.must_change_password => Ok(Redirect::to("/").into_response()),
        Ok(()) => Ok(render(&password_page(&c, true, None)).into_response()),
        Err(StoreError::Invalid { message, .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&password_page(&c, false, Some(message))),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    nav: Nav,
    csrf: String,
    enrolled: bool,
    required: bool,
    secret: String,
    uri: String,
    error: Option<String>,
}

fn totp_page(
    c: &crate::auth::PageCaller,
    secret: Option<String>,
    error: Option<String>,
) -> TotpPage {
    let secret = secret.unwrap_or_else(|| {
        let mut raw = [0u8; 20];
        getrandom::fill(&mut raw).expect("the OS random source is available");
        base32_encode(&raw)
    });
    let acc = &c.session.account;
    let uri = base32_decode(&secret)
        .map(|raw| otpauth_uri("网格化服务管理平台", &acc.username, &raw))
        .unwrap_or_default();
    let pending = acc.must_change_password || acc.needs_totp_enrolment();
    TotpPage {
        nav: if pending { Nav::default() } else { Nav::of(c) },
        csrf: c.session.csrf.clone(),
        enrolled: acc.totp_enrolled,
        required: acc.role.requires_totp(),
        secret,
        uri,
        error,
    }
}

async fn totp_form(PendingCaller(c): PendingCaller) -> Response {
    if c.session.account.must_change_password {
        return Redirect::to("/password").into_response();
    }
    render(&totp_page(&c, None, None)).into_response()
}

#[derive(Deserialize)]
struct TotpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

async fn enrol_totp(
    State(state): State<AppState>,
    PendingCaller(c): PendingCaller,
    Form(f): Form<TotpForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    if c.session.account.totp_enrolled {
        return Ok(Redirect::to("/totp").into_response());
    }
    let Some(secret) = base32_decode(&f.secret).filter(|s| s.len() >= 10) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&totp_page(&c, None, Some("密钥无效，请重新扫描".into()))),
        )
            .into_response());
    };
    match state
        .store
        .enrol_totp(c.session.account.id, &secret, &f.code, &c.client)
        .await
    {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(StoreError::Invalid { message, .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&totp_page(&c, Some(f.secret), Some(message))),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
