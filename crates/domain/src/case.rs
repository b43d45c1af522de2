//! The event (case) state machine of the closed loop (事件处置闭环), after GB/T 30428 and the
//! six steps: 待受理 → 已立案 → 待签收 → 处置中 → 待核查 → 已结案, with the side states 不予立案,
//! 自行处置 (小事不出格), 挂账 and 已合并.
//!
//! Pure data and functions: [`step`] takes the state, the flags, who acts and what they ask,
//! and answers the next state and flags or a [`Refusal`] that maps onto an HTTP status
//! (409 wrong state, 403 wrong actor, 422 a missing or bad field). Scope, department
//! assignment and who reported are decided by the store and handed in as booleans in
//! [`Actor`]; deadlines are computed elsewhere, [`Transition::deadline`] only says what to do
//! with the running one.
//!
//! Checks run in a fixed order, so one request always gets the same answer: the state (409),
//! then the actor (403), then the case's own conditions (409: not claimable, already at
//! city level, an extension already pending, already rated), then the request's fields (422).

use crate::date::Date;
use crate::region::Level;
use crate::role::Role;

/// Longest reason, note or result accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// 待受理: reported, waiting for the command center to verify it.
    Reported,
    /// 已立案: a case, waiting to be dispatched (or claimed from the pool).
    Registered,
    /// 待签收: dispatched to a department that has not signed for it yet.
    Dispatched,
    /// 处置中: the department signed for it and works on it.
    Handling,
    /// 待核查: the department reported a result; the reporter or command center checks it.
    Handled,
    /// 已结案: the check passed.
    Closed,
    /// 不予立案: verified as not a case, with a reason.
    Declined,
    /// 自行处置: settled on the spot by the grid worker (小事不出格).
    Settled,
    /// 挂账: put on hold with a reason and a review date; resumes where it stopped.
    Suspended,
    /// 已合并: closed as a duplicate of another event.
    ///
    /// A state of its own rather than a flag on [`State::Closed`]: a duplicate was never
    /// handled or checked, so lists of closed cases, the closure rate and satisfaction must
    /// not count it, and with its own state they do not without every query remembering to.
    Merged,
}

impl State {
    /// Every state, in the order of the loop, side states last.
    pub const ALL: [State; 10] = [
        State::Reported,
        State::Registered,
        State::Dispatched,
        State::Handling,
        State::Handled,
        State::Closed,
        State::Declined,
        State::Settled,
        State::Suspended,
        State::Merged,
    ];

    /// Stable machine name for storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Reported => "reported",
            State::Registered => "registered",
            State::Dispatched => "dispatched",
            State::Handling => "handling",
            State::Handled => "handled",
            State::Closed => "closed",
            State::Declined => "declined",
            State::Settled => "settled",
            State::Suspended => "suspended",
            State::Merged => "merged",
        }
    }

    /// Inverse of [`State::as_str`].
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The Chinese name shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            State::Reported => "待受理",
            State::Registered => "已立案",
            State::Dispatched => "待签收",
            State::Handling => "处置中",
            State::Handled => "待核查",
            State::Closed => "已结案",
            State::Declined => "不予立案",
            State::Settled => "自行处置",
            State::Suspended => "挂账",
            State::Merged => "已合并",
        }
    }

    /// Still waiting for someone: every state that is not [`closed`](State::is_closed).
    /// A suspended case is open: it stays in the backlog until resumed and finished.
    pub fn is_open(self) -> bool {
        !self.is_closed()
    }

    /// Finished for good: closed, declined, settled on the spot or merged.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            State::Closed | State::Declined | State::Settled | State::Merged
        )
    }
}

/// What someone asks to do with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Verify,
    Decline,
    Settle,
    Dispatch,
    /// Changes the catalog item, which re-routes the case (see [`step`]).
    Recategorize,
    Claim,
    Sign,
    Return,
    Progress,
    Handle,
    CheckPass,
    CheckFail,
    Escalate,
    Supervise,
    RequestExtension,
    ApproveExtension,
    RejectExtension,
    Suspend,
    Resume,
    Merge,
    Rate,
}

impl Action {
    /// Every action, roughly in the order of the loop (also the order of buttons).
    pub const ALL: [Action; 21] = [
        Action::Verify,
        Action::Decline,
        Action::Settle,
        Action::Dispatch,
        Action::Recategorize,
        Action::Claim,
        Action::Sign,
        Action::Return,
        Action::Progress,
        Action::Handle,
        Action::CheckPass,
        Action::CheckFail,
        Action::Escalate,
        Action::Supervise,
        Action::RequestExtension,
        Action::ApproveExtension,
        Action::RejectExtension,
        Action::Suspend,
        Action::Resume,
        Action::Merge,
        Action::Rate,
    ];

    /// Stable machine name for storage, the API and the step log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Verify => "verify",
            Action::Decline => "decline",
            Action::Settle => "settle",
            Action::Dispatch => "dispatch",
            Action::Recategorize => "recategorize",
            Action::Claim => "claim",
            Action::Sign => "sign",
            Action::Return => "return",
            Action::Progress => "progress",
            Action::Handle => "handle",
            Action::CheckPass => "check_pass",
            Action::CheckFail => "check_fail",
            Action::Escalate => "escalate",
            Action::Supervise => "supervise",
            Action::RequestExtension => "request_extension",
            Action::ApproveExtension => "approve_extension",
            Action::RejectExtension => "reject_extension",
            Action::Suspend => "suspend",
            Action::Resume => "resume",
            Action::Merge => "merge",
            Action::Rate => "rate",
        }
    }

    /// Inverse of [`Action::as_str`].
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The Chinese name shown on buttons and in the step log.
    pub fn label(self) -> &'static str {
        match self {
            Action::Verify => "核实立案",
            Action::Decline => "不予立案",
            Action::Settle => "自行处置",
            Action::Dispatch => "交办",
            Action::Recategorize => "更改类别",
            Action::Claim => "认领",
            Action::Sign => "签收",
            Action::Return => "退回",
            Action::Progress => "填写进展",
            Action::Handle => "办结反馈",
            Action::CheckPass => "核查通过",
            Action::CheckFail => "核查不通过",
            Action::Escalate => "上报上级",
            Action::Supervise => "督办",
            Action::RequestExtension => "申请延期",
            Action::ApproveExtension => "批准延期",
            Action::RejectExtension => "驳回延期",
            Action::Suspend => "挂账",
            Action::Resume => "恢复办理",
            Action::Merge => "合并重复事件",
            Action::Rate => "评价",
        }
    }

    /// The request field that carries this action's text, and whether it must be filled.
    ///
    /// Every step that closes, bounces or delays a case must say why, so the record can be
    /// traced (全程留痕): besides the reasons the loop names, settling on the spot needs its
    /// result like handling does, and escalating needs a reason for the level above.
    pub fn text_field(self) -> (&'static str, bool) {
        match self {
            Action::Decline
            | Action::Return
            | Action::CheckFail
            | Action::Escalate
            | Action::RequestExtension
            | Action::RejectExtension
            | Action::Suspend
            | Action::Recategorize => ("reason", true),
            Action::Settle | Action::Handle => ("result", true),
            Action::Progress | Action::Supervise => ("note", true),
            Action::Verify
            | Action::Dispatch
            | Action::Claim
            | Action::Sign
            | Action::CheckPass
            | Action::ApproveExtension
            | Action::Resume
            | Action::Merge
            | Action::Rate => ("note", false),
        }
    }

    /// Who may take the action, as told to someone who may not.
    fn who(self) -> &'static str {
        match self {
            Action::Settle => "网格员或指挥中心",
            Action::Claim => "部门",
            Action::Sign | Action::Return | Action::Handle | Action::RequestExtension => "承办部门",
            Action::Progress => "承办部门或协办部门",
            Action::CheckPass | Action::CheckFail => "本网格网格员或指挥中心",
            Action::Supervise => "指挥中心或领导",
            Action::Rate => "上报人或指挥中心",
            Action::Verify
            | Action::Decline
            | Action::Dispatch
            | Action::Recategorize
            | Action::Escalate
            | Action::ApproveExtension
            | Action::RejectExtension
            | Action::Suspend
            | Action::Resume
            | Action::Merge => "指挥中心",
        }
    }
}

/// Everything about a case besides its state that the rules look at or change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    /// 80% of the running deadline's time is used (see [`timing`]).
    pub warning: bool,
    /// The running deadline has passed.
    pub overdue: bool,
    /// A supervision order (督办) was issued; it stays set.
    pub supervised: bool,
    /// An extension was approved at least once; it stays set.
    pub extended: bool,
    /// A department's extension request waits for the command center.
    pub extension_pending: bool,
    /// Failed checks (返工).
    pub rework_count: u32,
    /// Times a department returned the case as not theirs (退回).
    pub return_count: u32,
    /// The level that owns the case: [`Level::Grid`] at first, one up per escalation, at
    /// most [`Level::City`].
    pub escalation: Level,
    /// The catalog item is in the pool departments may claim from (群众点单、部门领办).
    pub claimable: bool,
    /// While suspended, the state to resume to.
    pub suspended_from: Option<State>,
    /// When merged, the event this one duplicates.
    pub duplicate_of: Option<i64>,
    /// The result was rated; a case is rated once.
    pub rated: bool,
}

impl Default for Flags {
    /// A newly reported case at grid level.
    fn default() -> Self {
        Flags {
            warning: false,
            overdue: false,
            supervised: false,
            extended: false,
            extension_pending: false,
            rework_count: 0,
            return_count: 0,
            escalation: Level::Grid,
            claimable: false,
            suspended_from: None,
            duplicate_of: None,
            rated: false,
        }
    }
}

impl Flags {
    /// These flags with `warning` and `overdue` set from the time used (see [`timing`]).
    pub fn with_timing(mut self, used: u64, allowed: u64) -> Flags {
        (self.warning, self.overdue) = timing(used, allowed);
        self
    }
}

/// `(warning, overdue)` for a deadline with `allowed` working time of which `used` has
/// passed (any one unit): a warning from 80% on, overdue once past. Each flag states a fact,
/// so an overdue case also carries the warning.
pub fn timing(used: u64, allowed: u64) -> (bool, bool) {
    let warning = u128::from(used) * 5 >= u128::from(allowed) * 4;
    (warning, used > allowed)
}

/// Who acts, as far as the rules care. The store decides the booleans from the caller's
/// scope and department; the machine only reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// `None` for a citizen following the link of a report: citizens have no account.
    pub role: Option<Role>,
    /// The actor reported this event.
    pub is_reporter: bool,
    /// The actor's department is the lead department the case is dispatched to.
    pub is_assigned_department: bool,
    /// The actor's department is one of the case's co-departments (1+N).
    pub is_co_department: bool,
}

impl Actor {
    /// A staff member with no particular tie to the case.
    pub fn staff(role: Role) -> Actor {
        Actor {
            role: Some(role),
            is_reporter: false,
            is_assigned_department: false,
            is_co_department: false,
        }
    }

    /// A citizen, who may only rate their own report.
    pub fn citizen() -> Actor {
        Actor {
            role: None,
            is_reporter: false,
            is_assigned_department: false,
            is_co_department: false,
        }
    }

    /// The same actor as the case's reporter.
    pub fn reporter(self) -> Actor {
        Actor {
            is_reporter: true,
            ..self
        }
    }

    /// The same actor as a member of the case's lead department.
    pub fn assigned(self) -> Actor {
        Actor {
            is_assigned_department: true,
            ..self
        }
    }

    /// The same actor as a member of one of the case's co-departments.
    pub fn co_department(self) -> Actor {
        Actor {
            is_co_department: true,
            ..self
        }
    }

    /// The command center: operators, and grid leaders and administrators acting for it.
    fn is_command_center(&self) -> bool {
        matches!(
            self.role,
            Some(Role::Operator | Role::GridLeader | Role::Admin)
        )
    }

    fn is_department(&self) -> bool {
        self.role.is_some_and(Role::is_department)
    }

    fn is_lead_department(&self) -> bool {
        self.is_department() && self.is_assigned_department
    }

    fn label(&self) -> &'static str {
        self.role.map_or("群众", Role::label)
    }
}

/// What the actor asks, with the fields the action may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub action: Action,
    /// The reason, note or result, as [`Action::text_field`] names it.
    pub note: Option<&'a str>,
    /// Dispatch, and recategorizing a dispatched case: the lead department. Recategorizing
    /// a case not yet dispatched ignores it.
    pub department: Option<i64>,
    /// With `department`: co-departments, neither repeated nor the lead.
    pub co_departments: &'a [i64],
    /// Suspend: when to look at the case again.
    pub review_date: Option<Date>,
    /// Merge: the event this one duplicates.
    pub duplicate_of: Option<i64>,
    /// Rate: satisfaction from 1 to 5.
    pub score: Option<u8>,
}

impl<'a> Request<'a> {
    /// A request with no fields filled.
    pub fn new(action: Action) -> Request<'a> {
        Request {
            action,
            note: None,
            department: None,
            co_departments: &[],
            review_date: None,
            duplicate_of: None,
            score: None,
        }
    }

    pub fn note(self, note: &'a str) -> Request<'a> {
        Request {
            note: Some(note),
            ..self
        }
    }

    pub fn department(self, lead: i64, co: &'a [i64]) -> Request<'a> {
        Request {
            department: Some(lead),
            co_departments: co,
            ..self
        }
    }

    pub fn review_date(self, date: Date) -> Request<'a> {
        Request {
            review_date: Some(date),
            ..self
        }
    }

    pub fn duplicate_of(self, event: i64) -> Request<'a> {
        Request {
            duplicate_of: Some(event),
            ..self
        }
    }

    pub fn score(self, score: u8) -> Request<'a> {
        Request {
            score: Some(score),
            ..self
        }
    }
}

/// A stage of work with a deadline of its own in the handling catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Signing for a dispatched case.
    Sign,
    /// Handling a signed case, or redoing it after a failed check.
    Handle,
}

/// What the store must do with the case's deadline after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Nothing changes.
    Keep,
    /// Start a new deadline for this phase from now (the old one, if any, is dropped).
    Start(Phase),
    /// Push the running deadline back by the approved extension.
    Extend,
    /// Stop the clock and remember the time left, if a deadline runs.
    Pause,
    /// Carry on with the time left when the case was suspended.
    Resume,
    /// No deadline runs any more.
    Clear,
}

/// The outcome of an accepted step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub state: State,
    pub flags: Flags,
    pub deadline: Deadline,
}

/// Why a step was refused, and the HTTP status that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// 409: not in the case's current state or conditions.
    Conflict,
    /// 403: not for this actor.
    Forbidden,
    /// 422: a field the action needs is empty.
    Missing { field: &'static str },
    /// 422: a field is filled but wrong.
    Invalid { field: &'static str },
}

/// A refused step, with a Chinese message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
}

impl Refusal {
    fn conflict(message: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Conflict,
            message: message.into(),
        }
    }

    /// The HTTP status: 409, 403 or 422.
    pub fn status(&self) -> u16 {
        match self.kind {
            RefusalKind::Conflict => 409,
            RefusalKind::Forbidden => 403,
            RefusalKind::Missing { .. } | RefusalKind::Invalid { .. } => 422,
        }
    }

    /// The API's error code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            RefusalKind::Conflict => "conflict",
            RefusalKind::Forbidden => "forbidden",
            RefusalKind::Missing { .. } => "missing_field",
            RefusalKind::Invalid { .. } => "invalid_field",
        }
    }

    /// The request field at fault, for 422 refusals.
    pub fn field(&self) -> Option<&'static str> {
        match self.kind {
            RefusalKind::Missing { field } | RefusalKind::Invalid { field } => Some(field),
            RefusalKind::Conflict | RefusalKind::Forbidden => None,
        }
    }
}

/// The states an action may be taken in.
fn allowed_in(action: Action, state: State) -> bool {
    use State::*;
    match action {
        Action::Verify | Action::Decline | Action::Settle => state == Reported,
        Action::Dispatch | Action::Claim => state == Registered,
        Action::Sign => state == Dispatched,
        Action::Progress | Action::Handle => state == Handling,
        Action::CheckPass | Action::CheckFail => state == Handled,
        Action::Return
        | Action::RequestExtension
        | Action::ApproveExtension
        | Action::RejectExtension => matches!(state, Dispatched | Handling),
        // Escalation hands a case the level cannot settle to the level above; before it is
        // a case (reported) there is nothing to hand over, and once handled the check decides.
        Action::Escalate => matches!(state, Registered | Dispatched | Handling),
        // Until a department signs for it; after that the department returns a case that is
        // not theirs, and the command center dispatches it again.
        Action::Recategorize => matches!(state, Reported | Registered | Dispatched),
        Action::Supervise | Action::Merge => state.is_open(),
        Action::Suspend => state.is_open() && state != Suspended,
        Action::Resume => state == Suspended,
        Action::Rate => matches!(state, Closed | Settled),
    }
}

/// Whether the actor may take the action at all, ignoring the state.
fn allowed_for(action: Action, actor: &Actor) -> bool {
    let center = actor.is_command_center();
    match action {
        Action::Verify
        | Action::Decline
        | Action::Dispatch
        | Action::Recategorize
        | Action::Escalate
        | Action::ApproveExtension
        | Action::RejectExtension
        | Action::Suspend
        | Action::Resume
        | Action::Merge => center,
        // The grid worker of the case's grid (the store shows a grid worker only the cases of
        // their grids), whoever reported it.
        Action::Settle => center || actor.role == Some(Role::GridWorker),
        Action::Claim => actor.is_department(),
        Action::Sign | Action::Return | Action::Handle | Action::RequestExtension => {
            actor.is_lead_department()
        }
        Action::Progress => {
            actor.is_department() && (actor.is_assigned_department || actor.is_co_department)
        }
        // The grid worker checks the result on the spot, whoever reported it (a citizen's
        // report is checked by the grid's worker); the store shows a grid worker only the
        // cases of their grids.
        Action::CheckPass | Action::CheckFail => center || actor.role == Some(Role::GridWorker),
        // Leaders only read, except for ordering supervision.
        Action::Supervise => center || actor.role == Some(Role::Leader),
        // The reporter (a citizen too), or the command center recording a return call (回访).
        Action::Rate => center || (actor.is_reporter && actor.role.is_none_or(Role::can_write)),
    }
}

/// The case's own conditions for an action, beyond its state.
fn condition(action: Action, flags: &Flags) -> Result<(), Refusal> {
    match action {
        Action::Claim if !flags.claimable => {
            Err(Refusal::conflict("该事项不在部门认领池中，不能认领"))
        }
        Action::Escalate if next_level(flags.escalation).is_none() => Err(Refusal::conflict(
            format!("事件已由{}级处理，无法继续上报", flags.escalation.label()),
        )),
        Action::RequestExtension if flags.extension_pending => Err(Refusal::conflict(
            "已有待审批的延期申请，审批前不能再次申请",
        )),
        Action::ApproveExtension | Action::RejectExtension if !flags.extension_pending => {
            Err(Refusal::conflict("没有待审批的延期申请"))
        }
        Action::Resume if flags.suspended_from.is_none() => {
            Err(Refusal::conflict("挂账前的状态未记录，无法恢复办理"))
        }
        Action::Rate if flags.rated => Err(Refusal::conflict("事件已评价，不能重复评价")),
        _ => Ok(()),
    }
}

/// The level above on the way grid → community → street → county → city; none above city.
fn next_level(level: Level) -> Option<Level> {
    if level <= Level::City {
        None
    } else {
        level.parent()
    }
}

/// Whether the actor may take the action now, leaving the request's fields aside: the
/// state (409), the actor (403) and the case's conditions (409). [`step`] runs the same
/// checks first, so a `check` that passes means only the fields can still be refused.
pub fn check(state: State, flags: &Flags, actor: &Actor, action: Action) -> Result<(), Refusal> {
    if !allowed_in(action, state) {
        return Err(Refusal::conflict(format!(
            "事件当前为“{}”，不能{}",
            state.label(),
            action.label()
        )));
    }
    if !allowed_for(action, actor) {
        return Err(Refusal {
            kind: RefusalKind::Forbidden,
            message: format!(
                "{}无权{}，仅限{}",
                actor.label(),
                action.label(),
                action.who()
            ),
        });
    }
    condition(action, flags)
}

/// The actions the actor may take now, in [`Action::ALL`] order: the buttons to show.
/// An action is listed exactly when [`step`] accepts it with its fields filled in.
pub fn available(state: State, flags: &Flags, actor: &Actor) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|&a| check(state, flags, actor, a).is_ok())
        .collect()
}

fn missing(action: Action, field: &'static str, what: &str) -> Refusal {
    Refusal {
        kind: RefusalKind::Missing { field },
        message: format!("{}需要填写{}", action.label(), what),
    }
}

fn invalid(field: &'static str, message: String) -> Refusal {
    Refusal {
        kind: RefusalKind::Invalid { field },
        message,
    }
}

/// The lead department and the co-departments of a dispatch.
fn check_departments(request: &Request<'_>) -> Result<(), Refusal> {
    let lead = request
        .department
        .ok_or_else(|| missing(request.action, "department", "承办部门"))?;
    let co = request.co_departments;
    if co.contains(&lead) {
        return Err(invalid(
            "co_departments",
            "协办部门不能包含牵头部门".to_owned(),
        ));
    }
    if co.iter().enumerate().any(|(i, d)| co[..i].contains(d)) {
        return Err(invalid("co_departments", "协办部门不能重复".to_owned()));
    }
    Ok(())
}

/// The request's fields: the text the action needs, and its own fields, some of which
/// depend on the state (recategorizing a dispatched case dispatches it again).
fn check_fields(state: State, request: &Request<'_>) -> Result<(), Refusal> {
    let action = request.action;
    let (field, required) = action.text_field();
    let text = request.note.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => {
            let what = match field {
                "reason" => "理由",
                "result" => "处置结果",
                _ => "说明",
            };
            return Err(missing(action, field, what));
        }
        Some(t) if t.chars().count() > MAX_NOTE_CHARS => {
            return Err(invalid(field, format!("内容不能超过{MAX_NOTE_CHARS}字")));
        }
        _ => {}
    }
    match action {
        Action::Dispatch => check_departments(request)?,
        Action::Recategorize if state == State::Dispatched => check_departments(request)?,
        Action::Suspend if request.review_date.is_none() => {
            return Err(missing(action, "review_date", "复查日期"));
        }
        Action::Merge if request.duplicate_of.is_none() => {
            return Err(missing(action, "duplicate_of", "重复的事件"));
        }
        Action::Rate => match request.score {
            None => return Err(missing(action, "score", "满意度")),
            Some(s) if !(1..=5).contains(&s) => {
                return Err(invalid("score", format!("满意度应为1至5分，实际为{s}")));
            }
            Some(_) => {}
        },
        _ => {}
    }
    Ok(())
}

/// Takes one step of the loop, or says why not (see the module docs for the order of the
/// checks). The flags that describe the running deadline (`warning`, `overdue`) are cleared
/// when a new deadline starts or the deadline is extended, and kept otherwise, so a case
/// handled late still shows it was overdue.
pub fn step(
    state: State,
    flags: &Flags,
    actor: &Actor,
    request: &Request<'_>,
) -> Result<Transition, Refusal> {
    let action = request.action;
    check(state, flags, actor, action)?;
    check_fields(state, request)?;

    let mut f = *flags;
    let (next, deadline) = match action {
        Action::Verify => (State::Registered, Deadline::Keep),
        Action::Decline => (State::Declined, Deadline::Clear),
        Action::Settle => (State::Settled, Deadline::Clear),
        Action::Dispatch | Action::Claim => (State::Dispatched, Deadline::Start(Phase::Sign)),
        // The new item may belong to another department: a dispatched case goes to the new
        // lead department as if freshly dispatched, so the old one's extension request goes.
        Action::Recategorize if state == State::Dispatched => {
            f.extension_pending = false;
            (State::Dispatched, Deadline::Start(Phase::Sign))
        }
        Action::Recategorize => (state, Deadline::Keep),
        Action::Sign => (State::Handling, Deadline::Start(Phase::Handle)),
        Action::Return => {
            // Back to the command center that dispatched it, to dispatch again.
            f.return_count += 1;
            (State::Registered, Deadline::Clear)
        }
        Action::Progress | Action::Supervise | Action::RequestExtension => {
            f.supervised |= action == Action::Supervise;
            f.extension_pending |= action == Action::RequestExtension;
            (state, Deadline::Keep)
        }
        Action::Handle => (State::Handled, Deadline::Clear),
        Action::CheckPass => (State::Closed, Deadline::Clear),
        Action::CheckFail => {
            // Back to the same department to redo, with a fresh handling deadline.
            f.rework_count += 1;
            (State::Handling, Deadline::Start(Phase::Handle))
        }
        Action::Escalate => {
            // The level above takes the case over and dispatches it anew (possibly to the
            // same department), so any sign-for or handling by the department ends here.
            f.escalation = next_level(f.escalation).expect("checked in condition");
            (State::Registered, Deadline::Clear)
        }
        Action::ApproveExtension => {
            f.extension_pending = false;
            f.extended = true;
            (state, Deadline::Extend)
        }
        Action::RejectExtension => {
            f.extension_pending = false;
            (state, Deadline::Keep)
        }
        Action::Suspend => {
            f.suspended_from = Some(state);
            (State::Suspended, Deadline::Pause)
        }
        Action::Resume => (
            f.suspended_from.expect("checked in condition"),
            Deadline::Resume,
        ),
        Action::Merge => {
            f.duplicate_of = request.duplicate_of;
            (State::Merged, Deadline::Clear)
        }
        Action::Rate => {
            f.rated = true;
            (state, Deadline::Keep)
        }
    };

    if matches!(deadline, Deadline::Start(_) | Deadline::Extend) {
        f.warning = false;
        f.overdue = false;
    }
    // An extension request only matters while a department holds the case (a suspended case
    // keeps it for when it resumes); the saved state only while suspended.
    if !matches!(next, State::Dispatched | State::Handling | State::Suspended) {
        f.extension_pending = false;
    }
    if next != State::Suspended {
        f.suspended_from = None;
    }
    Ok(Transition {
        state: next,
        flags: f,
        deadline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CENTER: Actor = Actor {
        role: Some(Role::Operator),
        is_reporter: false,
        is_assigned_department: false,
        is_co_department: false,
    };

    fn dept() -> Actor {
        Actor::staff(Role::DeptHandler).assigned()
    }

    fn worker() -> Actor {
        Actor::staff(Role::GridWorker).reporter()
    }

    /// Takes a step that must be accepted, updating state and flags.
    fn go(state: &mut State, flags: &mut Flags, actor: Actor, request: Request<'_>) -> Deadline {
        let t = step(*state, flags, &actor, &request)
            .unwrap_or_else(|r| panic!("{:?} in {:?}: {}", request.action, state, r));
        *state = t.state;
        *flags = t.flags;
        t.deadline
    }

    fn refuse(state: State, flags: &Flags, actor: Actor, request: Request<'_>) -> Refusal {
        step(state, flags, &actor, &request).unwrap_err()
    }

    fn review() -> Date {
        Date::new(2026, 3, 2).unwrap()
    }

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
            assert_eq!(s.is_open(), !s.is_closed());
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(State::parse("open"), None);
        assert_eq!(Action::parse("close"), None);
        assert_eq!(State::Dispatched.label(), "待签收");
        assert_eq!(Action::CheckFail.as_str(), "check_fail");
        assert_eq!(Action::parse("recategorize"), Some(Action::Recategorize));
        assert_eq!(Action::Recategorize.label(), "更改类别");
        assert_eq!(Action::Recategorize.text_field(), ("reason", true));
        // Machine names and labels are distinct, so the trail and the buttons are unambiguous.
        for (i, a) in Action::ALL.iter().enumerate() {
            for b in &Action::ALL[..i] {
                assert!(
                    a.as_str() != b.as_str() && a.label() != b.label(),
                    "{a:?} {b:?}"
                );
            }
        }
        let closed: Vec<_> = State::ALL.into_iter().filter(|s| s.is_closed()).collect();
        assert_eq!(
            closed,
            [
                State::Closed,
                State::Declined,
                State::Settled,
                State::Merged
            ]
        );
        assert!(State::Suspended.is_open());
    }

    #[test]
    fn happy_path_through_the_loop() {
        let (mut s, mut f) = (State::Reported, Flags::default());
        assert_eq!(
            go(&mut s, &mut f, CENTER, Request::new(Action::Verify)),
            Deadline::Keep
        );
        assert_eq!(s, State::Registered);
        let d = go(
            &mut s,
            &mut f,
            CENTER,
            Request::new(Action::Dispatch).department(11, &[12, 13]),
        );
        assert_eq!((s, d), (State::Dispatched, Deadline::Start(Phase::Sign)));
        let d = go(&mut s, &mut f, dept(), Request::new(Action::Sign));
        assert_eq!((s, d), (State::Handling, Deadline::Start(Phase::Handle)));
        let co = Actor::staff(Role::DeptHead).co_department();
        let d = go(
            &mut s,
            &mut f,
            co,
            Request::new(Action::Progress).note("已到现场"),
        );
        assert_eq!((s, d), (State::Handling, Deadline::Keep));
        let d = go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::Handle).note("已清理"),
        );
        assert_eq!((s, d), (State::Handled, Deadline::Clear));
        let d = go(&mut s, &mut f, worker(), Request::new(Action::CheckPass));
        assert_eq!((s, d), (State::Closed, Deadline::Clear));
        go(
            &mut s,
            &mut f,
            Actor::citizen().reporter(),
            Request::new(Action::Rate).score(5),
        );
        assert_eq!(s, State::Closed);
        assert!(f.rated);
        assert_eq!(f.rework_count + f.return_count, 0);
        assert!(available(s, &f, &CENTER).is_empty());
    }

    #[test]
    fn every_refusal_kind() {
        let f = Flags::default();
        let r = refuse(State::Reported, &f, dept(), Request::new(Action::Sign));
        assert_eq!(
            (r.kind, r.status(), r.code()),
            (RefusalKind::Conflict, 409, "conflict")
        );
        assert_eq!(r.message, "事件当前为“待受理”，不能签收");
        assert_eq!(r.to_string(), r.message);

        let r = refuse(
            State::Reported,
            &f,
            Actor::staff(Role::DeptHandler),
            Request::new(Action::Verify),
        );
        assert_eq!((r.kind, r.status()), (RefusalKind::Forbidden, 403));
        assert_eq!(r.message, "部门经办人无权核实立案，仅限指挥中心");
        assert_eq!(r.field(), None);

        // A department the case is not dispatched to.
        let r = refuse(
            State::Dispatched,
            &f,
            Actor::staff(Role::DeptHead),
            Request::new(Action::Sign),
        );
        assert_eq!(r.message, "部门负责人无权签收，仅限承办部门");
        let r = refuse(
            State::Dispatched,
            &f,
            Actor::staff(Role::Auditor),
            Request::new(Action::Supervise).note("x"),
        );
        assert_eq!(r.status(), 403);

        let r = refuse(State::Handling, &f, dept(), Request::new(Action::Return));
        assert_eq!(r.kind, RefusalKind::Missing { field: "reason" });
        assert_eq!(
            (r.status(), r.field(), r.code()),
            (422, Some("reason"), "missing_field")
        );
        assert_eq!(r.message, "退回需要填写理由");
        let r = refuse(
            State::Handling,
            &f,
            dept(),
            Request::new(Action::Handle).note("  \n"),
        );
        assert_eq!(r.kind, RefusalKind::Missing { field: "result" });
        let long = "长".repeat(MAX_NOTE_CHARS + 1);
        let r = refuse(
            State::Handling,
            &f,
            dept(),
            Request::new(Action::Handle).note(&long),
        );
        assert_eq!(r.kind, RefusalKind::Invalid { field: "result" });
        let r = refuse(
            State::Registered,
            &f,
            CENTER,
            Request::new(Action::Dispatch),
        );
        assert_eq!(
            r.kind,
            RefusalKind::Missing {
                field: "department"
            }
        );
        let r = refuse(
            State::Registered,
            &f,
            CENTER,
            Request::new(Action::Dispatch).department(1, &[2, 1]),
        );
        assert_eq!(
            r.kind,
            RefusalKind::Invalid {
                field: "co_departments"
            }
        );
        let r = refuse(
            State::Registered,
            &f,
            CENTER,
            Request::new(Action::Dispatch).department(1, &[2, 3, 2]),
        );
        assert_eq!(r.message, "协办部门不能重复");

        // State before actor before fields.
        let r = refuse(
            State::Closed,
            &f,
            Actor::staff(Role::Auditor),
            Request::new(Action::Decline),
        );
        assert_eq!(r.status(), 409);
        let r = refuse(
            State::Reported,
            &f,
            Actor::staff(Role::Auditor),
            Request::new(Action::Decline),
        );
        assert_eq!(r.status(), 403);
    }

    #[test]
    fn return_and_redispatch() {
        let (mut s, mut f) = (State::Dispatched, Flags::default());
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::Return).note("不属于本部门职责"),
        );
        assert_eq!((s, f.return_count), (State::Registered, 1));
        let d = go(
            &mut s,
            &mut f,
            CENTER,
            Request::new(Action::Dispatch).department(21, &[]),
        );
        assert_eq!((s, d), (State::Dispatched, Deadline::Start(Phase::Sign)));
        go(&mut s, &mut f, dept(), Request::new(Action::Sign));
        let d = go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::Return).note("应由住建处理"),
        );
        assert_eq!(
            (s, d, f.return_count),
            (State::Registered, Deadline::Clear, 2)
        );
        // Only the command center dispatches again.
        let r = refuse(
            s,
            &f,
            dept(),
            Request::new(Action::Dispatch).department(3, &[]),
        );
        assert_eq!(r.status(), 403);
    }

    #[test]
    fn check_fail_counts_rework_and_restarts_handling() {
        let (mut s, mut f) = (State::Handled, Flags::default());
        f.overdue = true;
        f.warning = true;
        let r = refuse(s, &f, worker(), Request::new(Action::CheckFail));
        assert_eq!(r.field(), Some("reason"));
        // The grid's worker checks a citizen's report too; a department may not check its
        // own result.
        let citizens = Actor::staff(Role::GridWorker);
        assert!(available(s, &f, &citizens).contains(&Action::CheckPass));
        let r = refuse(
            s,
            &f,
            Actor::staff(Role::DeptHandler).assigned(),
            Request::new(Action::CheckPass),
        );
        assert_eq!(r.status(), 403);
        let d = go(
            &mut s,
            &mut f,
            worker(),
            Request::new(Action::CheckFail).note("垃圾未清运"),
        );
        assert_eq!((s, d), (State::Handling, Deadline::Start(Phase::Handle)));
        assert_eq!(f.rework_count, 1);
        assert!(!f.overdue && !f.warning);
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::Handle).note("已清运"),
        );
        go(
            &mut s,
            &mut f,
            CENTER,
            Request::new(Action::CheckFail).note("仍有残留"),
        );
        assert_eq!((s, f.rework_count), (State::Handling, 2));
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::Handle).note("已清理干净"),
        );
        go(&mut s, &mut f, CENTER, Request::new(Action::CheckPass));
        assert_eq!(s, State::Closed);
    }

    #[test]
    fn escalation_up_to_city_then_refused() {
        let (mut s, mut f) = (State::Handling, Flags::default());
        let mut levels = vec![f.escalation];
        for _ in 0..4 {
            let d = go(
                &mut s,
                &mut f,
                CENTER,
                Request::new(Action::Escalate).note("本级无法解决"),
            );
            assert_eq!((s, d), (State::Registered, Deadline::Clear));
            levels.push(f.escalation);
        }
        assert_eq!(
            levels,
            [
                Level::Grid,
                Level::Community,
                Level::Street,
                Level::County,
                Level::City
            ]
        );
        let r = refuse(s, &f, CENTER, Request::new(Action::Escalate).note("再上报"));
        assert_eq!(r.status(), 409);
        assert_eq!(r.message, "事件已由市级处理，无法继续上报");
        assert!(!available(s, &f, &CENTER).contains(&Action::Escalate));
        let r = refuse(
            State::Reported,
            &Flags::default(),
            CENTER,
            Request::new(Action::Escalate),
        );
        assert_eq!(r.status(), 409);
        let r = refuse(
            State::Dispatched,
            &Flags::default(),
            dept(),
            Request::new(Action::Escalate).note("x"),
        );
        assert_eq!(r.status(), 403);
    }

    #[test]
    fn suspend_and_resume_return_to_the_previous_state() {
        for from in [
            State::Reported,
            State::Registered,
            State::Dispatched,
            State::Handling,
            State::Handled,
        ] {
            let (mut s, mut f) = (from, Flags::default());
            let r = refuse(
                s,
                &f,
                CENTER,
                Request::new(Action::Suspend).note("等待汛期结束"),
            );
            assert_eq!(
                r.kind,
                RefusalKind::Missing {
                    field: "review_date"
                }
            );
            let r = refuse(
                s,
                &f,
                CENTER,
                Request::new(Action::Suspend).review_date(review()),
            );
            assert_eq!(r.kind, RefusalKind::Missing { field: "reason" });
            let d = go(
                &mut s,
                &mut f,
                CENTER,
                Request::new(Action::Suspend)
                    .note("等待汛期结束")
                    .review_date(review()),
            );
            assert_eq!(
                (s, d, f.suspended_from),
                (State::Suspended, Deadline::Pause, Some(from))
            );
            let r = refuse(
                s,
                &f,
                CENTER,
                Request::new(Action::Suspend)
                    .note("再挂")
                    .review_date(review()),
            );
            assert_eq!(r.status(), 409);
            let r = refuse(s, &f, dept(), Request::new(Action::Resume));
            assert_eq!(r.status(), 403);
            let d = go(&mut s, &mut f, CENTER, Request::new(Action::Resume));
            assert_eq!((s, d, f.suspended_from), (from, Deadline::Resume, None));
        }
        let r = refuse(
            State::Closed,
            &Flags::default(),
            CENTER,
            Request::new(Action::Suspend)
                .note("x")
                .review_date(review()),
        );
        assert_eq!(r.status(), 409);
        // A suspended case whose earlier state was lost cannot guess one.
        let r = refuse(
            State::Suspended,
            &Flags::default(),
            CENTER,
            Request::new(Action::Resume),
        );
        assert_eq!(r.status(), 409);
    }

    #[test]
    fn one_extension_request_at_a_time() {
        let (mut s, mut f) = (State::Handling, Flags::default());
        let r = refuse(s, &f, CENTER, Request::new(Action::ApproveExtension));
        assert_eq!(
            (r.status(), r.message.as_str()),
            (409, "没有待审批的延期申请")
        );
        let r = refuse(s, &f, dept(), Request::new(Action::RequestExtension));
        assert_eq!(r.field(), Some("reason"));
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::RequestExtension).note("需采购配件"),
        );
        assert!(f.extension_pending);
        let r = refuse(
            s,
            &f,
            dept(),
            Request::new(Action::RequestExtension).note("再申请"),
        );
        assert_eq!(r.status(), 409);
        let r = refuse(s, &f, dept(), Request::new(Action::ApproveExtension));
        assert_eq!(r.status(), 403);
        let r = refuse(s, &f, CENTER, Request::new(Action::RejectExtension));
        assert_eq!(r.field(), Some("reason"));
        go(
            &mut s,
            &mut f,
            CENTER,
            Request::new(Action::RejectExtension).note("时限充足"),
        );
        assert!(!f.extension_pending && !f.extended);

        f.overdue = true;
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::RequestExtension).note("需采购配件"),
        );
        let d = go(
            &mut s,
            &mut f,
            CENTER,
            Request::new(Action::ApproveExtension),
        );
        assert_eq!((s, d), (State::Handling, Deadline::Extend));
        assert!(f.extended && !f.extension_pending && !f.overdue);
        // A new request after the first was decided.
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::RequestExtension).note("再次延期"),
        );
        // Handing in the result drops a pending request.
        go(
            &mut s,
            &mut f,
            dept(),
            Request::new(Action::Handle).note("已修复"),
        );
        assert!(!f.extension_pending);
        let r = refuse(
            State::Registered,
            &Flags::default(),
            dept(),
            Request::new(Action::RequestExtension).note("x"),
        );
        assert_eq!(r.status(), 409);
    }

    #[test]
    fn claim_only_when_claimable() {
        let handler = Actor::staff(Role::DeptHandler);
        let mut f = Flags::default();
        let r = refuse(State::Registered, &f, handler, Request::new(Action::Claim));
        assert_eq!(
            (r.status(), r.message.as_str()),
            (409, "该事项不在部门认领池中，不能认领")
        );
        f.claimable = true;
        let t = step(
            State::Registered,
            &f,
            &handler,
            &Request::new(Action::Claim),
        )
        .unwrap();
        assert_eq!(
            (t.state, t.deadline),
            (State::Dispatched, Deadline::Start(Phase::Sign))
        );
        let r = refuse(State::Registered, &f, CENTER, Request::new(Action::Claim));
        assert_eq!(r.status(), 403);
        let r = refuse(State::Dispatched, &f, handler, Request::new(Action::Claim));
        assert_eq!(r.status(), 409);
        assert!(available(State::Registered, &f, &handler).contains(&Action::Claim));
    }

    #[test]
    fn settle_on_the_spot_and_decline() {
        let f = Flags::default();
        let gw = Actor::staff(Role::GridWorker);
        let r = refuse(State::Reported, &f, gw, Request::new(Action::Settle));
        assert_eq!(r.kind, RefusalKind::Missing { field: "result" });
        let t = step(
            State::Reported,
            &f,
            &gw,
            &Request::new(Action::Settle).note("当场劝离占道摊贩"),
        )
        .unwrap();
        assert_eq!((t.state, t.deadline), (State::Settled, Deadline::Clear));
        assert!(t.state.is_closed());
        let r = refuse(
            State::Reported,
            &f,
            dept(),
            Request::new(Action::Settle).note("x"),
        );
        assert_eq!(r.status(), 403);
        // Only the command center declines or opens a case.
        assert_eq!(available(State::Reported, &f, &gw), [Action::Settle]);

        let r = refuse(State::Reported, &f, CENTER, Request::new(Action::Decline));
        assert_eq!(r.kind, RefusalKind::Missing { field: "reason" });
        assert_eq!(r.message, "不予立案需要填写理由");
        let t = step(
            State::Reported,
            &f,
            &Actor::staff(Role::GridLeader),
            &Request::new(Action::Decline).note("重复上报的私人纠纷"),
        )
        .unwrap();
        assert_eq!(t.state, State::Declined);
        let r = refuse(
            State::Reported,
            &f,
            gw,
            Request::new(Action::Decline).note("x"),
        );
        assert_eq!(r.status(), 403);
    }

    #[test]
    fn rate_once_from_one_to_five() {
        let f = Flags::default();
        let citizen = Actor::citizen().reporter();
        for bad in [0, 6] {
            let r = refuse(
                State::Closed,
                &f,
                citizen,
                Request::new(Action::Rate).score(bad),
            );
            assert_eq!(r.kind, RefusalKind::Invalid { field: "score" });
        }
        let r = refuse(State::Closed, &f, citizen, Request::new(Action::Rate));
        assert_eq!(r.kind, RefusalKind::Missing { field: "score" });
        for score in 1..=5 {
            let t = step(
                State::Settled,
                &f,
                &citizen,
                &Request::new(Action::Rate).score(score),
            )
            .unwrap();
            assert!(t.flags.rated);
            let r = refuse(
                State::Settled,
                &t.flags,
                citizen,
                Request::new(Action::Rate).score(5),
            );
            assert_eq!(
                (r.status(), r.message.as_str()),
                (409, "事件已评价，不能重复评价")
            );
        }
        for state in [State::Handled, State::Declined, State::Merged] {
            let r = refuse(state, &f, citizen, Request::new(Action::Rate).score(4));
            assert_eq!(r.status(), 409);
        }
        let r = refuse(
            State::Closed,
            &f,
            Actor::citizen(),
            Request::new(Action::Rate).score(4),
        );
        assert_eq!(
            (r.status(), r.message.as_str()),
            (403, "群众无权评价，仅限上报人或指挥中心")
        );
        assert!(
            step(
                State::Closed,
                &f,
                &CENTER,
                &Request::new(Action::Rate).score(3)
            )
            .is_ok()
        );
    }

    #[test]
    fn merge_supervise_and_timing() {
        let (mut s, mut f) = (State::Dispatched, Flags::default());
        let r = refuse(s, &f, CENTER, Request::new(Action::Supervise));
        assert_eq!(r.field(), Some("note"));
        go(
            &mut s,
            &mut f,
            Actor::staff(Role::Leader),
            Request::new(Action::Supervise).note("请于今日内签收"),
        );
        assert!(f.supervised && s == State::Dispatched);
        let r = refuse(s, &f, CENTER, Request::new(Action::Merge));
        assert_eq!(
            r.kind,
            RefusalKind::Missing {
                field: "duplicate_of"
            }
        );
        let d = go(
            &mut s,
            &mut f,
            CENTER,
            Request::new(Action::Merge).duplicate_of(42),
        );
        assert_eq!(
            (s, d, f.duplicate_of),
            (State::Merged, Deadline::Clear, Some(42))
        );
        assert!(s.is_closed());
        let r = refuse(s, &f, CENTER, Request::new(Action::Merge).duplicate_of(43));
        assert_eq!(r.status(), 409);

        assert_eq!(timing(79, 100), (false, false));
        assert_eq!(timing(80, 100), (true, false));
        assert_eq!(timing(100, 100), (true, false));
        assert_eq!(timing(101, 100), (true, true));
        assert_eq!(timing(u64::MAX, u64::MAX), (true, false));
        let f = Flags::default().with_timing(9, 10);
        assert!(f.warning && !f.overdue);
    }

    #[test]
    fn available_agrees_with_step() {
        let mut actors = vec![Actor::citizen(), Actor::citizen().reporter()];
        for &role in Role::all() {
            let a = Actor::staff(role);
            actors.extend([a, a.reporter(), a.assigned(), a.co_department()]);
        }
        let flag_sets = [
            Flags::default(),
            Flags {
                claimable: true,
                extension_pending: true,
                rated: true,
                suspended_from: Some(State::Handling),
                ..Flags::default()
            },
            Flags {
                escalation: Level::City,
                suspended_from: Some(State::Registered),
                ..Flags::default()
            },
        ];
        let full = |action| Request {
            action,
            note: Some("说明"),
            department: Some(1),
            co_departments: &[2, 3],
            review_date: Some(review()),
            duplicate_of: Some(7),
            score: Some(5),
        };
        let mut accepted = 0;
        for state in State::ALL {
            for flags in &flag_sets {
                for actor in &actors {
                    let shown = available(state, flags, actor);
                    for action in Action::ALL {
                        let result = step(state, flags, actor, &full(action));
                        assert_eq!(
                            shown.contains(&action),
                            result.is_ok(),
                            "{state:?} {action:?} {actor:?} {flags:?}: {result:?}"
                        );
                        if let Ok(t) = result {
                            accepted += 1;
                            // The flags stay consistent with the new state.
                            if state != State::Suspended || flags.suspended_from.is_some() {
                                assert_eq!(
                                    t.flags.suspended_from.is_some(),
                                    t.state == State::Suspended
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(accepted > 100, "{accepted}");
    }

    #[test]
    fn recategorize_reroutes_until_signed() {
        // Before dispatch the case stays where it is and its clock runs on.
        for from in [State::Reported, State::Registered] {
            let f = Flags {
                warning: true,
                ..Flags::default()
            };
            let r = refuse(from, &f, CENTER, Request::new(Action::Recategorize));
            assert_eq!(r.kind, RefusalKind::Missing { field: "reason" });
            assert_eq!(r.message, "更改类别需要填写理由");
            let t = step(
                from,
                &f,
                &CENTER,
                &Request::new(Action::Recategorize).note("应为占道经营"),
            )
            .unwrap();
            assert_eq!((t.state, t.deadline, t.flags), (from, Deadline::Keep, f));
        }
        // A dispatched case goes to the new item's lead department, as freshly dispatched.
        let f = Flags {
            warning: true,
            overdue: true,
            extension_pending: true,
            ..Flags::default()
        };
        let reason = Request::new(Action::Recategorize).note("应为违章建筑");
        let r = refuse(State::Dispatched, &f, CENTER, reason);
        assert_eq!(
            r.kind,
            RefusalKind::Missing {
                field: "department"
            }
        );
        let r = refuse(State::Dispatched, &f, CENTER, reason.department(5, &[6, 5]));
        assert_eq!(
            r.kind,
            RefusalKind::Invalid {
                field: "co_departments"
            }
        );
        let t = step(State::Dispatched, &f, &CENTER, &reason.department(5, &[6])).unwrap();
        assert_eq!(
            (t.state, t.deadline),
            (State::Dispatched, Deadline::Start(Phase::Sign))
        );
        assert!(!t.flags.warning && !t.flags.overdue && !t.flags.extension_pending);
        // Once signed, the department returns it instead.
        for state in [
            State::Handling,
            State::Handled,
            State::Suspended,
            State::Closed,
        ] {
            let r = refuse(state, &f, CENTER, reason.department(5, &[]));
            assert_eq!(r.status(), 409, "{state:?}");
        }
        // Only the command center, like verifying.
        for actor in [
            dept(),
            worker(),
            Actor::staff(Role::Leader),
            Actor::citizen().reporter(),
        ] {
            let r = refuse(State::Registered, &f, actor, reason);
            assert_eq!(r.status(), 403, "{actor:?}");
        }
        let r = refuse(State::Registered, &f, dept(), reason);
        assert_eq!(r.message, "部门经办人无权更改类别，仅限指挥中心");
        let shown = available(State::Registered, &Flags::default(), &CENTER);
        let at = |a| shown.iter().position(|&b| b == a).unwrap();
        assert_eq!(at(Action::Recategorize), at(Action::Dispatch) + 1);
    }

    /// SplitMix64: a small deterministic generator, so a failing sequence can be replayed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// True with probability `k` in `n`.
        fn chance(&mut self, k: usize, n: usize) -> bool {
            self.below(n) < k
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())]
        }
    }

    /// Every accepted (from, action, to), written from the loop as documented rather than
    /// from the code: the six steps, the side states, and what any open case allows.
    /// Resuming returns to the state the case was suspended in (checked separately).
    const TRANSITIONS: &[(State, Action, State)] = {
        use Action as A;
        use State::*;
        &[
            (Reported, A::Verify, Registered),
            (Reported, A::Decline, Declined),
            (Reported, A::Settle, Settled),
            (Reported, A::Recategorize, Reported),
            (Reported, A::Supervise, Reported),
            (Reported, A::Suspend, Suspended),
            (Reported, A::Merge, Merged),
            (Registered, A::Dispatch, Dispatched),
            (Registered, A::Claim, Dispatched),
            (Registered, A::Recategorize, Registered),
            (Registered, A::Escalate, Registered),
            (Registered, A::Supervise, Registered),
            (Registered, A::Suspend, Suspended),
            (Registered, A::Merge, Merged),
            (Dispatched, A::Sign, Handling),
            (Dispatched, A::Recategorize, Dispatched),
            (Dispatched, A::Return, Registered),
            (Dispatched, A::Escalate, Registered),
            (Dispatched, A::RequestExtension, Dispatched),
            (Dispatched, A::ApproveExtension, Dispatched),
            (Dispatched, A::RejectExtension, Dispatched),
            (Dispatched, A::Supervise, Dispatched),
            (Dispatched, A::Suspend, Suspended),
            (Dispatched, A::Merge, Merged),
            (Handling, A::Progress, Handling),
            (Handling, A::Handle, Handled),
            (Handling, A::Return, Registered),
            (Handling, A::Escalate, Registered),
            (Handling, A::RequestExtension, Handling),
            (Handling, A::ApproveExtension, Handling),
            (Handling, A::RejectExtension, Handling),
            (Handling, A::Supervise, Handling),
            (Handling, A::Suspend, Suspended),
            (Handling, A::Merge, Merged),
            (Handled, A::CheckPass, Closed),
            (Handled, A::CheckFail, Handling),
            (Handled, A::Supervise, Handled),
            (Handled, A::Suspend, Suspended),
            (Handled, A::Merge, Merged),
            (Suspended, A::Resume, Reported),
            (Suspended, A::Resume, Registered),
            (Suspended, A::Resume, Dispatched),
            (Suspended, A::Resume, Handling),
            (Suspended, A::Resume, Handled),
            (Suspended, A::Supervise, Suspended),
            (Suspended, A::Merge, Merged),
            (Closed, A::Rate, Closed),
            (Settled, A::Rate, Settled),
        ]
    };

    fn random_actor(rng: &mut Rng) -> Actor {
        Actor {
            role: if rng.chance(1, 9) {
                None
            } else {
                Some(rng.pick(Role::all()))
            },
            is_reporter: rng.chance(1, 2),
            is_assigned_department: rng.chance(1, 2),
            is_co_department: rng.chance(1, 3),
        }
    }

    /// Someone and something to do. Mostly an action one of a few random actors may take,
    /// often one that moves the case along the loop, so walks get deep into it instead of
    /// ending in an early merge; otherwise anything, by anyone.
    fn choose(rng: &mut Rng, state: State, flags: &Flags) -> (Actor, Action) {
        const FORWARD: [Action; 9] = [
            Action::Verify,
            Action::Dispatch,
            Action::Claim,
            Action::Sign,
            Action::Handle,
            Action::CheckPass,
            Action::CheckFail,
            Action::Resume,
            Action::Rate,
        ];
        let actors: Vec<Actor> = (0..6).map(|_| random_actor(rng)).collect();
        let may = |a: &Actor, action| check(state, flags, a, action).is_ok();
        let offered: Vec<Action> = Action::ALL
            .into_iter()
            .filter(|&action| actors.iter().any(|a| may(a, action)))
            .collect();
        if offered.is_empty() || rng.chance(1, 4) {
            return (actors[0], rng.pick(&Action::ALL));
        }
        let forward: Vec<Action> = offered
            .iter()
            .copied()
            .filter(|a| FORWARD.contains(a))
            .collect();
        let action = if !forward.is_empty() && rng.chance(1, 2) {
            rng.pick(&forward)
        } else {
            rng.pick(&offered)
        };
        let able: Vec<Actor> = actors.into_iter().filter(|a| may(a, action)).collect();
        (rng.pick(&able), action)
    }

    /// A request with each field usually well filled, sometimes empty or wrong.
    fn random_request<'a>(rng: &mut Rng, action: Action, long: &'a str) -> Request<'a> {
        const CO: [&[i64]; 5] = [&[], &[2], &[2, 3], &[1], &[3, 3]];
        let notes = [None, Some(""), Some(" \n"), Some(long)];
        Request {
            action,
            note: if rng.chance(3, 4) {
                Some("说明")
            } else {
                rng.pick(&notes)
            },
            department: rng.chance(3, 4).then(|| 1 + rng.below(3) as i64),
            co_departments: rng.pick(&CO),
            review_date: rng.chance(3, 4).then(review),
            duplicate_of: rng.chance(3, 4).then(|| rng.below(100) as i64),
            score: rng.chance(3, 4).then(|| rng.below(8) as u8),
        }
    }

    /// Whether the request carries every field its action needs, valid — decided here
    /// from the documented rules, not by the machine's own field check.
    fn fields_complete(state: State, r: &Request<'_>) -> bool {
        let text = r.note.map_or("", str::trim);
        let text_ok = (!r.action.text_field().1 || !text.is_empty())
            && text.chars().count() <= MAX_NOTE_CHARS;
        let co = r.co_departments;
        let departments_ok = r.department.is_some_and(|lead| {
            !co.contains(&lead) && co.iter().enumerate().all(|(i, d)| !co[i + 1..].contains(d))
        });
        let own_ok = match r.action {
            Action::Dispatch => departments_ok,
            Action::Recategorize => state != State::Dispatched || departments_ok,
            Action::Suspend => r.review_date.is_some(),
            Action::Merge => r.duplicate_of.is_some(),
            Action::Rate => r.score.is_some_and(|s| (1..=5).contains(&s)),
            _ => true,
        };
        text_ok && own_ok
    }

    /// The invariants of one accepted step from `(from, before)` to `t`.
    fn check_accepted(from: State, before: &Flags, action: Action, t: &Transition) {
        let (to, f) = (t.state, &t.flags);
        assert!(
            TRANSITIONS.contains(&(from, action, to)),
            "{from:?} --{action:?}--> {to:?} is not in the table"
        );
        if from.is_closed() {
            assert_eq!((action, to), (Action::Rate, from), "left a closed state");
        }
        assert!(!f.overdue || f.warning, "overdue without warning: {f:?}");
        if matches!(t.deadline, Deadline::Start(_) | Deadline::Extend) {
            assert!(!f.warning && !f.overdue, "a new deadline starts fresh");
        }
        let rework = f.rework_count.checked_sub(before.rework_count);
        let expected_rework = u32::from(action == Action::CheckFail);
        assert_eq!(rework, Some(expected_rework), "rework from {from:?}");
        let returns = f.return_count.checked_sub(before.return_count);
        assert_eq!(returns, Some(u32::from(action == Action::Return)));
        assert!(f.supervised >= before.supervised && f.extended >= before.extended);
        assert!(action != Action::Rate || !before.rated, "rated twice");
        assert_eq!(
            f.rated,
            before.rated || action == Action::Rate,
            "{action:?}"
        );
        assert!(!f.rated || matches!(to, State::Closed | State::Settled));
        // Escalation only goes up (a smaller level is a higher one), never past the city.
        assert!(f.escalation <= before.escalation && f.escalation >= Level::City);
        assert_eq!(f.claimable, before.claimable);
        assert_eq!(f.suspended_from.is_some(), to == State::Suspended);
        assert_eq!(f.duplicate_of.is_some(), to == State::Merged);
        if f.extension_pending {
            assert!(matches!(
                to,
                State::Dispatched | State::Handling | State::Suspended
            ));
        }
    }

    /// The fields of one simulated trail row, as the store would chain them.
    fn trail_fields(seq: usize, index: usize, row: &(State, Action, State)) -> [String; 5] {
        [
            seq.to_string(),
            index.to_string(),
            row.1.as_str().to_owned(),
            row.0.as_str().to_owned(),
            row.2.as_str().to_owned(),
        ]
    }

    fn trail_hash(prev: &[u8; 32], fields: &[String; 5]) -> [u8; 32] {
        let refs = fields.each_ref().map(String::as_str);
        crate::audit::chain_hash(prev, &refs)
    }

    #[test]
    fn random_sequences_keep_the_loop_sound() {
        let long = "长".repeat(MAX_NOTE_CHARS + 1);
        let mut rng = Rng(0x5eed_ca5e);
        let mut seen = Vec::new();
        for seq in 0..2000 {
            let (mut state, mut flags) = (State::Reported, Flags::default());
            flags.claimable = rng.chance(1, 2);
            // The test's own memory of where a suspended case came from, closure and rating.
            let mut suspended_from = None;
            let mut was_closed = false;
            let mut was_rated = false;
            let mut trail: Vec<(State, Action, State)> = Vec::new();
            let mut hashes: Vec<[u8; 32]> = Vec::new();
            for _ in 0..rng.below(41) {
                // The sweeper may have moved the clock since the last step.
                if rng.chance(1, 4) {
                    flags = flags.with_timing(rng.below(150) as u64, 100);
                }
                let (actor, action) = choose(&mut rng, state, &flags);
                let shown = available(state, &flags, &actor);
                let request = random_request(&mut rng, action, &long);
                let result = step(state, &flags, &actor, &request);
                let context = || format!("seq {seq}: {state:?} {flags:?} {actor:?} {request:?}");
                let is_shown = shown.contains(&action);
                match &result {
                    Err(r) if !is_shown => assert_ne!(r.status(), 422, "{}", context()),
                    Err(r) => {
                        assert!(!fields_complete(state, &request), "{r:?} {}", context());
                        assert_eq!(r.status(), 422, "{}", context());
                    }
                    Ok(_) => assert!(
                        is_shown && fields_complete(state, &request),
                        "{}",
                        context()
                    ),
                }
                let Ok(t) = result else { continue };

                check_accepted(state, &flags, action, &t);
                assert!(!was_closed || t.state.is_closed(), "{}", context());
                match action {
                    Action::Suspend => suspended_from = Some(state),
                    Action::Resume => assert_eq!(Some(t.state), suspended_from.take()),
                    Action::Rate => {
                        assert!(!was_rated, "{}", context());
                        was_rated = true;
                    }
                    _ => {}
                }
                let row = (state, action, t.state);
                if !seen.contains(&row) {
                    seen.push(row);
                }
                let prev = hashes.last().copied().unwrap_or(crate::audit::GENESIS);
                hashes.push(trail_hash(&prev, &trail_fields(seq, trail.len(), &row)));
                trail.push(row);
                was_closed |= t.state.is_closed();
                (state, flags) = (t.state, t.flags);
            }

            // The trail is one unbroken path from the report to where the case stands…
            let mut at = State::Reported;
            for &(from, _, to) in &trail {
                assert_eq!(from, at, "seq {seq}: broken trail");
                at = to;
            }
            assert_eq!(at, state);
            // …and recomputing its chain from the rows gives the same head.
            let head = trail
                .iter()
                .enumerate()
                .fold(crate::audit::GENESIS, |prev, (i, row)| {
                    trail_hash(&prev, &trail_fields(seq, i, row))
                });
            assert_eq!(
                head,
                hashes.last().copied().unwrap_or(crate::audit::GENESIS)
            );
            // Stored as rows of (prev hash, fields, hash), the chain verifies as the log does.
            let fields: Vec<[String; 5]> = (0..trail.len())
                .map(|i| trail_fields(seq, i, &trail[i]))
                .collect();
            let prevs: Vec<[u8; 32]> = std::iter::once(crate::audit::GENESIS)
                .chain(hashes.iter().copied())
                .collect();
            let rows = (0..trail.len()).map(|i| {
                (
                    &prevs[i],
                    fields[i].iter().map(String::as_str).collect(),
                    &hashes[i],
                )
            });
            assert_eq!(
                crate::audit::verify_chain(rows, crate::audit::GENESIS),
                Ok(trail.len())
            );
        }
        // The walk reached every documented transition, so the checks above were exercised.
        let missed: Vec<_> = TRANSITIONS.iter().filter(|t| !seen.contains(t)).collect();
        assert!(missed.is_empty(), "never taken: {missed:?}");
    }
}
