//! `POST /session` (log in), `DELETE /session` (log out), `GET /me`.
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wangge_store::accounts::{Account, LoginError};

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiCaller, client_addr};
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
    #[serde(default)]
    totp: Option<String>,
}

#[derive(Serialize)]
struct Token {
    token: String,
    account: Account,
}

struct Client(String);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Client(client_addr(parts)))
    }
}

pub fn login_error(e: LoginError) -> ApiError {
    let (status, code, field) = match e {
        LoginError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials", "password"),
        LoginError::Locked { .. } => (StatusCode::LOCKED, "locked", "username"),
        LoginError::TotpRequired => (StatusCode::UNAUTHORIZED, "totp_required", "totp"),
        LoginError::TotpInvalid => (StatusCode::UNAUTHORIZED, "totp_invalid", "totp"),
        LoginError::Disabled => (StatusCode::FORBIDDEN, "disabled", "username"),
    };
    ApiError::new(status, code, e.message()).with_field(field)
}

async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<Token>, ApiError> {
    let session = state
        .store
        .login(
            &body.username,
            &body.password,
            body.totp.as_deref(),
            &client,
        )
        .await?
        .map_err(login_error)?;
    if session.account.must_change_password {
        state
            .store
            .end_session(&session.token, &session.account.username, &client)
            .await?;
        return Err(ApiError::forbidden("初始密码须先在网页登录后修改").with_field("password"));
    }
    Ok(Json(Token {
        token: session.token,
        account: session.account,
    }))
}

async fn logout(State(state): State<AppState>, caller: ApiCaller) -> Result<StatusCode, ApiError> {
    state
        .store
        .end_session(&caller.token, &caller.scope().username, &caller.client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(caller: ApiCaller) -> Json<Account> {
    Json(caller.session.account)
}
