//! An event (事件): a problem reported on a grid and carried through the closed loop —
//! report, verify, dispatch, sign, handle, check, close, rate. The state and flags follow
//! `wangge_domain::case`; every step is in `event_step`.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub grid_code: String,
    /// Catalog item code (`A01-003`) and its name when the event was filed or re-routed.
    pub category: String,
    pub category_name: String,
    pub description: String,
    pub address: String,
    /// WGS84.
    pub lng: f64,
    pub lat: f64,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// `patrol`, `citizen`, `hotline`, `department`, `video`.
    pub source: String,
    /// `wangge_domain::case::State` machine name.
    pub state: String,
    pub reporter_account: Option<i64>,
    pub reporter_name: String,
    /// Citizens follow their report with this code (随手拍 → 查进度).
    #[sea_orm(unique)]
    pub tracking_code: Option<String>,
    pub department_id: Option<i64>,
    /// Co-departments' codes between commas (`,D03,D05,`), so one is found by `LIKE`
    /// (1+N joint handling).
    pub co_departments: String,
    /// `Level` machine name of the level now handling it (grid … city).
    pub level: String,
    /// Copied from the catalog item: departments may claim it from the pool (领办).
    pub claimable: bool,
    /// The running time limit: `sign` or `handle`, when it started, the working minutes it
    /// allows, the instant 80 % of them are used (warning) and the deadline (UTC ms).
    pub phase: Option<String>,
    pub clock_started_at: Option<i64>,
    pub allowed_minutes: Option<i64>,
    #[sea_orm(indexed)]
    pub warning_at: Option<i64>,
    #[sea_orm(indexed)]
    pub deadline: Option<i64>,
    /// Working minutes left when the event was suspended (挂账), to carry on at resume.
    pub minutes_left: Option<i64>,
    pub warning: bool,
    pub overdue: bool,
    pub supervised: bool,
    pub extended: bool,
    pub extension_pending: bool,
    /// Working days asked for by a pending extension request.
    pub extension_days: Option<i32>,
    pub rework_count: i32,
    pub return_count: i32,
    pub suspended_from: Option<String>,
    pub review_date: Option<String>,
    pub duplicate_of: Option<i64>,
    pub rating: Option<i32>,
    /// The citizen's (or reporter's) comment with the rating.
    pub rating_comment: Option<String>,
    /// A rating of 1 or 2: the command center should look again (差评回访).
    pub low_rating: bool,
    /// A citizen reporter's phone: SM4-GCM ciphertext, blind index (rate limit per phone)
    /// and the masked form shown to staff.
    pub reporter_phone_cipher: Option<Vec<u8>>,
    /// Indexed by migration 5.
    pub reporter_phone_index: Option<Vec<u8>>,
    pub reporter_phone_masked: Option<String>,
    /// Upload ids of the report's photos, between commas (`,17,18,`).
    pub photos: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// Bumped by every step: a step applies only to the version it read, so two people
    /// acting at once (two departments claiming) cannot both win.
    pub version: i32,
    /// Hash of the last step in the event's trail (SM3 chain).
    pub trail_hash: String,
    /// The trail's firsts and flags the indicators need (`wangge_domain::event_facts`),
    /// kept as steps are written (migration 6).
    pub verified_at: Option<i64>,
    pub dispatched_at: Option<i64>,
    pub signed_at: Option<i64>,
    pub handled_at: Option<i64>,
    pub returned: bool,
    pub check_failed: bool,
    pub sign_late: bool,
    pub handle_late: bool,
    pub ever_late: bool,
    /// Working minutes from the first dispatch to the close, set when the case closes.
    pub handling_minutes: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
