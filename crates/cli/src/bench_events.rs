//! `wangge bench events`: sustained creation of staff-reported events through the HTTP API,
//! the server and the load generator in one process on this machine, every acknowledged
//! event durable (SQLite fsyncs each commit); beside it, the raw engine writing the same
//! rows (event, first trail step, audit row) as fast as it can at the same durability.
//!
//! The load generator is a plain HTTP/1.1 client over keep-alive TCP connections, so it
//! measures the whole path: parsing, session, checks, the write, the answer.
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, TransactionTrait};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wangge_domain::role::Role;
use wangge_store::accounts::NewAccount;
use wangge_store::entity::event;
use wangge_store::{Scope, Store};

const BENCH_USER: &str = "bench_worker";
pub const BENCH_PASSWORD: &str = "Bench-Pass-2026";

/// What one run measured.
pub struct EventsRun {
    pub acknowledged: u64,
    pub failed: u64,
    pub seconds: f64,
    pub latencies_ms: Vec<f64>,
    pub stored: u64,
}

/// Runs the load for `seconds` with `connections` clients; answers what was measured.
pub async fn run(store: &Store, seconds: u64, connections: usize) -> Result<EventsRun, String> {
    let grid = first_grid(store).await?;
    let worker = BenchAccount {
        username: BENCH_USER,
        display_name: "压测网格员",
        role: Role::GridWorker,
        scope: &grid,
    };
    ensure_account(store, &worker).await?;
    let addr = serve_in_process(store).await?;
    let token = login(addr, BENCH_USER).await?;
    let (lng, lat) = point_in(store, &grid).await?;
    let before = event::Entity::find()
        .count(store.connection())
        .await
        .map_err(|e| e.to_string())?;

    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for n in 0..connections {
        let body = format!(
            r#"{{"category":"A01-003","description":"压测：第{n}路上报的垃圾堆放","lng":{lng},"lat":{lat},"address":"压测地址"}}"#
        );
        let request = format!(
            "POST /api/v1/events HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let (stop, failed) = (stop.clone(), failed.clone());
        clients.push(tokio::spawn(async move {
            client(addr, request, stop, failed).await
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for c in clients {
        latencies.extend(c.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stored = event::Entity::find()
        .count(store.connection())
        .await
        .map_err(|e| e.to_string())?
        - before;
    Ok(EventsRun {
        acknowledged: latencies.len() as u64,
        failed: failed.load(Ordering::Relaxed),
        seconds: elapsed,
        latencies_ms: latencies,
        stored,
    })
}

/// One keep-alive connection sending reports one after the other; answers the latency of
/// every 201.
async fn client(
    addr: SocketAddr,
    request: String,
    stop: Arc<AtomicBool>,
    failed: Arc<AtomicU64>,
) -> Result<Vec<f64>, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut latencies = Vec::new();
    let mut line = String::new();
    let mut body = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        write
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        line.clear();
        read.read_line(&mut line).await.map_err(|e| e.to_string())?;
        let created = line.split(' ').nth(1) == Some("201");
        let mut length = 0usize;
        loop {
            line.clear();
            read.read_line(&mut line).await.map_err(|e| e.to_string())?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
        body.resize(length, 0);
        read.read_exact(&mut body)
            .await
            .map_err(|e| e.to_string())?;
        if created {
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        } else {
            failed.fetch_add(1, Ordering::Relaxed);
            if failed.load(Ordering::Relaxed) == 1 {
                eprintln!("首个失败应答：{}", String::from_utf8_lossy(&body));
            }
        }
    }
    Ok(latencies)
}

async fn first_grid(store: &Store) -> Result<String, String> {
    let shapes = store
        .grid_shapes(&Scope::system(), "")
        .await
        .map_err(|e| e.to_string())?;
    shapes
        .first()
        .map(|g| g.0.clone())
        .ok_or_else(|| "数据库中没有网格，请先运行 wangge gen".to_string())
}

/// An account a benchmark signs in with (password [`BENCH_PASSWORD`]).
pub struct BenchAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub scope: &'a str,
}

/// Creates the benchmark's account unless it is there.
pub async fn ensure_account(store: &Store, a: &BenchAccount<'_>) -> Result<(), String> {
    let exists = store
        .list_accounts()
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .any(|x| x.username == a.username);
    if !exists {
        store
            .create_account(NewAccount {
                username: a.username,
                display_name: a.display_name,
                password: BENCH_PASSWORD,
                role: a.role,
                scope: a.scope,
                department_code: None,
                must_change_password: false,
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Serves the real router on a free local port, in this process; answers the address.
pub async fn serve_in_process(store: &Store) -> Result<SocketAddr, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = wangge_web::router(store.clone(), wangge_web::WebConfig::default());
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok(addr)
}

/// A point well inside the grid: the middle of its bounding box, if the grid holds it.
async fn point_in(store: &Store, grid: &str) -> Result<(f64, f64), String> {
    let g = store
        .grid(&Scope::system(), grid)
        .await
        .map_err(|e| e.to_string())?;
    let (lng, lat) = ((g.bbox[0] + g.bbox[2]) / 2.0, (g.bbox[1] + g.bbox[3]) / 2.0);
    match store.grid_at(lng, lat).await.map_err(|e| e.to_string())? {
        Some(found) if found == grid => Ok((lng, lat)),
        _ => Err(format!("网格 {grid} 的中心不在网格内")),
    }
}

/// Signs in through the API; answers the session token.
pub async fn login(addr: SocketAddr, username: &str) -> Result<String, String> {
    let body = format!(r#"{{"username":"{username}","password":"{BENCH_PASSWORD}"}}"#);
    let mut s = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let req = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("登录失败：{e}"))?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("登录失败：{answer}"))
}

/// The raw engine: the same three rows per event (an event, its first trail step, an
/// audit row) copied by plain SQL from rows the run wrote, with new ids, `per_commit`
/// events per transaction, for `count` events. Answers events per second.
pub async fn raw_engine(store: &Store, count: u64, per_commit: u64) -> Result<f64, String> {
    use sea_orm::{Iden, Iterable};
    use wangge_store::entity::{audit_log, event_step};
    let db = store.connection();
    let template = event::Entity::find()
        .one(db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("先运行一次压测，原始引擎照抄它写入的行")?;
    let audit_template: i64 = audit_log::Entity::find()
        .one(db)
        .await
        .map_err(|e| e.to_string())?
        .map(|a| a.id)
        .ok_or("审计日志为空")?;
    // `INSERT INTO t SELECT <columns, the key replaced by a literal> FROM t WHERE key = x`.
    fn copy<C: Iden>(
        table: &str,
        columns: impl Iterator<Item = C>,
        key: &str,
        new: i64,
        from: &str,
    ) -> String {
        let names: Vec<String> = columns.map(|c| format!("\"{}\"", c.to_string())).collect();
        let values: Vec<String> = names
            .iter()
            .map(|n| {
                if *n == format!("\"{key}\"") {
                    new.to_string()
                } else {
                    n.clone()
                }
            })
            .collect();
        format!(
            "INSERT INTO \"{table}\" ({}) SELECT {} FROM \"{table}\" WHERE {from}",
            names.join(", "),
            values.join(", ")
        )
    }
    let event_row = format!("county = {} AND id = {}", template.county, template.id);
    let step_row = format!(
        "county = {} AND event_id = {} AND seq = 1",
        template.county, template.id
    );
    let audit_row = format!("id = {audit_template}");
    let base_id = store.next_id() + 1_000_000_000;
    let started = Instant::now();
    let mut written = 0u64;
    while written < count {
        let txn = db.begin().await.map_err(|e| e.to_string())?;
        for _ in 0..per_commit.min(count - written) {
            let id = base_id + written as i64;
            for sql in [
                copy("event", event::Column::iter(), "id", id, &event_row),
                copy(
                    "event_step",
                    event_step::Column::iter(),
                    "event_id",
                    id,
                    &step_row,
                ),
                copy("audit_log", audit_log::Column::iter(), "id", id, &audit_row),
            ] {
                txn.execute_unprepared(&sql)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            written += 1;
        }
        txn.commit().await.map_err(|e| e.to_string())?;
    }
    let rate = written as f64 / started.elapsed().as_secs_f64();
    // Leave the data as it was.
    for (table, key) in [
        ("event_step", "event_id"),
        ("audit_log", "id"),
        ("event", "id"),
    ] {
        db.execute_unprepared(&format!("DELETE FROM {table} WHERE {key} >= {base_id}"))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(rate)
}
