//! `wangge gen`'s event history: the synth crate plans the events of the past 90 days,
//! worker threads replay them into batches (names, deadlines, flags, hashes) and the writer
//! stores batch after batch, each in one transaction; a run that was interrupted carries on
//! with the batches not written yet.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wangge_store::event_load::{
    ActorIn, Cast, EventBatch, EventIn, HistoryAnchor, PreparedBatch, StepIn, history_id,
};
use wangge_store::scope::county_of;
use wangge_store::{Store, StoreError};
use wangge_synth::District;
use wangge_synth::events::{HISTORY_DAYS, History, HistoryConfig, PlannedEvent, Who};

use crate::progress::Progress;

/// Events per transaction (about 20,000 trail rows): a killed run loses at most one batch,
/// memory stays flat.
const EVENTS_PER_BATCH: u64 = 2_000;

fn actor(who: &Who) -> ActorIn {
    match who {
        Who::GridWorker => ActorIn::GridWorker,
        Who::Center => ActorIn::Center,
        Who::Leader => ActorIn::Leader,
        Who::Department { code, name } => ActorIn::Department {
            code: code.clone(),
            name: name.clone(),
        },
        Who::Citizen(name) => ActorIn::Citizen(name.clone()),
        Who::Hotline => ActorIn::Hotline,
        Who::Video => ActorIn::Video,
    }
}

/// The id of event `n` of the history.
fn id_of(h: &History, n: u64) -> i64 {
    history_id(h.created_at(n), n)
}

/// A planned event as the store loads it.
fn input(h: &History, e: &PlannedEvent) -> EventIn {
    EventIn {
        id: id_of(h, e.index),
        grid_code: e.grid_code.clone(),
        category: e.item_code.clone(),
        description: e.description.clone(),
        address: e.address.clone(),
        lng: e.point[0],
        lat: e.point[1],
        urgent: e.urgent,
        source: e.source.as_str().into(),
        reporter: actor(&e.reporter),
        created_at: e.created_at,
        steps: e
            .steps
            .iter()
            .map(|s| StepIn {
                at: s.at,
                actor: actor(&s.who),
                action: s.action,
                note: s.note.clone(),
                department: s.department.clone(),
                co_departments: s.co_departments.clone(),
                review_date: s.review_date,
                duplicate_of: s.duplicate_of.map(|m| id_of(h, m)),
                score: s.score,
                days: s.days,
            })
            .collect(),
    }
}

/// Events `first..end` planned, replayed and made into statements.
fn batch(h: &History, cast: &Cast, first: u64, end: u64) -> Result<PreparedBatch, StoreError> {
    let mut batch = EventBatch::new();
    for n in first..end {
        batch.add(cast, &input(h, &h.event(n)))?;
    }
    Ok(batch.prepare(cast))
}

/// Writes the history `anchor` describes over the district (after its grids and staff),
/// skipping the batches already written; the number of events written.
pub async fn write_history(
    store: &Store,
    district: &District,
    anchor: HistoryAnchor,
) -> Result<u64, StoreError> {
    let cast = Arc::new(store.event_cast(anchor.now_ms).await?);
    let cfg = HistoryConfig {
        seed: anchor.seed,
        events: anchor.events,
        now_ms: anchor.now_ms,
        days: HISTORY_DAYS,
    };
    let history = Arc::new(History::new(cfg, district, cast.catalog(), cast.calendar()));
    let total = history.len();
    let county = county_of(&district.county.code)
        .ok_or_else(|| StoreError::invalid("county", "区县代码无效"))?;
    // Each batch is one transaction: its first event tells whether it was written.
    let mut todo = Vec::new();
    for first in (0..total).step_by(EVENTS_PER_BATCH as usize) {
        if !store.event_exists(county, id_of(&history, first)).await? {
            todo.push(first);
        }
    }
    let batches = total.div_ceil(EVENTS_PER_BATCH);
    if todo.is_empty() {
        return Ok(0);
    }
    if (todo.len() as u64) < batches {
        println!(
            "继续生成事件历史：已有 {} 批，还差 {} 批",
            batches - todo.len() as u64,
            todo.len()
        );
    }
    let events: u64 = todo
        .iter()
        .map(|&first| (first + EVENTS_PER_BATCH).min(total) - first)
        .sum();
    let mut progress = Progress::new("生成事件", events);

    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<PreparedBatch, StoreError>>(workers * 2);
    let todo = Arc::new(todo);
    let next = Arc::new(AtomicU64::new(0));
    for _ in 0..workers {
        let (tx, todo, next, history, cast) = (
            tx.clone(),
            todo.clone(),
            next.clone(),
            history.clone(),
            cast.clone(),
        );
        std::thread::spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(&first) = todo.get(i) else {
                    break;
                };
                let end = (first + EVENTS_PER_BATCH).min(history.len());
                // A closed channel means the writer failed and has stopped listening.
                if tx
                    .blocking_send(batch(&history, &cast, first, end))
                    .is_err()
                {
                    break;
                }
            }
        });
    }
    drop(tx);
    let (mut written, mut steps) = (0u64, 0u64);
    while let Some(next) = rx.recv().await {
        let batch = next?;
        let n = batch.len() as u64;
        steps += batch.step_count() as u64;
        batch.write(store).await?;
        written += n;
        progress.advance(n, &format!("{written} 件，{steps} 条留痕"));
    }
    progress.finish(&format!("{written} 件，{steps} 条留痕"));
    Ok(written)
}
