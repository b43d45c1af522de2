//! `wangge bench search`: the latency of a name search over the whole district through the
//! product's own path (scope, filter, paging, masking), beside the same query sent raw to
//! the engine, in one run; `wangge bench map`: the whole county's one map rendered on the
//! server. Results go to BENCHMARKS.md by hand.
use std::time::Instant;

use clap::Subcommand;
use sea_orm::{ConnectionTrait, Value};
use wangge_store::people::{Paging, PersonFilter};
use wangge_store::{Scope, Store};

#[derive(Subcommand, Clone, Debug)]
pub enum BenchCommand {
    /// Search by two-character names (surname + given name) picked from the data.
    Search {
        /// How many different names to search for.
        #[arg(long, default_value_t = 200)]
        names: usize,
    },
    /// Create staff-reported events through the HTTP API for a while, beside the raw
    /// engine writing the same rows.
    Events {
        /// How long to keep the load on.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Concurrent clients (keep-alive connections).
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Render the one map (`/command`) of the whole county through the router.
    Map {
        /// How many timed renderings.
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
    /// Ask the indicators of the county, a street, a community, a grid, a department and a
    /// category, beside the engine answering the county's question without the rollup.
    Indicators {
        /// How many timed rounds of each question.
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
    /// Every grid's visit list for today, one worker's list and a street's coverage,
    /// beside the engine fetching the same rows.
    Visits {
        /// How many timed rounds of a worker's list (the district's list runs at most 3).
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
}

pub async fn run(store: &Store, cmd: BenchCommand) -> Result<i32, String> {
    match cmd {
        BenchCommand::Search { names } => search_bench(store, names).await,
        BenchCommand::Events {
            seconds,
            connections,
        } => events_bench(store, seconds, connections).await,
        BenchCommand::Map { runs } => map_bench(store, runs).await,
        BenchCommand::Indicators { runs } => crate::bench_indicators::run(store, runs).await,
        BenchCommand::Visits { runs } => crate::bench_visits::run(store, runs).await,
    }
}

async fn events_bench(store: &Store, seconds: u64, connections: usize) -> Result<i32, String> {
    let run = crate::bench_events::run(store, seconds, connections).await?;
    let mut latencies = run.latencies_ms.clone();
    let rate = run.acknowledged as f64 / run.seconds;
    let (p50, p95) = stats(&mut latencies);
    let p99 = latencies[((latencies.len() - 1) as f64 * 0.99).round() as usize];
    println!(
        "HTTP 上报事件：{connections} 个连接 {:.1} 秒，确认 {} 件（失败 {}），库中新增 {} 件",
        run.seconds, run.acknowledged, run.failed, run.stored
    );
    println!("  {rate:.0} 件/秒；延迟 中位数 {p50:.1} ms  P95 {p95:.1} ms  P99 {p99:.1} ms");
    if run.stored < run.acknowledged {
        return Err(format!(
            "确认了 {} 件但库中只有 {} 件",
            run.acknowledged, run.stored
        ));
    }
    let raw_one = crate::bench_events::raw_engine(store, 2_000, 1).await?;
    let raw_batch = crate::bench_events::raw_engine(store, 20_000, 100).await?;
    println!("原始引擎写入相同的三行（事件、留痕、审计），每件一次提交：{raw_one:.0} 件/秒");
    println!("原始引擎写入相同的三行，每 100 件一次提交：        {raw_batch:.0} 件/秒");
    println!(
        "比值 wangge/引擎：{:.2}（对每件一次提交）  {:.2}（对每100件一次提交）",
        rate / raw_one,
        rate / raw_batch
    );
    Ok(0)
}

async fn search_bench(store: &Store, names: usize) -> Result<i32, String> {
    let picked = pick_names(store, names).await.map_err(|e| e.to_string())?;
    if picked.is_empty() {
        return Err("数据库中没有人员，请先运行 wangge gen".into());
    }
    let scope = Scope::system();
    // One untimed round warms the page cache, as a running server would have it.
    for name in &picked {
        search(store, &scope, name).await?;
        raw(store, name).await?;
    }
    let mut ours = Vec::new();
    let mut engine = Vec::new();
    let mut found = 0u64;
    for name in &picked {
        let t = Instant::now();
        found += search(store, &scope, name).await?;
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        raw(store, name).await?;
        engine.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (m, p95) = stats(&mut ours);
    let (rm, rp95) = stats(&mut engine);
    println!(
        "{} 个两字姓名，平均每个找到 {:.0} 人",
        picked.len(),
        found as f64 / picked.len() as f64
    );
    println!("wangge 人员查询（范围、筛选、分页、脱敏）  中位数 {m:.2} ms  P95 {p95:.2} ms");
    println!("同一查询直接交给数据库引擎            中位数 {rm:.2} ms  P95 {rp95:.2} ms");
    println!("比值 引擎/wangge（中位数）               {:.2}", rm / m);
    Ok(0)
}

fn stats(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

/// Distinct two-character names spread over the table (every k-th row by id).
async fn pick_names(store: &Store, n: usize) -> Result<Vec<String>, wangge_store::StoreError> {
    let db = store.connection();
    let stmt = sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT name FROM person WHERE id % 997 = 0 LIMIT 20000",
        Vec::<Value>::new(),
    );
    let mut names: Vec<String> = Vec::new();
    for r in db.query_all_raw(stmt).await? {
        let name: String = r.try_get("", "name")?;
        if name.chars().count() == 2 && !names.contains(&name) {
            names.push(name);
            if names.len() == n {
                break;
            }
        }
    }
    Ok(names)
}

/// The first page of a search, as the API answers it; returns the total found.
async fn search(store: &Store, scope: &Scope, name: &str) -> Result<u64, String> {
    let filter = PersonFilter {
        name: Some(name.to_string()),
        ..PersonFilter::default()
    };
    let page = store
        .persons(
            scope,
            None,
            &filter,
            Paging::new(Some(1), Some(20)).map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(page.total)
}

/// The same two statements (count and first page) sent straight to the engine.
async fn raw(store: &Store, name: &str) -> Result<(), String> {
    let db = store.connection();
    let backend = db.get_database_backend();
    let hi = format!("{name}\u{10FFFF}");
    let q = |sql: &str| {
        let sql = match backend {
            sea_orm::DbBackend::Postgres => sql.replacen('?', "$1", 1).replacen('?', "$2", 1),
            _ => sql.to_string(),
        };
        sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            vec![Value::from(name), Value::from(hi.as_str())],
        )
    };
    db.query_one_raw(q(
        "SELECT COUNT(*) FROM person WHERE name >= ? AND name < ? AND status = 'active'",
    ))
    .await
    .map_err(|e| e.to_string())?;
    db.query_all_raw(q(
        "SELECT * FROM person WHERE name >= ? AND name < ? AND status = 'active' ORDER BY name, grid_code, id LIMIT 20",
    ))
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

const MAP_USER: &str = "bench_command";

/// The whole county's map page as an operator gets it (session, scope, grouped queries,
/// SVG, template), and the store's part alone, `runs` times after one untimed round.
async fn map_bench(store: &Store, runs: usize) -> Result<i32, String> {
    let err = |e: wangge_store::StoreError| e.to_string();
    let stmt = sea_orm::Statement::from_string(
        store.connection().get_database_backend(),
        "SELECT MIN(code) AS code FROM grid",
    );
    let first: Option<String> = store
        .connection()
        .query_one_raw(stmt)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get("", "code").ok());
    let county = first
        .and_then(|c| c.get(..6).map(str::to_string))
        .ok_or("数据库中没有网格，请先运行 wangge gen")?;
    let operator = crate::bench_events::BenchAccount {
        username: MAP_USER,
        display_name: "压测指挥中心",
        role: wangge_domain::role::Role::Operator,
        scope: &county,
    };
    crate::bench_events::ensure_account(store, &operator).await?;
    let addr = crate::bench_events::serve_in_process(store).await?;
    let token = crate::bench_events::login(addr, MAP_USER).await?;
    let page = format!(
        "GET /command HTTP/1.1\r\nHost: bench\r\nCookie: wangge_session={token}\r\n\
         Connection: close\r\n\r\n"
    );
    let (status, html) = http(addr, page.clone()).await?;
    if status != "200" {
        return Err(format!("/command 返回 {status}"));
    }
    let scope = Scope {
        region: county.clone(),
        role: wangge_domain::role::Role::Operator,
        ..Scope::system()
    };
    let measure = wangge_store::command_map::Measure::Open;
    let m = store
        .command_map(&scope, None, measure)
        .await
        .map_err(err)?;
    let (mut pages, mut stores) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let (status, _) = http(addr, page.clone()).await?;
        pages.push(t.elapsed().as_secs_f64() * 1000.0);
        if status != "200" {
            return Err(format!("/command 返回 {status}"));
        }
        let t = Instant::now();
        store
            .command_map(&scope, None, measure)
            .await
            .map_err(err)?;
        stores.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (pm, p95) = stats(&mut pages);
    let (sm, s95) = stats(&mut stores);
    println!(
        "区县 {county}：{} 个网格、{} 个未结事件点位，页面 {:.1} MB",
        m.grids.len(),
        m.points.len(),
        html.len() as f64 / 1_048_576.0
    );
    println!("一张图页面 /command（查询、SVG、模板）  中位数 {pm:.1} ms  P95 {p95:.1} ms");
    println!("其中查询 Store::command_map          中位数 {sm:.1} ms  P95 {s95:.1} ms");
    Ok(0)
}

/// One HTTP/1.1 exchange on a fresh connection: the status code and the body.
pub(crate) async fn http(
    addr: std::net::SocketAddr,
    req: String,
) -> Result<(String, String), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split(' ').nth(1).unwrap_or_default().to_string();
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |b| b.1)
        .to_string();
    Ok((status, body))
}
