//! `wangge audit verify` over the events' trails (the store's check behind it), on SQLite
//! and PostgreSQL: intact trails pass; an edited step, an inserted step and a step cut off
//! the end are each found and named by event and step.
mod common;

use sea_orm::ConnectionTrait;
use serde_json::json;

#[tokio::test]
async fn every_trail_is_checked_and_each_kind_of_tampering_is_found() {
    on_each_db!(|ctx| {
        let worker = ctx.token("worker_a").await;
        let street = ctx.token("street1").await;
        let mut ids = Vec::new();
        for n in 0..3 {
            let (s, e) = ctx
                .call(
                    "POST",
                    "/api/v1/events",
                    &worker,
                    json!({"category": "A01-003", "description": format!("第{n}处垃圾"),
                           "lng": 113.105, "lat": 27.855}),
                )
                .await;
            assert_eq!(s.as_u16(), 201, "{e}");
            let id = e["id"].as_i64().unwrap();
            for action in ["verify", "dispatch"] {
                ctx.call(
                    "POST",
                    &format!("/api/v1/events/{id}/actions"),
                    &street,
                    json!({"action": action}),
                )
                .await;
            }
            ids.push(id);
        }
        let check = ctx.store.verify_trails().await.unwrap();
        assert_eq!((check.events, check.steps, check.broken_count), (3, 9, 0));

        let db = ctx.store.connection();
        db.execute_unprepared(&format!(
            "UPDATE event_step SET note = '无' WHERE event_id = {} AND seq = 2",
            ids[0]
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "DELETE FROM event_step WHERE event_id = {} AND seq = 3",
            ids[1]
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "INSERT INTO event_step SELECT county, event_id, 4, at, account_id, actor, role, \
             action, from_state, to_state, note, department_id, photos, prev_hash, hash \
             FROM event_step WHERE event_id = {} AND seq = 3",
            ids[2]
        ))
        .await
        .unwrap();
        let check = ctx.store.verify_trails().await.unwrap();
        assert_eq!(check.broken_count, 3, "{check:?}");
        let found: Vec<(i64, Option<i32>)> =
            check.broken.iter().map(|b| (b.event_id, b.seq)).collect();
        assert!(found.contains(&(ids[0], Some(2))), "{found:?}");
        assert!(found.contains(&(ids[1], None)), "{found:?}");
        assert!(found.contains(&(ids[2], Some(4))), "{found:?}");
    });
}
