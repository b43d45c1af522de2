//! Test fixtures for integration tests through the router: a fresh database per test on
//! SQLite and, when `WANGGE_TEST_PG_URL` is set, on PostgreSQL too (a database of its own,
//! dropped afterwards), a manual clock, and a small hand-made district with two streets.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tower::ServiceExt;
use wangge_domain::id_number::{IdNumber, check_digit};
use wangge_domain::phone::Phone;
use wangge_domain::role::Role;
use wangge_domain::totp::totp_at;
use wangge_store::accounts::NewAccount;
use wangge_store::load::{Batch, BuildingIn, GridIn, HouseholdIn, PersonIn};
use wangge_store::{DatabaseUrl, ManualClock, Sm4Crypto, Store};

pub const PASSWORD: &str = "Grid-Work-2026";
pub const GRID_A: &str = "430204001001001";
pub const GRID_B: &str = "430204001001002";
pub const GRID_C: &str = "430204002001001";
/// 2026-11-23 10:00 Shanghai.
/// Unix ms of a Shanghai local time in March 2026 (no holidays that month).
pub fn march_2026(day: u8, h: i64, min: i64) -> i64 {
    let date = wangge_domain::date::Date::new(2026, 3, day).unwrap();
    wangge_domain::date::local_midnight_ms(date) + (h * 60 + min) * 60_000
}

pub const START_MS: i64 = 1_795_399_200_000;

pub enum Db {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{}_{t}_{n}", std::process::id())
}

/// The databases every store test runs on.
pub fn backends() -> Vec<&'static str> {
    match std::env::var("WANGGE_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => vec!["sqlite", "postgres"],
        _ => {
            eprintln!("WANGGE_TEST_PG_URL not set: PostgreSQL half of the test skipped");
            vec!["sqlite"]
        }
    }
}

impl Db {
    pub async fn create(backend: &str) -> (Db, DatabaseUrl) {
        if backend == "sqlite" {
            let dir = std::env::temp_dir().join(unique("wangge_test"));
            std::fs::create_dir_all(&dir).unwrap();
            let url = DatabaseUrl::in_data_dir(&dir);
            return (Db::Sqlite(dir), url);
        }
        let admin_url = std::env::var("WANGGE_TEST_PG_URL").expect("WANGGE_TEST_PG_URL");
        let name = unique("wangge_test");
        let admin = Database::connect(&admin_url)
            .await
            .expect("connect to WANGGE_TEST_PG_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .unwrap();
        let url = DatabaseUrl::parse(&format!("{base}/{name}")).unwrap();
        (Db::Postgres { admin_url, name }, url)
    }

    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match self {
            Db::Sqlite(dir) => Some(dir.join("wangge.sqlite")),
            Db::Postgres { .. } => None,
        }
    }

    pub async fn drop(self) {
        // Dropping runs the cleanup below.
        drop(self);
    }
}

/// Cleans up even when the test panicked, so no database or folder is left behind.
impl Drop for Db {
    fn drop(&mut self) {
        match self {
            Db::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Db::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside the test's runtime, which must not be blocked on.
                let cleanup = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = admin.execute_unprepared(&sql).await;
                            let _ = admin.close().await;
                        }
                    });
                });
                let _ = cleanup.join();
            }
        }
    }
}

pub struct Ctx {
    pub backend: &'static str,
    pub db: Db,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub app: Router,
    pub admin_totp: Vec<u8>,
    pub person_a: i64,
    pub person_c: i64,
    pub id_number_a: String,
}

/// A valid ID number for a birth date and sequence.
pub fn id_number(birth: &str, seq: u32) -> IdNumber {
    let first17 = format!("430204{birth}{seq:03}");
    let check = check_digit(first17.as_bytes()).unwrap() as char;
    IdNumber::parse(&format!("{first17}{check}")).unwrap()
}

fn square(lng: f64, lat: f64) -> Vec<[f64; 2]> {
    vec![
        [lng, lat],
        [lng + 0.01, lat],
        [lng + 0.01, lat + 0.01],
        [lng, lat + 0.01],
        [lng, lat],
    ]
}

/// Two streets; street 1 has one community with grids A and B, street 2 one with grid C.
/// Each grid has a building, a household of two persons and a grid worker on duty.
async fn district(store: &Store) -> (i64, i64, String) {
    let mut b = Batch::new();
    let rect = |w: f64, e: f64| serde_json::json!({"type": "Polygon", "coordinates": [[[w, 27.85], [e, 27.85], [e, 27.86], [w, 27.86], [w, 27.85]]]});
    b.add_region("4302", "株洲市", None, None).unwrap();
    b.add_region(
        "430204",
        "石峰区",
        Some("4302"),
        Some(&rect(113.10, 113.13)),
    )
    .unwrap();
    b.add_region(
        "430204001",
        "清水塘街道",
        Some("430204"),
        Some(&rect(113.10, 113.12)),
    )
    .unwrap();
    b.add_region(
        "430204002",
        "龙头铺街道",
        Some("430204"),
        Some(&rect(113.12, 113.13)),
    )
    .unwrap();
    b.add_region(
        "430204001001",
        "文塅社区",
        Some("430204001"),
        Some(&rect(113.10, 113.12)),
    )
    .unwrap();
    b.add_region(
        "430204002001",
        "龙头铺村",
        Some("430204002"),
        Some(&rect(113.12, 113.13)),
    )
    .unwrap();
    b.add_department(store.next_id(), "D01", "区城市管理和综合执法局", "城管");
    let mut persons = Vec::new();
    for (i, (grid, community)) in [
        (GRID_A, "430204001001"),
        (GRID_B, "430204001001"),
        (GRID_C, "430204002001"),
    ]
    .iter()
    .enumerate()
    {
        let ring = square(113.1 + i as f64 * 0.01, 27.85);
        b.add_grid(
            store,
            &GridIn {
                code: grid,
                name: &format!("第{}网格", i + 1),
                community_code: community,
                ring: &ring,
                households: 1,
                persons: 2,
            },
        )
        .unwrap();
        let building_code = format!("{grid}0001");
        let bid = b
            .add_building(
                store,
                &BuildingIn {
                    code: &building_code,
                    grid_code: grid,
                    name: "1栋",
                    address: "建设路1号1栋",
                    floors: 6,
                    units: 2,
                    rooms_per_floor: 2,
                    point: [113.105 + i as f64 * 0.01, 27.855],
                },
            )
            .unwrap();
        let hid = b
            .add_household(
                store,
                &HouseholdIn {
                    building_id: bid,
                    grid_code: grid,
                    room: "1单元101",
                    address: "建设路1号1栋1单元101",
                    members: 2,
                    number: None,
                },
            )
            .unwrap();
        for (j, (name, birth, rel)) in [("王芳", "19580312", "head"), ("李强", "19900101", "child")]
            .iter()
            .enumerate()
        {
            let idn = id_number(birth, (i * 10 + j) as u32 * 2 + 1);
            let phone = Phone::parse(&format!("1380000{:04}", i * 10 + j)).unwrap();
            let tags: &[(&str, Option<i32>)] = if j == 0 {
                &[("living_alone", None), ("drug_user", None)]
            } else {
                &[]
            };
            let pid = b
                .add_person(
                    store,
                    &PersonIn {
                        household_id: hid,
                        grid_code: grid,
                        name,
                        id_number: &idn,
                        phone: Some(&phone),
                        relation: rel,
                        residence: "registered",
                        tags,
                    },
                )
                .unwrap();
            persons.push((pid, idn.as_str().to_string()));
        }
        b.add_staff(
            store,
            grid,
            "full_time_worker",
            "赵敏",
            &Phone::parse("13912345678").unwrap(),
        )
        .unwrap();
    }
    b.write(store).await.unwrap();
    (persons[0].0, persons[4].0, persons[0].1.clone())
}

pub async fn account(store: &Store, username: &str, role: Role, scope: &str, must_change: bool) {
    store
        .create_account(NewAccount {
            username,
            display_name: username,
            password: PASSWORD,
            role,
            scope,
            department_code: role.is_department().then_some("D01"),
            must_change_password: must_change,
        })
        .await
        .unwrap();
}

impl Ctx {
    pub async fn new(backend: &'static str) -> Ctx {
        let (db, url) = Db::create(backend).await;
        let clock = Arc::new(ManualClock::new(START_MS));
        let store = Store::open(&url, Arc::new(Sm4Crypto::new(&[42; 32])), clock.clone())
            .await
            .unwrap();
        let (person_a, person_c, id_number_a) = district(&store).await;
        account(&store, "worker_a", Role::GridWorker, GRID_A, false).await;
        account(&store, "street1", Role::Operator, "430204001", false).await;
        account(&store, "district", Role::Operator, "430204", false).await;
        account(&store, "leader", Role::Leader, "430204", false).await;
        account(&store, "auditor", Role::Auditor, "430204", false).await;
        account(&store, "handler", Role::DeptHandler, "430204", false).await;
        account(&store, "newbie", Role::GridWorker, GRID_B, true).await;
        account(&store, "admin", Role::Admin, "430204", false).await;
        let admin_totp = b"12345678901234567890".to_vec();
        let admin = store
            .list_accounts()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.username == "admin")
            .unwrap();
        store.set_totp_secret(admin.id, &admin_totp).await.unwrap();
        let app = wangge_web::router(store.clone(), wangge_web::WebConfig::default());
        Ctx {
            backend,
            db,
            store,
            clock,
            app,
            admin_totp,
            person_a,
            person_c,
            id_number_a,
        }
    }

    pub async fn finish(self) {
        self.store.close().await.unwrap();
        self.db.drop().await;
    }

    pub fn totp_now(&self) -> String {
        use wangge_store::Clock;
        totp_at(&self.admin_totp, (self.clock.now_ms() / 1000) as u64)
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, json, headers)
    }

    /// A JSON API call with a bearer token; `Value::Null` sends no body.
    #[allow(dead_code)]
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(if body.is_null() {
                Body::empty()
            } else {
                Body::from(body.to_string())
            })
            .unwrap();
        let (s, v, _) = self.send(req).await;
        (s, v)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let req = Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (s, v, _) = self.send(req).await;
        (s, v)
    }

    pub async fn post_json(&self, path: &str, body: &str) -> (StatusCode, Value) {
        let req = Request::post(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, v, _) = self.send(req).await;
        (s, v)
    }

    pub async fn login_with(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/session",
            &serde_json::json!({"username": username, "password": password}).to_string(),
        )
        .await
    }

    /// The admin's session (the admin signs in with a second factor).
    pub async fn admin_token(&self) -> String {
        let body =
            serde_json::json!({"username": "admin", "password": PASSWORD, "totp": self.totp_now()});
        let (s, v) = self.post_json("/api/v1/session", &body.to_string()).await;
        assert_eq!(s, StatusCode::OK, "{} admin login: {v}", self.backend);
        v["token"].as_str().unwrap().to_string()
    }

    /// Takes a step on an event through the API; anything but 200 fails the test.
    pub async fn act(&self, token: &str, id: i64, body: Value) -> Value {
        let path = format!("/api/v1/events/{id}/actions");
        let (s, e) = self.call("POST", &path, token, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body} → {e}");
        e
    }

    /// Reports an event of the 城管-led item `A01-003` in grid A; answers its id.
    pub async fn report_in_grid_a(&self, token: &str) -> i64 {
        let body = serde_json::json!({"category": "A01-003", "description": "3栋门口堆放垃圾",
                                      "lng": 113.105, "lat": 27.855, "address": "建设路1号3栋"});
        let (s, e) = self.call("POST", "/api/v1/events", token, body).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        e["id"].as_i64().unwrap()
    }

    pub async fn token(&self, username: &str) -> String {
        let (s, v) = self.login_with(username, PASSWORD).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{} login as {username}: {v}",
            self.backend
        );
        v["token"].as_str().unwrap().to_string()
    }
}

/// Runs a test body once per backend, each on a fresh database.
#[macro_export]
macro_rules! on_each_db {
    (|$ctx:ident| $body:block) => {
        for backend in common::backends() {
            let $ctx = common::Ctx::new(backend).await;
            $body
            $ctx.finish().await;
        }
    };
}
