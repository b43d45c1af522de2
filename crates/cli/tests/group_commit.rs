//! Reports filed at the same moment are group-committed (one transaction, one fsync for
//! many), on SQLite and PostgreSQL: every acknowledged report is stored with its trail and
//! its audit row, the audit chain stays whole, and a report naming someone else's photo
//! fails alone without sinking the others committed with it.
mod common;

use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reports_commit_together_and_a_bad_one_fails_alone() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        // Someone else's photo: the worker may not attach it.
        let photo = ctx
            .store
            .save_upload(
                wangge_store::uploads::Uploader::Staff(-1),
                include_bytes!("fixtures/street_light_gps.jpg"),
            )
            .await
            .unwrap()
            .id;
        let app = std::sync::Arc::new(ctx.app.clone());
        let mut tasks = Vec::new();
        for n in 0..60 {
            let (app, worker) = (app.clone(), worker.clone());
            tasks.push(tokio::spawn(async move {
                let photos = if n % 12 == 5 {
                    json!([photo])
                } else {
                    json!([])
                };
                let body = json!({"category": "A01-003", "description": format!("同时上报第{n}件"),
                                  "lng": 113.105, "lat": 27.855, "photos": photos});
                let req = axum::http::Request::post("/api/v1/events")
                    .header("authorization", format!("Bearer {worker}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap();
                let resp = tower::ServiceExt::oneshot((*app).clone(), req)
                    .await
                    .unwrap();
                (n, resp.status())
            }));
        }
        let mut created = 0;
        for t in tasks {
            let (n, status) = t.await.unwrap();
            if n % 12 == 5 {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "report {n}");
            } else {
                assert_eq!(status, StatusCode::CREATED, "report {n}");
                created += 1;
            }
        }
        assert_eq!(created, 55);
        let (_, mine) = ctx
            .get("/api/v1/events?queue=mine&per_page=100", &worker)
            .await;
        assert_eq!(mine["total"], 55);
        let check = ctx.store.verify_trails().await.unwrap();
        assert_eq!((check.events, check.broken_count), (55, 0));
        let audit = ctx.store.verify_audit().await.unwrap();
        assert!(
            matches!(audit, wangge_store::audit::Verification::Intact { .. }),
            "{audit:?}"
        );
    });
}
