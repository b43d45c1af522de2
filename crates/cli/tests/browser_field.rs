//! Browser tests of the grid worker's phone screens (`/field`) on the real `wangge demo` in
//! headless Chromium, with the position and the network emulated through the DevTools
//! protocol: a patrol walked east across the grid becomes a track on the server; a visit's
//! finding becomes an event; a visit recorded offline, and a report with a photo, wait on
//! the phone and arrive exactly once when the network is back, also after a reload.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::demo_session::{account, grid_centre, login};
use support::server::{DemoAccount, DemoServer};
use support::webdriver::{Browser, browser_tests_enabled};

const WAIT: Duration = Duration::from_secs(30);
/// How often the patrol page records a position in these tests (30 s on a phone).
const INTERVAL_MS: u64 = 2000;
/// Metres between the positions of the walk; with 10 m accuracy on both ends and a move
/// every few seconds this stays well under the patrol's speed limit.
const STEP_M: f64 = 30.0;
const STEPS: usize = 4;
const FINDING: &str = "浏览器测试：楼道堆放杂物堵塞消防通道";

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

type Walk = fn(&Browser, &str, &DemoAccount) -> Result<(), String>;

/// Starts the demo and Chromium, runs `walk` as the grid worker, and on failure panics
/// with a screenshot (`target/browser-field-<name>-failure.png`) and the page's source.
fn run(name: &str, walk: Walk) {
    if !browser_tests_enabled() {
        return;
    }
    let server = DemoServer::start(&[]);
    let accounts = server.accounts();
    let worker = account(&accounts, "grid_worker");
    let browser = Browser::start().unwrap_or_else(|e| panic!("cannot start Chromium: {e}"));
    if let Err(e) = walk(&browser, server.base_url(), worker) {
        let shot = target_dir().join(format!("browser-field-{name}-failure.png"));
        let saved = browser.screenshot_png(&shot).map_or_else(
            |err| format!("(no screenshot: {err})"),
            |()| format!("screenshot: {}", shot.display()),
        );
        let url = browser.current_url().unwrap_or_default();
        let source: String = browser
            .page_source()
            .unwrap_or_default()
            .chars()
            .take(4000)
            .collect();
        panic!("{e}\nat {url}; {saved}\n--- page source (start) ---\n{source}");
    }
}

#[test]
fn a_patrol_a_visit_and_its_finding_as_an_event() {
    run("patrol", patrol_and_visit);
}

#[test]
fn a_visit_recorded_offline_arrives_exactly_once() {
    run("offline", offline_visit);
}

#[test]
fn a_report_with_a_photo_made_offline_arrives_exactly_once() {
    run("report", offline_report);
}

/// Polls `probe` every 200 ms until it gives a value; `what` names the wait in the error,
/// which also carries the last thing `probe` saw.
fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<Result<T, String>, String>,
) -> Result<T, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match probe()? {
            Ok(v) => return Ok(v),
            Err(seen) if Instant::now() > deadline => {
                return Err(format!("{what}: not within {timeout:?}; last seen: {seen}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// A JSON answer of the API read with the page's session: `(status, body)`.
fn api_get(browser: &Browser, path: &str) -> Result<(u64, Value), String> {
    let got = browser.execute(
        "var x = new XMLHttpRequest(); x.open('GET', arguments[0], false);\
         x.setRequestHeader('Accept', 'application/json'); x.send();\
         return [x.status, x.responseText];",
        &[json!(path)],
    )?;
    let status = got[0].as_u64().unwrap_or(0);
    let text = got[1].as_str().unwrap_or_default();
    let body = serde_json::from_str(text)
        .map_err(|e| format!("GET {path}: HTTP {status}, not JSON ({e}): {text}"))?;
    Ok((status, body))
}

/// The same, insisting on 200.
fn api_ok(browser: &Browser, path: &str) -> Result<Value, String> {
    match api_get(browser, path)? {
        (200, body) => Ok(body),
        (status, body) => Err(format!("GET {path}: HTTP {status}: {body}")),
    }
}

/// The text content of the first element matching `css` (also when hidden), `None`
/// without one.
fn text_of(browser: &Browser, css: &str) -> Result<Option<String>, String> {
    let v = browser.execute(
        "var e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
        &[json!(css)],
    )?;
    Ok(v.as_str().map(str::to_string))
}

/// The first household this week's visit plan lists, as the page shows it, and whether the
/// page lists it. The plan follows the demo's generated visits and today's date, so it may
/// be empty: then the first household of the worker's grid.
fn first_due_household(browser: &Browser, base: &str) -> Result<(i64, bool), String> {
    browser.goto(&format!("{base}/field/visits?horizon=week"))?;
    browser.wait_for("ol.due-list", WAIT)?;
    let Some(link) = browser
        .find_all("ol.due-list a[href^=\"/field/households/\"]")?
        .into_iter()
        .next()
    else {
        let list = api_ok(browser, "/api/v1/households?per_page=1")?;
        let id = list["items"][0]["id"]
            .as_i64()
            .ok_or_else(|| format!("the grid worker sees no household: {list}"))?;
        return Ok((id, false));
    };
    let href = browser.attr(&link, "href")?.unwrap_or_default();
    href.rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .map(|id| (id, true))
        .ok_or_else(|| format!("household link {href:?}"))
}

/// The visits of a household's card that carry `finding`, and the card's visit count.
fn visits_with(
    browser: &Browser,
    household: i64,
    finding: &str,
) -> Result<(Vec<Value>, usize), String> {
    let card = api_ok(browser, &format!("/api/v1/households/{household}/card"))?;
    let visits = card["visits"]
        .as_array()
        .ok_or_else(|| format!("card without visits: {card}"))?;
    let with: Vec<Value> = visits
        .iter()
        .filter(|v| v["finding"] == json!(finding))
        .cloned()
        .collect();
    Ok((with, visits.len()))
}

/// Records on the page the outbox's events (`window.__field`) and the browser's `online`
/// events (`window.__online`).
fn listen_to_the_outbox(browser: &Browser) -> Result<(), String> {
    browser.execute(
        "window.__field = []; window.__online = 0;\
         ['field:queued', 'field:sent', 'field:refused'].forEach(function (n) {\
           document.addEventListener(n, function () { window.__field.push(n); });\
         });\
         window.addEventListener('online', function () { window.__online += 1; });",
        &[],
    )?;
    Ok(())
}

/// Cuts the network and waits until the page knows.
fn go_offline(browser: &Browser) -> Result<(), String> {
    browser.set_offline(true)?;
    wait_until("the page to notice it is offline", WAIT, || {
        Ok(match browser.execute("return navigator.onLine;", &[])? {
            Value::Bool(false) => Ok(()),
            v => Err(format!("navigator.onLine is {v}")),
        })
    })
}

/// Gives the network back and makes sure the page heard of it.
fn come_online(browser: &Browser) -> Result<(), String> {
    browser.set_offline(false)?;
    let fired = wait_until("the online event", Duration::from_secs(3), || {
        let n = browser.execute("return window.__online;", &[])?;
        Ok(if n.as_u64().unwrap_or(0) > 0 {
            Ok(())
        } else {
            Err(format!("{n} online events"))
        })
    });
    if let Err(e) = fired {
        // Not every Chromium fires it for the emulated network; a phone does.
        println!("{e}: dispatching it by hand");
        browser.execute("window.dispatchEvent(new Event('online'));", &[])?;
    }
    Ok(())
}

/// A text no earlier run of the test wrote.
fn unique(text: &str) -> String {
    format!(
        "{text}（{}）",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    )
}

/// Metres east as degrees of longitude at `lat`.
fn east(lat: f64, metres: f64) -> f64 {
    metres / (111_320.0 * lat.to_radians().cos())
}

fn patrol_and_visit(browser: &Browser, base: &str, worker: &DemoAccount) -> Result<(), String> {
    browser.grant_geolocation(base)?;
    login(browser, base, worker)?;
    let plan = api_ok(browser, "/api/v1/visits/due?horizon=week")?;
    let grid = plan["region"]
        .as_str()
        .ok_or_else(|| format!("visit plan without region: {plan}"))?
        .to_string();
    let (lng, lat) = grid_centre(browser, &grid)?;
    browser.set_geolocation(lng, lat, 10.0)?;

    // 1. A patrol: start, walk east a few times, stop.
    browser.goto(&format!("{base}/field/patrol"))?;
    let panel = browser.wait_for("#patrol", WAIT)?;
    // field.js reads the interval when the patrol starts.
    browser.execute(
        "arguments[0].setAttribute('data-interval-ms', arguments[1]);",
        &[panel.to_json(), json!(INTERVAL_MS.to_string())],
    )?;
    browser.click(&browser.wait_for("#patrol button.patrol-start", WAIT)?)?;
    let id: i64 = wait_until("the patrol to be running", WAIT, || {
        let state = browser.attr(&panel, "data-state")?.unwrap_or_default();
        let id = browser.attr(&panel, "data-patrol-id")?.unwrap_or_default();
        Ok(match id.parse() {
            Ok(id) if state == "running" => Ok(id),
            _ => Err(format!(
                "state {state:?}, id {id:?}, status {:?}",
                text_of(browser, "#patrol .patrol-status")?
            )),
        })
    })?;
    for step in 1..=STEPS {
        // Several seconds between moves: each move is a new fix the next tick records.
        std::thread::sleep(Duration::from_millis(INTERVAL_MS + 1500));
        browser.set_geolocation(lng + east(lat, STEP_M * step as f64), lat, 10.0)?;
    }
    let (points, drawn) = wait_until("three positions on the server and the map", WAIT, || {
        let points: u64 = text_of(browser, "#patrol [data-stat=points]")?
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        let drawn = browser
            .execute(
                "var l = document.querySelector('svg.track-map polyline.track');\
                 return l ? (l.getAttribute('points') || '').trim().split(/\\s+/)\
                 .filter(Boolean).length : 0;",
                &[],
            )?
            .as_u64()
            .unwrap_or(0);
        Ok(if points >= 3 && drawn >= 3 {
            Ok((points, drawn))
        } else {
            Err(format!(
                "{points} points counted, {drawn} drawn; status {:?}; refused {:?}",
                text_of(browser, "#patrol .patrol-status")?,
                text_of(browser, "#patrol .refused")?
            ))
        })
    })?;
    browser.screenshot_png(&target_dir().join("browser-field-patrol.png"))?;
    browser.click(&browser.find("#patrol button.patrol-stop")?)?;
    wait_until("the patrol to end", WAIT, || {
        let status = text_of(browser, "#patrol .patrol-status")?.unwrap_or_default();
        let state = browser.attr(&panel, "data-state")?.unwrap_or_default();
        Ok(if state == "idle" && status.contains("巡查已结束") {
            Ok(())
        } else {
            Err(format!("state {state:?}, status {status:?}"))
        })
    })?;
    let detail = api_ok(browser, &format!("/api/v1/patrols/{id}"))?;
    let p = &detail["patrol"];
    let held = p["points"].as_u64().unwrap_or(0);
    if held < 3
        || held < points
        || p["distance_m"].as_f64().unwrap_or(0.0) <= 0.0
        || p["running"] != json!(false)
        || p["stopped_at"].is_null()
        || detail["track"].as_array().map_or(0, Vec::len) < 3
    {
        return Err(format!(
            "after stopping ({points} points counted, {drawn} drawn) the server holds {detail}"
        ));
    }
    let mine = api_ok(browser, "/api/v1/patrols")?;
    if !mine.as_array().is_some_and(|l| {
        l.iter()
            .any(|p| p["id"] == json!(id) && p["running"] == json!(false))
    }) {
        return Err(format!("patrol {id} is not among mine as ended: {mine}"));
    }
    browser.goto(&format!("{base}/field/patrols/{id}"))?;
    browser
        .wait_for("svg.track-map polyline.track", WAIT)
        .map_err(|e| format!("the patrol's own page draws no track: {e}"))?;

    // 2. A visit whose finding is reported as an event, standing at the household's building.
    let (household, listed) = first_due_household(browser, base)?;
    let card = api_ok(browser, &format!("/api/v1/households/{household}/card"))?;
    let (b_lng, b_lat) = (
        card["building_lng"].as_f64().unwrap_or(lng),
        card["building_lat"].as_f64().unwrap_or(lat),
    );
    browser.set_geolocation(b_lng, b_lat, 10.0)?;
    if listed {
        browser.click(&browser.find(&format!(
            "ol.due-list a[href=\"/field/households/{household}\"]"
        ))?)?;
    } else {
        browser.goto(&format!("{base}/field/households/{household}"))?;
    }
    browser.wait_for("form.visit-form", WAIT)?;
    browser.send_keys(
        &browser.find("form.visit-form input[name=met]")?,
        "户主本人",
    )?;
    browser.send_keys(
        &browser.find("form.visit-form textarea[name=finding]")?,
        FINDING,
    )?;
    browser.click(&browser.find("form.visit-form input[name=report_event]")?)?;
    let category = browser.execute(
        "var s = document.querySelector('form.visit-form select[name=category]');\
         var o = Array.prototype.filter.call(s.options, function (o) { return o.value; })[0];\
         if (!o) return null; s.value = o.value;\
         s.dispatchEvent(new Event('change', {bubbles: true})); return o.value;",
        &[],
    )?;
    if category.is_null() {
        return Err("the visit form offers no event category".into());
    }
    browser.click(&browser.find("form.visit-form button[type=submit]")?)?;
    wait_until("the visit to arrive", WAIT, || {
        let status = text_of(browser, "form.visit-form .form-status")?.unwrap_or_default();
        if status.contains("未被接受") {
            return Err(format!("the visit was refused: {status}"));
        }
        Ok(if status.contains("已送达") {
            Ok(())
        } else {
            Err(status)
        })
    })?;
    browser.screenshot_png(&target_dir().join("browser-field-visit.png"))?;
    let (with, _) = visits_with(browser, household, FINDING)?;
    let event_id = match with.as_slice() {
        [v] => v["event_id"]
            .as_i64()
            .ok_or_else(|| format!("the visit filed no event: {v}"))?,
        _ => {
            return Err(format!(
                "household {household} has {} visits finding {FINDING:?}: {with:?}",
                with.len()
            ));
        }
    };
    browser.goto(&format!("{base}/events/{event_id}"))?;
    let facts = browser.text(&browser.wait_for("main", WAIT)?)?;
    if !facts.contains(FINDING) {
        return Err(format!(
            "event {event_id} does not show the finding: {facts}"
        ));
    }
    Ok(())
}

fn offline_visit(browser: &Browser, base: &str, worker: &DemoAccount) -> Result<(), String> {
    browser.grant_geolocation(base)?;
    login(browser, base, worker)?;
    let (household, _) = first_due_household(browser, base)?;
    let card = api_ok(browser, &format!("/api/v1/households/{household}/card"))?;
    browser.set_geolocation(
        card["building_lng"].as_f64().unwrap_or_default(),
        card["building_lat"].as_f64().unwrap_or_default(),
        10.0,
    )?;
    let page = format!("{base}/field/households/{household}");
    browser.goto(&page)?;
    browser.wait_for("form.visit-form", WAIT)?;
    let finding = unique("离线测试：门前路灯不亮");
    let (with, before) = visits_with(browser, household, &finding)?;
    if !with.is_empty() {
        return Err(format!("the finding is there already: {with:?}"));
    }
    listen_to_the_outbox(browser)?;

    // 1. Offline: the visit is kept on the phone.
    go_offline(browser)?;
    browser.send_keys(
        &browser.find("form.visit-form input[name=met]")?,
        "户主本人",
    )?;
    browser.send_keys(
        &browser.find("form.visit-form textarea[name=finding]")?,
        &finding,
    )?;
    browser.click(&browser.find("form.visit-form button[type=submit]")?)?;
    let waiting = wait_until("the visit to be kept on the phone", WAIT, || {
        let status = text_of(browser, "form.visit-form .form-status")?.unwrap_or_default();
        let bar = browser.find(".queue-status")?;
        let summary = text_of(browser, ".queue-status .queue-summary")?.unwrap_or_default();
        Ok(
            if status.contains("已保存在手机上") && browser.displayed(&bar)? {
                Ok(summary)
            } else {
                Err(format!("status {status:?}, queue {summary:?}"))
            },
        )
    })?;
    if !waiting.contains("待发送 1 条") {
        return Err(format!(
            "the queue bar says {waiting:?}, not one item waiting"
        ));
    }
    // The household page has no counter of its own; any on the page must say 1.
    for counter in browser.find_all("[data-queue-count]")? {
        let n = browser.text(&counter)?;
        if n.trim() != "1" {
            return Err(format!("[data-queue-count] says {n:?}"));
        }
    }
    let seen = browser.execute("return window.__field;", &[])?;
    if seen != json!(["field:queued"]) {
        return Err(format!("offline, the page reported {seen}"));
    }
    browser.screenshot_png(&target_dir().join("browser-field-offline.png"))?;

    // 2. Online again: it is sent, once.
    come_online(browser)?;
    wait_until("the visit to be sent", WAIT, || {
        let seen = browser.execute("return window.__field;", &[])?;
        let bar = browser.find(".queue-status")?;
        let status = text_of(browser, "form.visit-form .form-status")?.unwrap_or_default();
        let sent = seen
            .as_array()
            .is_some_and(|l| l.contains(&json!("field:sent")));
        Ok(
            if sent && !browser.displayed(&bar)? && status.contains("已送达") {
                Ok(())
            } else {
                Err(format!("events {seen}, status {status:?}"))
            },
        )
    })?;
    let seen = browser.execute("return window.__field;", &[])?;
    if seen != json!(["field:queued", "field:sent"]) {
        return Err(format!("the page reported {seen}"));
    }
    let once = |when: &str| -> Result<(), String> {
        let (with, after) = visits_with(browser, household, &finding)?;
        // The card lists the latest ten visits.
        if with.len() != 1 || after != (before + 1).min(10) {
            return Err(format!(
                "{when}: household {household} has {} visits with the finding and {after} in \
                 all (had {before}): {with:?}",
                with.len()
            ));
        }
        Ok(())
    };
    once("after sending")?;

    // 3. A reload flushes again: nothing is left to send twice.
    browser.goto(&page)?;
    browser.wait_for("form.visit-form", WAIT)?;
    std::thread::sleep(Duration::from_secs(3));
    let bar = browser.find(".queue-status")?;
    if browser.displayed(&bar)? {
        return Err(format!(
            "after a reload the queue bar shows {:?}",
            browser.text(&bar)?
        ));
    }
    once("after a reload")?;
    let listed = browser.text(&browser.find("ul.visits")?)?;
    if listed.matches(finding.as_str()).count() != 1 {
        return Err(format!("the household page lists its visits as {listed:?}"));
    }
    Ok(())
}

/// The events the worker sees whose description carries `marker`.
fn events_with(browser: &Browser, marker: &str) -> Result<Vec<Value>, String> {
    let list = api_ok(browser, "/api/v1/events?per_page=100")?;
    Ok(list["items"]
        .as_array()
        .ok_or_else(|| format!("no event list: {list}"))?
        .iter()
        .filter(|e| {
            e["description"]
                .as_str()
                .is_some_and(|d| d.contains(marker))
        })
        .cloned()
        .collect())
}

/// 随手报 offline with a photo and a coarse fix: kept on the phone, sent once when the
/// network returns (photo first, then the report), the event marked for its position.
fn offline_report(browser: &Browser, base: &str, worker: &DemoAccount) -> Result<(), String> {
    browser.grant_geolocation(base)?;
    login(browser, base, worker)?;
    // A place inside the worker's grid: a household's building.
    let (household, _) = first_due_household(browser, base)?;
    let card = api_ok(browser, &format!("/api/v1/households/{household}/card"))?;
    let (lng, lat) = card["building_lng"]
        .as_f64()
        .zip(card["building_lat"].as_f64())
        .ok_or_else(|| format!("the household has no building: {card}"))?;
    browser.set_geolocation(lng, lat, 350.0)?;
    let page = format!("{base}/field/report");
    browser.goto(&page)?;
    browser.wait_for("form.report-form", WAIT)?;
    let marker = unique("离线随手报：井盖缺失");
    listen_to_the_outbox(browser)?;

    // 1. Offline: the report and its photo are kept on the phone.
    go_offline(browser)?;
    browser.execute(
        "var s = document.querySelector('form.report-form select[name=category]');\
         s.value = s.querySelector('option[value]:not([value=\"\"])').value;",
        &[],
    )?;
    browser.send_keys(
        &browser.find("form.report-form textarea[name=description]")?,
        &marker,
    )?;
    let photo = std::fs::canonicalize(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/street_light_gps.jpg"),
    )
    .map_err(|e| e.to_string())?;
    browser.send_keys(
        &browser.find("form.report-form input[name=photos]")?,
        &photo.to_string_lossy(),
    )?;
    browser.click(&browser.find("form.report-form button[type=submit]")?)?;
    wait_until("the report to be kept on the phone", WAIT, || {
        let status = text_of(browser, "form.report-form .form-status")?.unwrap_or_default();
        let summary = text_of(browser, ".queue-status .queue-summary")?.unwrap_or_default();
        Ok(
            if status.contains("已保存在手机上") && summary.contains("待发送 1 条") {
                Ok(())
            } else {
                Err(format!("status {status:?}, queue {summary:?}"))
            },
        )
    })?;

    browser.screenshot_png(&target_dir().join("browser-field-report.png"))?;

    // 2. Online again: sent once, with its photo.
    come_online(browser)?;
    wait_until("the report to be sent", WAIT, || {
        let seen = browser.execute("return window.__field;", &[])?;
        let status = text_of(browser, "form.report-form .form-status")?.unwrap_or_default();
        Ok(
            if seen == json!(["field:queued", "field:sent"]) && status.contains("已送达") {
                Ok(())
            } else {
                Err(format!("events {seen}, status {status:?}"))
            },
        )
    })?;
    let once = |when: &str| -> Result<Value, String> {
        match events_with(browser, &marker)?.as_slice() {
            [one] => Ok(one.clone()),
            other => Err(format!("{when}: {} events carry the report", other.len())),
        }
    };
    let event = once("after sending")?;
    let description = event["description"].as_str().unwrap_or_default();
    if !description.contains("定位精度约350米") {
        return Err(format!("the coarse fix is not marked: {description:?}"));
    }
    let id = event["id"].as_i64().unwrap_or_default();
    let full = api_ok(browser, &format!("/api/v1/events/{id}"))?;
    let photos = full["photos"].as_array().map_or(0, Vec::len);
    if photos != 1 {
        return Err(format!("the event has {photos} photos: {full}"));
    }

    // 3. A reload sends nothing twice.
    browser.goto(&page)?;
    browser.wait_for("form.report-form", WAIT)?;
    std::thread::sleep(Duration::from_secs(3));
    if browser.displayed(&browser.find(".queue-status")?)? {
        return Err("after a reload something still waits".into());
    }
    once("after a reload").map(drop)
}
