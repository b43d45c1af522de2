//! The working calendar for staff: `/calendar?year=` lists the year's days off and make-up
//! working days, draws each month as a small SVG grid and shows the working periods;
//! admins mark a date off, work or normal and change the periods on the same page.
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use wangge_domain::date::{Date, days_in_month, local_date};
use wangge_domain::role::Role;
use wangge_domain::worktime::WorkCalendar;
use wangge_store::StoreError;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show))
        .route("/calendar/days", post(set_day))
        .route("/calendar/periods", post(set_periods))
}

const CELL_W: u32 = 24;
const CELL_H: u32 = 20;
/// Room for the weekday initials above the first week.
const TOP: u32 = 18;
const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// One day in a month grid.
struct Cell {
    date: String,
    day: u8,
    x: u32,
    y: u32,
    kind: &'static str,
    fill: &'static str,
    title: String,
}

struct Month {
    number: u8,
    height: u32,
    cells: Vec<Cell>,
}

/// A day that breaks the weekly rule, as listed.
struct DayRow {
    date: String,
    weekday: &'static str,
    off: bool,
    note: String,
}

/// The kind of a day, its label and its colour on the grid.
fn kind_of(cal: &WorkCalendar, date: Date) -> (&'static str, &'static str, &'static str) {
    if cal.make_up_days().contains(&date) {
        ("work", "调休上班", "#bfdbfe")
    } else if cal.days_off().contains(&date) {
        ("off", "放假", "#fecaca")
    } else if date.weekday() >= 6 {
        ("weekend", "周末", "#e5e7eb")
    } else {
        ("workday", "工作日", "#ffffff")
    }
}

/// A month laid out Monday first, one row per week.
fn month_grid(cal: &WorkCalendar, notes: &HashMap<String, String>, year: i32, month: u8) -> Month {
    let offset = Date::new(year, month, 1).map_or(0, |d| u32::from(d.weekday()) - 1);
    let days = days_in_month(year, month);
    let cells = (1..=days)
        .filter_map(|day| Date::new(year, month, day))
        .map(|date| {
            let i = offset + u32::from(date.day) - 1;
            let (kind, label, fill) = kind_of(cal, date);
            let key = date.to_string();
            let weekday = WEEKDAYS[usize::from(date.weekday() - 1)];
            let title = match notes.get(&key).filter(|n| !n.is_empty()) {
                Some(note) => format!("{key} 周{weekday} {label}：{note}"),
                None => format!("{key} 周{weekday} {label}"),
            };
            Cell {
                date: key,
                day: date.day,
                x: (i % 7) * CELL_W,
                y: TOP + (i / 7) * CELL_H,
                kind,
                fill,
                title,
            }
        })
        .collect();
    let weeks = (offset + u32::from(days)).div_ceil(7);
    Month {
        number: month,
        height: TOP + weeks * CELL_H,
        cells,
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    nav: Nav,
    year: i32,
    periods: String,
    hours_per_day: String,
    days: Vec<DayRow>,
    months: Vec<Month>,
    weekdays: [&'static str; 7],
    width: u32,
    admin: bool,
    notice: Option<String>,
    error: Option<String>,
    /// The day form's values (kept after an error).
    date: String,
    kind: String,
    note: String,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
    saved: Option<String>,
}

struct Shown {
    year: Option<i32>,
    notice: Option<String>,
    error: Option<String>,
    form: (String, String, String),
    periods: Option<String>,
}

async fn page(s: &AppState, c: &PageCaller, shown: Shown) -> Result<Response, PageError> {
    let this_year = local_date(s.store.now_ms()).year;
    let year = shown
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    let cal = s.store.work_calendar().await?;
    let special = s.store.special_days().await?;
    let notes: HashMap<String, String> = special
        .iter()
        .map(|d| (d.date.clone(), d.note.clone()))
        .collect();
    let days = special
        .into_iter()
        .filter_map(|d| Some((Date::parse(&d.date)?, d)))
        .filter(|(date, _)| date.year == year)
        .map(|(date, d)| DayRow {
            weekday: WEEKDAYS[usize::from(date.weekday() - 1)],
            off: d.kind == "off",
            date: d.date,
            note: d.note,
        })
        .collect();
    let minutes = cal.working_minutes_per_day();
    let (date, kind, note) = shown.form;
    Ok(render(&CalendarPage {
        nav: Nav::of(c),
        year,
        periods: shown.periods.unwrap_or(s.store.work_periods_text().await?),
        hours_per_day: format!("{}", minutes as f64 / 60.0),
        days,
        months: (1..=12)
            .map(|m| month_grid(&cal, &notes, year, m))
            .collect(),
        weekdays: WEEKDAYS,
        width: 7 * CELL_W,
        admin: c.scope().role == Role::Admin,
        notice: shown.notice,
        error: shown.error,
        date,
        kind,
        note,
    })
    .into_response())
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<YearQuery>,
) -> Result<Response, PageError> {
    let notice = q.saved.map(|what| format!("已保存：{what}"));
    let form = (String::new(), "off".to_string(), String::new());
    let shown = Shown {
        year: q.year,
        notice,
        error: None,
        form,
        periods: None,
    };
    page(&s, &c, shown).await
}

/// A refusal for the role is an error page; anything else is shown beside the form.
fn in_place(e: StoreError) -> Result<String, PageError> {
    match e {
        StoreError::Invalid { message, .. } => Ok(message),
        other => Err(other.into()),
    }
}

async fn set_day(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (date, kind, note) = (get("date"), get("kind"), get("note"));
    match s
        .store
        .set_calendar_day(c.scope(), &date, &kind, &note, &c.client)
        .await
    {
        Ok(()) => {
            let year = Date::parse(&date).map_or(0, |d| d.year);
            Ok(Redirect::to(&format!("/calendar?year={year}&saved={date}")).into_response())
        }
        Err(e) => {
            let error = Some(in_place(e)?);
            let year = Date::parse(&date).map(|d| d.year);
            let shown = Shown {
                year,
                notice: None,
                error,
                form: (date, kind, note),
                periods: None,
            };
            page(&s, &c, shown).await
        }
    }
}

async fn set_periods(
    State(s): State<AppState>,
    c: PageCaller,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    check_csrf(&c, f.get("csrf").map_or("", String::as_str))?;
    let periods = f
        .get("periods")
        .map(|p| p.trim().to_string())
        .unwrap_or_default();
    match s
        .store
        .set_work_periods(c.scope(), &periods, &c.client)
        .await
    {
        Ok(()) => Ok(
            Redirect::to("/calendar?saved=%E5%B7%A5%E4%BD%9C%E6%97%B6%E6%AE%B5").into_response(),
        ),
        Err(e) => {
            let error = Some(in_place(e)?);
            let form = (String::new(), "off".to_string(), String::new());
            let shown = Shown {
                year: None,
                notice: None,
                error,
                form,
                periods: Some(periods),
            };
            page(&s, &c, shown).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn october_2026_starts_on_thursday_with_the_holiday_in_red() {
        let cal = WorkCalendar::china_2026();
        let notes = HashMap::from([("2026-10-10".to_string(), "调休上班".to_string())]);
        let m = month_grid(&cal, &notes, 2026, 10);
        assert_eq!(m.cells.len(), 31);
        let first = &m.cells[0];
        assert_eq!((first.x, first.y, first.kind), (3 * CELL_W, TOP, "off"));
        let tenth = &m.cells[9];
        assert_eq!((tenth.x, tenth.kind), (5 * CELL_W, "work"));
        assert_eq!(tenth.title, "2026-10-10 周六 调休上班：调休上班");
        assert_eq!(m.cells[10].kind, "weekend");
        assert_eq!(m.cells[7].kind, "workday");
        // 3 blank days + 31 days: five weeks.
        assert_eq!(m.height, TOP + 5 * CELL_H);
        // February 2026 starts on a Sunday: 6 + 28 days span five weeks.
        let feb = month_grid(&cal, &notes, 2026, 2);
        assert_eq!((feb.cells[0].x, feb.height), (6 * CELL_W, TOP + 5 * CELL_H));
    }
}
