//! Group commit of reports (reports come from every grid worker and citizen at once): each
//! filed event is queued to one writer task, which takes whatever has queued while it was
//! committing and writes it all in one transaction — the events and their first trail
//! steps in one insert each, the audit rows chained from one read of the chain's head — so
//! one fsync acknowledges them all. Every answer is sent after that commit: an
//! acknowledged report is durable. A report whose photos cannot be attached fails alone
//! (its own savepoint); should the batch itself fail, each report is written again on its
//! own, so one bad row cannot sink the others.
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::audit::AuditEntry;
use crate::entity::{event, event_step};
use crate::uploads::Uploader;
use crate::{Store, StoreError};

/// Most reports committed together.
const MAX_BATCH: usize = 256;
/// Reports waiting beyond this make the senders wait (back-pressure).
const QUEUE: usize = 4096;

/// A report ready to be written: its rows, its photos and its audit row's facts.
pub(crate) struct Filing {
    pub event: event::Model,
    pub step: event_step::Model,
    pub photos: Vec<String>,
    pub uploader: Uploader,
    pub audit_account: String,
    pub client: String,
}

struct Job {
    filing: Filing,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The queue to the writer task.
#[derive(Clone)]
pub(crate) struct GroupWriter {
    jobs: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(store: Store) -> GroupWriter {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(writer(store, queue));
        GroupWriter { jobs }
    }

    /// Queues a report and waits until it is committed (or failed).
    pub(crate) async fn write(&self, filing: Filing) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { filing, done })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Db(DbErr::Custom("写入队列已停止".into()))
}

async fn writer(store: Store, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        let filings: Vec<&Filing> = jobs.iter().map(|j| &j.filing).collect();
        match write_batch(&store, &filings).await {
            Ok(answers) => {
                for (job, answer) in jobs.into_iter().zip(answers) {
                    let _ = job.done.send(answer);
                }
            }
            Err(_) => {
                for job in jobs {
                    let answer = match write_batch(&store, &[&job.filing]).await {
                        Ok(mut answers) => answers.pop().unwrap_or(Ok(())),
                        Err(e) => Err(e),
                    };
                    let _ = job.done.send(answer);
                }
            }
        }
    }
}

/// Writes the reports in one transaction; answers each report's own outcome, or the error
/// that failed the whole batch.
async fn write_batch(
    store: &Store,
    filings: &[&Filing],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let txn = crate::connect::begin_write(store.connection()).await?;
    let mut answers = Vec::with_capacity(filings.len());
    for f in filings {
        answers.push(attach(store, &txn, f).await?);
    }
    let kept: Vec<&Filing> = filings
        .iter()
        .zip(&answers)
        .filter(|(_, a)| a.is_ok())
        .map(|(f, _)| *f)
        .collect();
    if !kept.is_empty() {
        event::Entity::insert_many(
            kept.iter()
                .map(|f| event::ActiveModel::from(f.event.clone())),
        )
        .exec_without_returning(&txn)
        .await?;
        event_step::Entity::insert_many(
            kept.iter()
                .map(|f| event_step::ActiveModel::from(f.step.clone())),
        )
        .exec_without_returning(&txn)
        .await?;
        crate::tally::add(
            &txn,
            kept.iter().flat_map(|f| crate::tally::tally_of(&f.event)),
        )
        .await?;
        let objects: Vec<String> = kept
            .iter()
            .map(|f| format!("事件{} {}", f.event.id, f.event.category_name))
            .collect();
        let entries: Vec<AuditEntry<'_>> = kept
            .iter()
            .zip(&objects)
            .map(|(f, object)| AuditEntry {
                account: &f.audit_account,
                action: "event.report",
                object,
                outcome: "ok",
                client: &f.client,
            })
            .collect();
        store.audit_many_in(&txn, &entries).await?;
    }
    txn.commit().await?;
    Ok(answers)
}

/// Attaches a report's photos in a savepoint of their own: a photo that is not the
/// reporter's fails this report only. The outer error is a database failure.
async fn attach(
    store: &Store,
    txn: &DatabaseTransaction,
    f: &Filing,
) -> Result<Result<(), StoreError>, StoreError> {
    if f.photos.is_empty() {
        return Ok(Ok(()));
    }
    let savepoint = txn.begin().await?;
    match store
        .attach_uploads(&savepoint, f.uploader, &f.photos, f.event.id)
        .await
    {
        Ok(_) => {
            savepoint.commit().await?;
            Ok(Ok(()))
        }
        Err(StoreError::Db(e)) => Err(StoreError::Db(e)),
        Err(refused) => {
            savepoint.rollback().await?;
            Ok(Err(refused))
        }
    }
}
