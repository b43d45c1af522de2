//! `wangge gen`: writes a deterministic synthetic district (regions, departments, grids,
//! buildings, households, persons with encrypted ID numbers and phones, staff) and the
//! history of its events over the past 90 days (see `history`) with this quarter's work
//! tasks (see `work_task_demo`). The synth crate invents the people; worker threads encrypt
//! and batch them while the async writer stores batch after batch, each in one transaction.
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use wangge_domain::date::local_date;
use wangge_domain::geometry::{MultiPolygon, Polygon, to_geojson, union};
use wangge_domain::id_number::IdNumber;
use wangge_domain::phone::Phone;
use wangge_store::event_load::HistoryAnchor;
use wangge_store::load::{Batch, BuildingIn, GridIn, HouseholdIn, PersonIn};
use wangge_store::{Store, StoreError};
use wangge_synth::{Config, District, GridPlan, Tag};

use crate::history::write_history;
use crate::progress::Progress;

#[derive(Args, Clone, Debug)]
pub struct GenArgs {
    /// Number of grids (232 = Zhuzhou Shifeng; 8930 = Liaocheng scale).
    #[arg(long, default_value_t = 232)]
    pub grids: u32,
    /// Seed: the same seed always gives the same district.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Events in the history of the past 90 days (default: 40 per grid; 0 for none).
    #[arg(long)]
    pub events: Option<u64>,
}

#[derive(Debug)]
pub struct GenSummary {
    pub district: District,
    pub persons: u64,
    /// Events of the history written by this run.
    pub events: u64,
    pub seconds: f64,
}

/// Grids written per transaction: large enough to amortise commits, small enough that a
/// killed run loses little and memory stays flat.
const GRIDS_PER_BATCH: usize = 8;

fn tag_row(t: &Tag) -> (&'static str, Option<i32>) {
    (t.as_str(), t.level().map(i32::from))
}

fn grid_batch(store: &Store, cfg: &Config, grids: &[GridPlan]) -> Result<Batch, StoreError> {
    let mut batch = Batch::new();
    for plan in grids {
        let people = wangge_synth::grid_people(cfg, plan);
        batch.add_grid(
            store,
            &GridIn {
                code: &plan.code,
                name: &plan.name,
                community_code: &plan.community,
                ring: &plan.ring,
                households: people.households.len() as i32,
                persons: people.persons.len() as i32,
            },
        )?;
        let mut building_ids = Vec::with_capacity(people.buildings.len());
        for b in &people.buildings {
            building_ids.push(batch.add_building(
                store,
                &BuildingIn {
                    code: &b.code,
                    grid_code: &plan.code,
                    name: &b.name,
                    address: &b.address,
                    floors: b.floors.into(),
                    units: b.units.into(),
                    rooms_per_floor: b.rooms_per_floor.into(),
                    point: b.point,
                },
            )?);
        }
        for h in &people.households {
            let hid = batch.add_household(
                store,
                &HouseholdIn {
                    building_id: building_ids[h.building],
                    grid_code: &plan.code,
                    room: &h.room,
                    address: &h.address,
                    members: h.person_count as i32,
                    number: None,
                },
            )?;
            for p in &people.persons[h.first_person..h.first_person + h.person_count] {
                let id_number = IdNumber::parse(&p.id_number)
                    .map_err(|e| StoreError::invalid("id_number", e.to_string()))?;
                let phone = p
                    .phone
                    .as_deref()
                    .map(Phone::parse)
                    .transpose()
                    .map_err(|e| StoreError::invalid("phone", e.to_string()))?;
                let tags: Vec<_> = p.tags.iter().map(tag_row).collect();
                batch.add_person(
                    store,
                    &PersonIn {
                        household_id: hid,
                        grid_code: &plan.code,
                        name: &p.name,
                        id_number: &id_number,
                        phone: phone.as_ref(),
                        relation: p.relation.as_str(),
                        residence: p.residence.as_str(),
                        tags: &tags,
                    },
                )?;
            }
        }
        for s in &people.staff {
            let phone =
                Phone::parse(&s.phone).map_err(|e| StoreError::invalid("phone", e.to_string()))?;
            batch.add_staff(store, &plan.code, s.duty.as_str(), &s.name, &phone)?;
        }
    }
    Ok(batch)
}

/// Regions (with boundaries: a community is the union of its grids, a street of its
/// communities, the district of its streets) and departments; written once, before any grid.
async fn write_head(store: &Store, district: &District) -> Result<(), StoreError> {
    let shape_of = |ring: &Vec<[f64; 2]>| {
        MultiPolygon(vec![Polygon {
            outer: ring.clone(),
            holes: Vec::new(),
        }])
    };
    let union_under = |prefix: &str, shapes: &[(String, MultiPolygon)]| {
        let parts: Vec<MultiPolygon> = shapes
            .iter()
            .filter(|(c, _)| c.starts_with(prefix))
            .map(|(_, s)| s.clone())
            .collect();
        union(&parts)
    };
    let grids: Vec<(String, MultiPolygon)> = district
        .grids
        .iter()
        .map(|g| (g.code.clone(), shape_of(&g.ring)))
        .collect();
    let communities: Vec<(String, MultiPolygon)> = district
        .communities
        .iter()
        .map(|c| (c.code.clone(), union_under(&c.code, &grids)))
        .collect();
    let streets: Vec<(String, MultiPolygon)> = district
        .streets
        .iter()
        .map(|s| (s.code.clone(), union_under(&s.code, &communities)))
        .collect();
    let county = union_under(&district.county.code, &streets);
    let mut head = Batch::new();
    head.add_region(&district.city.code, &district.city.name, None, None)?;
    head.add_region(
        &district.county.code,
        &district.county.name,
        district.county.parent.as_deref(),
        Some(&to_geojson(&county)),
    )?;
    for (r, (_, shape)) in district
        .streets
        .iter()
        .zip(&streets)
        .chain(district.communities.iter().zip(&communities))
    {
        head.add_region(
            &r.code,
            &r.name,
            r.parent.as_deref(),
            Some(&to_geojson(shape)),
        )?;
    }
    for d in &district.departments {
        head.add_department(store.next_id(), &d.code, &d.name, &d.short_name);
    }
    head.write(store).await
}

/// Generates the district and its event history into an empty database, or completes an
/// interrupted generation.
pub async fn generate(store: &Store, args: &GenArgs) -> Result<GenSummary, StoreError> {
    if args.grids == 0 {
        return Err(StoreError::invalid("grids", "网格数必须大于0"));
    }
    let started = std::time::Instant::now();
    let cfg = Config {
        seed: args.seed,
        grids: args.grids,
        today: local_date(store.now_ms()),
    };
    let district = wangge_synth::district(&cfg);
    // Every batch is one transaction of whole grids (or whole events), so an interrupted run
    // leaves whole grids behind: running the same command again carries on with the missing
    // ones, and with the history as first planned (its anchor is written before anything).
    let (done, anchor): (HashSet<String>, _) = if store.has_region(&district.county.code).await? {
        let done = store.grid_codes(&district.county.code).await?;
        (done.into_iter().collect(), store.history_anchor().await?)
    } else {
        let events = args
            .events
            .unwrap_or(wangge_synth::events::EVENTS_PER_GRID * u64::from(args.grids));
        let anchor = (events > 0).then(|| HistoryAnchor {
            seed: args.seed,
            events,
            now_ms: store.now_ms(),
        });
        if let Some(a) = anchor {
            store.set_history_anchor(a).await?;
        }
        write_head(store, &district).await?;
        (HashSet::new(), anchor)
    };
    let planned: HashSet<&str> = district.grids.iter().map(|g| g.code.as_str()).collect();
    let refused = || {
        StoreError::Conflict(format!(
            "数据库中已有{}（{}）的{}个网格，与本次生成不符或已生成完毕；请换一个空的数据目录或数据库",
            district.county.name,
            district.county.code,
            done.len()
        ))
    };
    if done.iter().any(|c| !planned.contains(c.as_str())) {
        return Err(refused());
    }
    let todo: Vec<GridPlan> = district
        .grids
        .iter()
        .filter(|g| !done.contains(&g.code))
        .cloned()
        .collect();
    if !done.is_empty() && !todo.is_empty() {
        println!(
            "继续上次中断的生成：已有 {} 个网格，还差 {} 个",
            done.len(),
            todo.len()
        );
    }
    let grids_left = !todo.is_empty();
    let mut persons = 0;
    if grids_left {
        store.begin_bulk_load().await?;
        persons = write_grids(store, cfg, todo).await?;
    }
    let events = match anchor {
        Some(a) => write_history(store, &district, a).await?,
        None => 0,
    };
    if !grids_left && events == 0 {
        return Err(refused());
    }
    if events > 0 {
        eprintln!("计算历史各日的社会治理指数…");
        store.keep_governance_index().await?;
        eprintln!("交办本季度的工作任务…");
        crate::work_task_demo::write_work_tasks(store, &district).await?;
    }
    // Once per district (it checks): the last 60 days of patrols, visits and daily reports.
    crate::field_demo::write_field_history(store, &district, args.seed).await?;
    eprintln!("建立姓名和身份证号索引…");
    store.finish_bulk_load().await?;
    let object = format!(
        "{} grids={} seed={} persons={persons} events={events}",
        district.county.code, args.grids, args.seed
    );
    store
        .audit(wangge_store::audit::AuditEntry {
            account: "system",
            action: "district.generate",
            object: &object,
            outcome: "ok",
            client: "cli",
        })
        .await?;
    Ok(GenSummary {
        persons,
        events,
        seconds: started.elapsed().as_secs_f64(),
        district,
    })
}

/// Writes the grids with their buildings, households, persons and staff; the number of
/// persons written.
async fn write_grids(store: &Store, cfg: Config, todo: Vec<GridPlan>) -> Result<u64, StoreError> {
    let mut progress = Progress::new("生成辖区", todo.len() as u64);
    // Producers on every core invent and encrypt grids while this task writes batches.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let (tx, mut rx) =
        tokio::sync::mpsc::channel::<Result<(usize, Batch), StoreError>>(workers * 2);
    let grids = Arc::new(todo);
    let next_chunk = Arc::new(AtomicUsize::new(0));
    for _ in 0..workers {
        let (tx, grids, next_chunk, store, cfg) = (
            tx.clone(),
            grids.clone(),
            next_chunk.clone(),
            store.clone(),
            cfg,
        );
        std::thread::spawn(move || {
            loop {
                let start = next_chunk.fetch_add(1, Ordering::Relaxed) * GRIDS_PER_BATCH;
                let Some(chunk) = grids
                    .get(start..(start + GRIDS_PER_BATCH).min(grids.len()))
                    .filter(|c| !c.is_empty())
                else {
                    break;
                };
                // A closed channel means the writer failed and has stopped listening.
                if tx
                    .blocking_send(grid_batch(&store, &cfg, chunk).map(|b| (chunk.len(), b)))
                    .is_err()
                {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut persons = 0u64;
    while let Some(next) = rx.recv().await {
        let (grids, batch) = next?;
        persons += batch.person_count as u64;
        batch.write(store).await?;
        progress.advance(grids as u64, &format!("{persons} 人"));
    }
    progress.finish(&format!("{persons} 人"));
    Ok(persons)
}
