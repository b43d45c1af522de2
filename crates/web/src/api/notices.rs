//! Notices and live updates: `GET /notices` (the caller's newest notices: warnings,
//! overdue, supervision, escalations, low ratings, new dispatches) and `GET
//! /events/stream`, a server-sent event stream that tells an open screen which events
//! changed and which notices arrived, so lists refresh without reloading. It reads the
//! database, so it works the same with several servers.
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use wangge_store::notices::NoticeView;
use wangge_store::{Scope, Store};

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

/// How often a stream looks for changes.
const POLL: Duration = Duration::from_secs(2);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/events/stream", get(stream))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeQuery {
    after: Option<i64>,
}

async fn list(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> Result<Json<Vec<NoticeView>>, ApiError> {
    Ok(Json(s.store.notices(c.scope(), q.after).await?))
}

/// What one message of the stream says.
#[derive(Serialize)]
struct Change {
    events: Vec<i64>,
    notices: Vec<NoticeView>,
}

struct Cursor {
    store: Store,
    scope: Scope,
    since: i64,
    last_notice: Option<i64>,
}

async fn stream(
    State(s): State<AppState>,
    c: ApiCaller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let last_notice = s
        .store
        .notices(c.scope(), None)
        .await?
        .first()
        .map(|n| n.id);
    let cursor = Cursor {
        since: s.store.now_ms(),
        store: s.store.clone(),
        scope: c.scope().clone(),
        last_notice,
    };
    let changes = stream::unfold(cursor, |mut cur| async move {
        loop {
            tokio::time::sleep(POLL).await;
            let now = cur.store.now_ms();
            let events = cur.store.changed_events(&cur.scope, cur.since).await;
            let notices = cur.store.notices(&cur.scope, cur.last_notice).await;
            let (Ok(events), Ok(notices)) = (events, notices) else {
                // The database is away for a moment: try again at the next poll.
                continue;
            };
            // Overlap the windows a little: a step committed during the query is seen next
            // time rather than never.
            cur.since = now - 1000;
            if let Some(n) = notices.first() {
                cur.last_notice = Some(n.id);
            }
            if events.is_empty() && notices.is_empty() {
                continue;
            }
            let data = serde_json::to_string(&Change { events, notices }).unwrap_or_default();
            let message = Event::default().event("change").data(data);
            return Some((Ok(message), cur));
        }
    });
    Ok(Sse::new(changes).keep_alive(KeepAlive::default()))
}
