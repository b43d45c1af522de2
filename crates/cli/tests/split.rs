//! Applying a proposed split of an oversized grid, on SQLite and PostgreSQL: the parts tile
//! the old grid (coverage stays clean), buildings and residents move, every move recorded.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use common::{Ctx, GRID_A, id_number};
use wangge_store::load::{Batch, BuildingIn, HouseholdIn, PersonIn};

/// Four more buildings in grid A, spread over its square, each with a household of two.
async fn crowd_grid_a(ctx: &Ctx) {
    let mut batch = Batch::new();
    for (i, (dx, dy)) in [
        (0.002, 0.002),
        (0.008, 0.002),
        (0.002, 0.008),
        (0.008, 0.008),
    ]
    .into_iter()
    .enumerate()
    {
        let code = format!("{GRID_A}9{i:02}");
        let bid = batch
            .add_building(
                &ctx.store,
                &BuildingIn {
                    code: &code,
                    grid_code: GRID_A,
                    name: &format!("{}栋", i + 10),
                    address: "建设路",
                    floors: 6,
                    units: 2,
                    rooms_per_floor: 2,
                    point: [113.10 + dx, 27.85 + dy],
                },
            )
            .unwrap();
        let hid = batch
            .add_household(
                &ctx.store,
                &HouseholdIn {
                    building_id: bid,
                    grid_code: GRID_A,
                    room: "101",
                    address: "建设路",
                    members: 2,
                    number: None,
                },
            )
            .unwrap();
        for seq in 0..2 {
            let id = id_number("19750505", (i * 2 + seq) as u32 + 100);
            batch
                .add_person(
                    &ctx.store,
                    &PersonIn {
                        household_id: hid,
                        grid_code: GRID_A,
                        name: "张三",
                        id_number: &id,
                        phone: None,
                        relation: "head",
                        residence: "registered",
                        tags: &[],
                    },
                )
                .unwrap();
        }
    }
    batch.write(&ctx.store).await.unwrap();
    let db = ctx.store.connection();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(&format!(
        "UPDATE grid SET household_count = 5, person_count = 10 WHERE code = '{GRID_A}'"
    ))
    .await
    .unwrap();
}

async fn post(ctx: &Ctx, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, v, _) = ctx.send(req).await;
    (s, v)
}

#[tokio::test]
async fn an_oversized_grid_is_split_as_proposed() {
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        let rule = json!({"households": 2, "persons": 1000});
        let path = format!("/api/v1/grids/{GRID_A}/split");
        // One building cannot be split.
        let (s, e) = post(
            &ctx,
            &format!("/api/v1/grids/{}/split", common::GRID_B),
            &district,
            rule.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");

        crowd_grid_a(&ctx).await;
        let (_, sizing) = ctx
            .get("/api/v1/sizing?households=2&persons=1000", &district)
            .await;
        let a = sizing
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == GRID_A)
            .unwrap()
            .clone();
        let proposal = a["proposed_split"].as_array().unwrap().clone();
        assert_eq!(proposal.len(), 3, "{a}");

        // A grid worker cannot split; the command center can.
        let worker = ctx.token("worker_a").await;
        assert_eq!(
            post(&ctx, &path, &worker, rule.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        let (s, done) = post(&ctx, &path, &district, rule).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        let codes: Vec<String> = done["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes.len(), 3);
        assert_eq!(codes[0], GRID_A);
        assert_eq!(
            codes[1], "430204001001003",
            "the next free number in the community"
        );

        // Each new grid holds the buildings proposed for it, and their residents.
        for (code, part) in codes.iter().zip(&proposal) {
            let (s, g) = ctx.get(&format!("/api/v1/grids/{code}"), &district).await;
            assert_eq!(s, StatusCode::OK, "{g}");
            let mut have: Vec<String> = g["buildings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["code"].as_str().unwrap().to_string())
                .collect();
            let mut want: Vec<String> = part
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap().to_string())
                .collect();
            have.sort();
            want.sort();
            assert_eq!(have, want, "{code}");
        }
        let moved = done["moved_persons"].as_u64().unwrap();
        let (_, list) = ctx
            .get(&format!("/api/v1/persons?region={}", codes[1]), &district)
            .await;
        assert!(list["total"].as_u64().unwrap() > 0, "{list}");
        let db = ctx.store.connection();
        use sea_orm::ConnectionTrait;
        let n = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM person_history WHERE kind = 'move' AND source = '网格拆分'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(n as u64, moved);
        assert!(moved >= 4);

        // The parts tile the old grid: the community is still covered without gap or overlap.
        let (_, coverage) = ctx
            .get("/api/v1/regions/430204001001/coverage", &district)
            .await;
        assert_eq!(coverage["grids"], 4, "{coverage}");
        assert_eq!(
            coverage["findings"].as_array().unwrap().len(),
            0,
            "{coverage}"
        );
        // And a point in a new part locates to it.
        let (s, located) = ctx
            .get("/api/v1/locate?lng=113.108&lat=27.858", &district)
            .await;
        assert_eq!(s, StatusCode::OK);
        let at = located["grid"]["code"].as_str().unwrap().to_string();
        assert!(at != GRID_A && codes.contains(&at), "{located}");
    });
}

#[tokio::test]
async fn a_command_center_draws_a_new_grid() {
    on_each_db!(|ctx| {
        let district = ctx.token("district").await;
        let square = json!({"type": "Polygon", "coordinates": [[
            [113.12, 27.85], [113.13, 27.85], [113.13, 27.86], [113.12, 27.86], [113.12, 27.85]]]});
        let body = json!({"code": "430204001001009", "name": "新建网格", "boundary": square});
        let (s, g) = post(&ctx, "/api/v1/grids", &district, body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{g}");
        assert_eq!(g["community_code"], "430204001001");
        let (s, _) = post(&ctx, "/api/v1/grids", &district, body.clone()).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, located) = ctx
            .get("/api/v1/locate?lng=113.125&lat=27.855", &district)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(located["grid"]["code"], "430204001001009", "{located}");
        // It lies outside its community's outline: the coverage check says so.
        let (_, coverage) = ctx
            .get("/api/v1/regions/430204001001/coverage", &district)
            .await;
        assert!(
            coverage["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["kind"] == "outside"),
            "{coverage}"
        );

        let mut bad = body.clone();
        bad["code"] = json!("43020400100100");
        let (s, e) = post(&ctx, "/api/v1/grids", &district, bad).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("code"))
        );
        let mut bad = body.clone();
        bad["code"] = json!("430204001001010");
        bad["boundary"] = json!({"type": "Point", "coordinates": [113.1, 27.8]});
        let (s, e) = post(&ctx, "/api/v1/grids", &district, bad).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("boundary")),
            "{e}"
        );
        let worker = ctx.token("worker_a").await;
        let mut other = body.clone();
        other["code"] = json!("430204001001011");
        assert_eq!(
            post(&ctx, "/api/v1/grids", &worker, other).await.0,
            StatusCode::FORBIDDEN
        );
    });
}
