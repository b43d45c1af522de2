//! Browser test of the whole closed loop across four roles, on the real `wangge demo` in
//! headless Chromium: a citizen reports on the public page (a photo, a point chosen on the
//! map) → the district operator verifies and dispatches with the catalog's suggestion →
//! the department signs and handles with a photo → the grid worker checks → the citizen
//! sees it closed, with the result photo, and rates it.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use support::demo_session::{account, grid_centre, login, path_of};
use support::server::{DemoAccount, DemoServer};
use support::webdriver::{Browser, browser_tests_enabled};

const WAIT: Duration = Duration::from_secs(30);
/// A 城管-led item (the demo's department handler belongs to the first department).
const ITEM: &str = "A01-003";
const DESCRIPTION: &str = "浏览器测试：路口垃圾桶满溢无人清运";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

#[test]
fn the_whole_loop_across_four_roles() {
    if !browser_tests_enabled() {
        return;
    }
    let server = DemoServer::start(&[]);
    let accounts = server.accounts();
    let browser = Browser::start().unwrap_or_else(|e| panic!("cannot start Chromium: {e}"));
    if let Err(e) = walk(&browser, server.base_url(), &accounts) {
        let shot = target_dir().join("browser-loop-failure.png");
        let _ = std::fs::create_dir_all(target_dir());
        let saved = browser.screenshot_png(&shot).map_or_else(
            |err| format!("(no screenshot: {err})"),
            |()| format!("screenshot: {}", shot.display()),
        );
        let url = browser.current_url().unwrap_or_default();
        let source = browser.page_source().unwrap_or_default();
        let excerpt: String = source.chars().take(4000).collect();
        panic!("{e}\nat {url}; {saved}\n--- page source (start) ---\n{excerpt}");
    }
}

fn logout(browser: &Browser) -> Result<(), String> {
    browser.click(&browser.find("form[action=\"/logout\"] button")?)?;
    browser
        .wait_for_url(|u| path_of(u).starts_with("/login"), WAIT)
        .map(drop)
}

/// Clicks a submit button and waits until the next page has replaced this one (the page
/// after a form post often has the same address).
fn submit_and_wait(
    browser: &Browser,
    button: &support::webdriver::ElementId,
) -> Result<(), String> {
    browser.execute(
        "document.documentElement.setAttribute('data-before-submit', '1');",
        &[],
    )?;
    browser.click(button)?;
    let start = std::time::Instant::now();
    while start.elapsed() < WAIT {
        let old = browser.execute(
            "return document.documentElement.getAttribute('data-before-submit') === '1' \
             || document.readyState !== 'complete';",
            &[],
        );
        if old == Ok(json!(false)) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the form's answer did not arrive".into())
}

/// Clicks the submit button of the event page's form for `action` and waits for the
/// page to come back showing `state` (or an error).
fn step(browser: &Browser, action: &str, state: &str) -> Result<(), String> {
    let button = browser.wait_for(&format!("form.action-{action} button[type=submit]"), WAIT)?;
    submit_and_wait(browser, &button)?;
    let h1 = browser.wait_for("h1", WAIT)?;
    let title = browser.text(&h1)?;
    if let Ok(err) = browser.find("#form-error") {
        return Err(format!("{action}: {}", browser.text(&err)?));
    }
    if !title.contains(state) {
        return Err(format!(
            "after {action} the page says {title:?}, not {state}"
        ));
    }
    Ok(())
}

/// The inbox refreshes itself: a citizen's report filed while the operator looks at the
/// list appears in it without a reload (server-sent events).
fn live_inbox(
    browser: &Browser,
    base: &str,
    lng: f64,
    lat: f64,
    back_to: &str,
) -> Result<(), String> {
    browser.goto(&format!("{base}/events?queue=inbox"))?;
    browser.wait_for("table.live-list", WAIT)?;
    browser.execute("window.__same_page = true;", &[])?;
    let rows =
        || -> Result<usize, String> { Ok(browser.find_all("table.live-list tbody tr")?.len()) };
    let before = rows()?;
    // Give the page's event stream a moment to connect before the report is filed.
    std::thread::sleep(Duration::from_secs(1));
    let body = json!({"category": ITEM, "description": "实时更新测试：井盖松动",
                      "lng": lng, "lat": lat, "phone": "13900139000"});
    let answer = support::http::request(
        "POST",
        &format!("{base}/api/v1/public/reports"),
        Some(&body.to_string()),
        WAIT,
    )?;
    if answer.status != 201 {
        return Err(format!(
            "second citizen report: {} {}",
            answer.status, answer.body
        ));
    }
    let start = std::time::Instant::now();
    while rows()? == before {
        if start.elapsed() > WAIT {
            return Err(format!("the inbox did not update itself ({before} rows)"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if browser.execute("return window.__same_page === true;", &[])? != json!(true) {
        return Err("the inbox reloaded the page instead of updating it".into());
    }
    let status = browser.text(&browser.find(".live-status")?)?;
    if !status.contains("自动更新") {
        return Err(format!("live status says {status:?}"));
    }
    browser.goto(back_to)
}

fn walk(browser: &Browser, base: &str, accounts: &[DemoAccount]) -> Result<(), String> {
    let operator = account(accounts, "operator");
    let handler = account(accounts, "dept_handler");
    let worker = account(accounts, "grid_worker");

    // Where the problem is: the middle of the grid worker's grid, as the operator's
    // session reads it from the API.
    login(browser, base, operator)?;
    let (lng, lat) = grid_centre(browser, &worker.scope)?;
    logout(browser)?;

    // 1. The citizen: 随手拍 with a photo and a point clicked on the map.
    browser.goto(&format!("{base}/report"))?;
    browser.wait_for("form.public-report", WAIT)?;
    browser.execute(
        "document.querySelector('select[name=category]').value = arguments[0];",
        &[json!(ITEM)],
    )?;
    browser.send_keys(&browser.find("textarea[name=description]")?, DESCRIPTION)?;
    browser.send_keys(&browser.find("input[name=phone]")?, "13800138000")?;
    let photo =
        std::fs::canonicalize(fixture("street_light_gps.jpg")).map_err(|e| e.to_string())?;
    browser.send_keys(
        &browser.find("input[name=photo]")?,
        &photo.to_string_lossy(),
    )?;
    let picked = browser.execute(
        "var svg = document.querySelector('svg.pick-map'); svg.scrollIntoView();\
         var p = svg.getAttribute('data-proj').split(' ').map(Number);\
         var pt = svg.createSVGPoint();\
         pt.x = p[5] + (arguments[0] - p[0]) * p[2]; pt.y = p[4] - p[5] - (arguments[1] - p[1]) * p[3];\
         var s = pt.matrixTransform(svg.getScreenCTM());\
         svg.dispatchEvent(new MouseEvent('click', {clientX: s.x, clientY: s.y, bubbles: true}));\
         return [document.querySelector('.pick-lng').value, document.querySelector('.pick-lat').value];",
        &[json!(lng), json!(lat)],
    )?;
    let got: Vec<f64> = picked
        .as_array()
        .map(|v| v.iter().filter_map(|x| x.as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    if got.len() != 2 || (got[0] - lng).abs() > 1e-3 || (got[1] - lat).abs() > 1e-3 {
        return Err(format!(
            "clicking the map picked {picked}, wanted {lng},{lat}"
        ));
    }
    browser.click(&browser.find("form.public-report button[type=submit]")?)?;
    browser
        .wait_for_url(|u| path_of(u).starts_with("/track/"), WAIT)
        .map_err(|e| format!("the report was not accepted: {e}"))?;
    let code = browser.text(&browser.wait_for(".tracking-code", WAIT)?)?;
    if code.len() != 10 {
        return Err(format!("tracking code {code:?}"));
    }
    browser.screenshot_png(&target_dir().join("browser-loop-reported.png"))?;

    // 2. The operator: the inbox has it at the top; verify, dispatch to the catalog's lead.
    login(browser, base, operator)?;
    browser.goto(&format!("{base}/events?queue=inbox"))?;
    let first = browser.wait_for("table.events tbody tr a[href^=\"/events/\"]", WAIT)?;
    browser.screenshot_png(&target_dir().join("browser-loop-inbox.png"))?;
    let href = browser.attr(&first, "href")?.unwrap_or_default();
    browser.click(&first)?;
    browser.wait_for_url(|u| path_of(u).starts_with("/events/"), WAIT)?;
    let facts = browser.text(&browser.wait_for("dl.facts", WAIT)?)?;
    if !facts.contains(DESCRIPTION) || !facts.contains("138****8000") {
        return Err(format!(
            "the inbox's newest event is not the citizen's: {facts}"
        ));
    }
    let event_url = browser.current_url()?;
    live_inbox(browser, base, lng, lat, &event_url)?;
    browser.screenshot_png(&target_dir().join("browser-loop-event.png"))?;
    step(browser, "verify", "已立案")?;
    let suggestion = browser.text(&browser.find("form.action-dispatch select option")?)?;
    if !suggestion.contains("按事项清单") {
        return Err(format!("dispatch suggests {suggestion:?}"));
    }
    step(browser, "dispatch", "待签收")?;
    logout(browser)?;

    // 3. The department: sign, then handle with a result photo.
    login(browser, base, handler)?;
    browser.goto(&format!("{base}/events?queue=to_sign"))?;
    browser
        .wait_for(
            &format!("table.events a[href=\"{}\"]", path_of(&href)),
            WAIT,
        )
        .map_err(|e| format!("the event is not in the department's to-sign list: {e}"))?;
    browser.goto(&event_url)?;
    step(browser, "sign", "处置中")?;
    let note = browser.find("form.action-handle input[name=note]")?;
    browser.send_keys(&note, "已清运，垃圾桶已清洗")?;
    let result =
        std::fs::canonicalize(fixture("street_light_gps.png")).map_err(|e| e.to_string())?;
    browser.send_keys(
        &browser.find("form.action-handle input[name=photo]")?,
        &result.to_string_lossy(),
    )?;
    step(browser, "handle", "待核查")?;
    browser.screenshot_png(&target_dir().join("browser-loop-handled.png"))?;
    browser
        .find("ol.trail img")
        .map_err(|e| format!("the result photo is not in the trail: {e}"))?;
    logout(browser)?;

    // 4. The grid worker checks the result on the spot.
    login(browser, base, worker)?;
    browser.goto(&event_url)?;
    step(browser, "check_pass", "已结案")?;
    logout(browser)?;

    // 5. The citizen sees it closed with the result photo, and rates it.
    browser.goto(&format!("{base}/track/{code}"))?;
    let state = browser.text(&browser.wait_for(".track-state", WAIT)?)?;
    if state != "已结案" {
        return Err(format!("the citizen sees {state:?}"));
    }
    let result_text = browser.text(&browser.find(".track-result")?)?;
    if !result_text.contains("已清运") {
        return Err(format!("result shown: {result_text}"));
    }
    let images = browser.find_all(".photos img")?;
    if images.len() != 2 {
        return Err(format!(
            "{} photos shown, wanted the report's and the result's",
            images.len()
        ));
    }
    let loaded = browser.execute(
        "return Array.prototype.every.call(document.querySelectorAll('.photos img'),\
         function (i) { return i.complete && i.naturalWidth > 0; });",
        &[],
    )?;
    if loaded != json!(true) {
        return Err("a photo on the tracking page did not load".into());
    }
    browser.click(&browser.find("input[name=score][value=\"5\"]")?)?;
    browser.send_keys(&browser.find("textarea[name=comment]")?, "处理及时")?;
    submit_and_wait(
        browser,
        &browser.find("form.rating-form button[type=submit]")?,
    )?;
    let thanks = browser.wait_for("main p.card", WAIT)?;
    let text = browser.text(&thanks)?;
    if !text.contains("5 分") {
        return Err(format!("after rating: {text}"));
    }
    browser.screenshot_png(&target_dir().join("browser-loop-rated.png"))?;
    Ok(())
}
