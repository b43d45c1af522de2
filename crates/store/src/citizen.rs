//! Citizens (随手拍、随时看、随时评): a report without an account, answered with a tracking
//! code; the progress of that report (steps with times, the department, the result and
//! its photos — no internal notes, no staff names); one rating after closure.
//!
//! A citizen's phone is encrypted like any personal field and found by its blind index,
//! which also limits how many reports one phone may file per hour.
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use wangge_domain::case::{Actor, State};
use wangge_domain::date::format_local;
use wangge_domain::phone::Phone;

use crate::entity::{event, event_step};
use crate::event_actions::{ActionIn, Who};
use crate::events::{Departments, Filer, NewEvent};
use crate::uploads::{PhotoBytes, Uploader, photo_ids};
use crate::{Store, StoreError};

/// Reports one phone may file in an hour.
pub const REPORTS_PER_PHONE_PER_HOUR: u64 = 5;
const HOUR_MS: i64 = 3_600_000;
/// How far a merged report is followed to the event that survived it.
const MAX_MERGE_HOPS: usize = 8;

/// A citizen's report: what and where, the phone to call back, the photos uploaded.
#[derive(Debug, Clone, Default)]
pub struct PublicReport {
    pub event: NewEvent,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    pub tracking_code: String,
}

/// One step as a citizen sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStep {
    pub at: i64,
    pub at_text: String,
    pub label: String,
    pub department: Option<String>,
    /// Only what is meant for the citizen: a result, a reason for declining.
    pub note: Option<String>,
}

/// The progress of a citizen's report.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTrack {
    pub tracking_code: String,
    pub category_name: String,
    pub description: String,
    pub address: String,
    pub state: String,
    pub state_label: &'static str,
    pub created_text: String,
    pub department: Option<String>,
    /// The report was merged with an earlier report of the same problem: the steps and
    /// result shown are that event's.
    pub merged: bool,
    pub steps: Vec<PublicStep>,
    pub result: Option<String>,
    pub report_photos: Vec<i64>,
    pub result_photos: Vec<i64>,
    pub can_rate: bool,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
}

/// Steps a citizen does not see: the system's flags and the command center's supervision.
fn internal(action: &str) -> bool {
    matches!(
        action,
        "warn"
            | "overdue"
            | "supervise"
            | "request_extension"
            | "approve_extension"
            | "reject_extension"
    )
}

/// Steps whose note is meant for the citizen.
fn public_note(action: &str) -> bool {
    matches!(action, "handle" | "decline" | "settle")
}

/// Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L).
fn tracking_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

impl Store {
    /// Files a citizen's report anywhere in the district.
    pub async fn public_report(
        &self,
        report: PublicReport,
        client: &str,
    ) -> Result<Tracking, StoreError> {
        let phone =
            Phone::parse(&report.phone).map_err(|e| StoreError::invalid("phone", e.to_string()))?;
        let index = self.crypto().blind_index("phone", phone.as_str());
        let recent = event::Entity::find()
            .filter(event::Column::ReporterPhoneIndex.eq(index.clone()))
            .filter(event::Column::CreatedAt.gte(self.now_ms() - HOUR_MS))
            .count(self.connection())
            .await?;
        if recent >= REPORTS_PER_PHONE_PER_HOUR {
            return Err(StoreError::TooMany(format!(
                "同一手机号每小时最多反映{REPORTS_PER_PHONE_PER_HOUR}件，请稍后再试"
            )));
        }
        let checked = self.check_new_event(&report.event).await?;
        let code = tracking_code();
        let cipher = self.crypto().encrypt(phone.as_str().as_bytes());
        let masked = phone.masked();
        let filed = self
            .file_event(
                checked,
                Filer {
                    account: None,
                    name: "群众".into(),
                    role: "",
                    source: "citizen",
                    uploader: Uploader::Citizen,
                    audit_account: "public",
                    client,
                },
                &report.event.photos,
                |e| {
                    e.tracking_code = Some(code.clone());
                    e.reporter_phone_cipher = Some(cipher);
                    e.reporter_phone_index = Some(index);
                    e.reporter_phone_masked = Some(masked);
                },
            )
            .await?;
        Ok(Tracking {
            tracking_code: filed.0.tracking_code.unwrap_or(code),
        })
    }

    /// The citizen's own event by tracking code (any case; spaces ignored).
    async fn tracked(&self, code: &str) -> Result<event::Model, StoreError> {
        let code: String = code
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_uppercase();
        if code.len() != 10 {
            return Err(StoreError::NotFound);
        }
        event::Entity::find()
            .filter(event::Column::TrackingCode.eq(code))
            .one(self.connection())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The event whose progress the citizen follows: their own, or the one it was merged
    /// into.
    async fn followed(&self, own: &event::Model) -> Result<event::Model, StoreError> {
        let mut e = own.clone();
        for _ in 0..MAX_MERGE_HOPS {
            match e.duplicate_of.filter(|_| e.state == State::Merged.as_str()) {
                Some(target) => e = self.event_by_id(self.connection(), target).await?,
                None => break,
            }
        }
        Ok(e)
    }

    /// The progress of a report as its citizen sees it.
    pub async fn public_track(&self, code: &str) -> Result<PublicTrack, StoreError> {
        let own = self.tracked(code).await?;
        let shown = self.followed(&own).await?;
        let db = self.connection();
        let depts = Departments::load(db).await?;
        let steps = event_step::Entity::find()
            .filter(event_step::Column::County.eq(shown.county))
            .filter(event_step::Column::EventId.eq(shown.id))
            .order_by_asc(event_step::Column::Seq)
            .all(db)
            .await?;
        let last_handle = steps.iter().rev().find(|s| s.action == "handle");
        let result = last_handle
            .map(|s| s.note.clone())
            .filter(|n| !n.is_empty());
        let result_photos = last_handle.map_or_else(Vec::new, |s| photo_ids(&s.photos));
        let state = State::parse(&own.state).unwrap_or(State::Reported);
        let shown_state = State::parse(&shown.state).unwrap_or(State::Reported);
        let public_steps = steps
            .iter()
            .filter(|s| !internal(&s.action))
            .map(|s| PublicStep {
                at: s.at,
                at_text: format_local(s.at),
                label: crate::events::step_label(&s.action).to_string(),
                department: s
                    .department_id
                    .and_then(|d| depts.by_id(d))
                    .map(|d| d.name.clone()),
                note: Some(s.note.clone()).filter(|n| public_note(&s.action) && !n.is_empty()),
            })
            .collect();
        Ok(PublicTrack {
            tracking_code: own.tracking_code.clone().unwrap_or_default(),
            category_name: own.category_name.clone(),
            description: own.description.clone(),
            address: own.address.clone(),
            state: shown_state.as_str().into(),
            state_label: shown_state.label(),
            created_text: format_local(own.created_at),
            department: shown
                .department_id
                .and_then(|d| depts.by_id(d))
                .map(|d| d.name.clone()),
            merged: shown.id != own.id,
            steps: public_steps,
            result,
            report_photos: photo_ids(&own.photos),
            result_photos,
            can_rate: matches!(state, State::Closed | State::Settled) && own.rating.is_none(),
            rating: own.rating,
            rating_comment: own.rating_comment.clone(),
        })
    }

    /// The citizen's one rating of their closed report (1–5, with a comment).
    pub async fn public_rate(
        &self,
        code: &str,
        score: u8,
        comment: &str,
        client: &str,
    ) -> Result<PublicTrack, StoreError> {
        let own = self.tracked(code).await?;
        let who = Who {
            actor: Actor::citizen().reporter(),
            account: None,
            name: "群众".into(),
            role: "",
            department: None,
            audit_account: "public",
            client,
        };
        let input = ActionIn {
            action: "rate".into(),
            note: Some(comment.to_string()),
            score: Some(score),
            ..ActionIn::default()
        };
        self.apply_action(own, who, input).await?;
        self.public_track(code).await
    }

    /// A photo of the report or of its result, for the tracking page.
    pub async fn public_photo(&self, code: &str, id: i64) -> Result<PhotoBytes, StoreError> {
        let track = self.public_track(code).await?;
        if !track.report_photos.contains(&id) && !track.result_photos.contains(&id) {
            return Err(StoreError::NotFound);
        }
        let own = self.tracked(code).await?;
        let shown = self.followed(&own).await?;
        let event = if track.report_photos.contains(&id) {
            own.id
        } else {
            shown.id
        };
        self.event_photo(event, id).await
    }
}
