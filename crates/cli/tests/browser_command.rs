//! Browser test of the command center on the real `wangge demo` in headless Chromium: the
//! district operator opens the one map (grids coloured by open events), a citizen reports
//! and the counters and the map change without a reload; then the weekly review opens and
//! both its downloads work with the page's session: the .xlsx reads back, and the PDF's
//! text, read with `pdftotext`, carries the Chinese title.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::demo_session::{account, grid_centre, login};
use support::pdf::pdf_text;
use support::server::{DemoAccount, DemoServer};
use support::webdriver::{Browser, base64_decode, browser_tests_enabled};

const WAIT: Duration = Duration::from_secs(30);
const ITEM: &str = "A01-003";

#[test]
fn the_map_updates_live_and_the_weekly_review_downloads() {
    if !browser_tests_enabled() {
        return;
    }
    let server = DemoServer::start(&[]);
    let accounts = server.accounts();
    let browser = Browser::start().unwrap_or_else(|e| panic!("cannot start Chromium: {e}"));
    if let Err(e) = walk(&browser, server.base_url(), &accounts) {
        let url = browser.current_url().unwrap_or_default();
        let source: String = browser
            .page_source()
            .unwrap_or_default()
            .chars()
            .take(4000)
            .collect();
        panic!("{e}\nat {url}\n--- page source (start) ---\n{source}");
    }
}

/// A file fetched with the page's session: `(status, content type, bytes)`.
fn fetch(browser: &Browser, path: &str) -> Result<(u64, String, Vec<u8>), String> {
    let got = browser.execute(
        "var x = new XMLHttpRequest(); x.open('GET', arguments[0], false);\
         x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();\
         var s = x.responseText, b = '';\
         for (var i = 0; i < s.length; i++) b += String.fromCharCode(s.charCodeAt(i) & 0xff);\
         return [x.status, x.getResponseHeader('content-type') || '', btoa(b)];",
        &[json!(path)],
    )?;
    let status = got[0].as_u64().unwrap_or(0);
    let kind = got[1].as_str().unwrap_or_default().to_string();
    let bytes = base64_decode(got[2].as_str().unwrap_or_default())?;
    Ok((status, kind, bytes))
}

/// Today's counter, read in one script call: the live refresh replaces the element, and
/// a found element may be gone by the time its text is asked for.
fn counter(browser: &Browser) -> Result<u64, String> {
    let text = browser
        .execute(
            "var b = document.querySelector('.c-today b'); return b ? b.textContent : '';",
            &[],
        )?
        .as_str()
        .unwrap_or_default()
        .to_string();
    text.trim()
        .parse()
        .map_err(|_| format!("today's counter reads {text:?}"))
}

fn walk(browser: &Browser, base: &str, accounts: &[DemoAccount]) -> Result<(), String> {
    let operator = account(accounts, "operator");
    let worker = account(accounts, "grid_worker");
    login(browser, base, operator)?;

    // Where the citizen will report: the middle of the grid worker's grid.
    let (lng, lat) = grid_centre(browser, &worker.scope)?;

    // The one map: grids drawn and coloured by the open events on them.
    browser.goto(&format!("{base}/command?measure=open"))?;
    browser.wait_for(".command-card svg path", WAIT)?;
    let fills = browser.execute(
        "return Array.from(document.querySelectorAll('.command-card svg path'))\
         .map(function (p) { return p.getAttribute('fill'); });",
        &[],
    )?;
    let fills: Vec<&str> = fills
        .as_array()
        .ok_or("no fills")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut distinct = fills.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if fills.is_empty() || distinct.len() < 2 {
        return Err(format!(
            "the grids are not coloured by a measure: {fills:?}"
        ));
    }

    // A citizen reports; the page changes by itself.
    browser.execute("window.__same_page = true;", &[])?;
    let before = counter(browser)?;
    std::thread::sleep(Duration::from_secs(1));
    let body = json!({"category": ITEM, "description": "一张图实时测试：路灯不亮",
                      "lng": lng, "lat": lat, "phone": "13900139001"});
    let answer = support::http::request(
        "POST",
        &format!("{base}/api/v1/public/reports"),
        Some(&body.to_string()),
        WAIT,
    )?;
    if answer.status != 201 {
        return Err(format!("citizen report: {} {}", answer.status, answer.body));
    }
    let start = Instant::now();
    while counter(browser)? != before + 1 {
        if start.elapsed() > WAIT {
            return Err(format!(
                "today's reports stayed at {} (wanted {})",
                counter(browser)?,
                before + 1
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if browser.execute("return window.__same_page === true;", &[])? != json!(true) {
        return Err("the map reloaded the page instead of updating it".into());
    }
    let listed = browser.execute(
        "return document.querySelector('.command-points').textContent;",
        &[],
    )?;
    if !listed.as_str().unwrap_or_default().contains("待受理") {
        return Err(format!(
            "the new report is not among the open events: {listed}"
        ));
    }

    // The weekly review of this week, and its two downloads.
    browser.goto(&format!("{base}/reviews/weekly"))?;
    let link = browser.wait_for("#download-xlsx", WAIT)?;
    let title = browser.text(&browser.find("h1")?)?;
    if !title.contains("一周一点评") {
        return Err(format!("review title {title:?}"));
    }
    let href = browser.attr(&link, "href")?.ok_or("no xlsx link")?;
    let (status, kind, xlsx) = fetch(browser, &href)?;
    if status != 200 || !kind.contains("spreadsheetml") {
        return Err(format!("xlsx download: {status} {kind}"));
    }
    let table = wangge_sheet::read_table(
        wangge_sheet::Format::Xlsx,
        &xlsx,
        &wangge_sheet::Limits::default(),
    )
    .map_err(|e| format!("the workbook does not open: {e}"))?;
    if table.headers.first().map(String::as_str) != Some("指标") || table.rows.is_empty() {
        return Err(format!("workbook's first sheet: {:?}", table.headers));
    }
    let href = browser
        .attr(&browser.find("#download-pdf")?, "href")?
        .ok_or("no pdf link")?;
    let (status, kind, pdf) = fetch(browser, &href)?;
    if status != 200 || kind != "application/pdf" || !pdf.starts_with(b"%PDF") {
        return Err(format!(
            "pdf download: {status} {kind}, {} bytes",
            pdf.len()
        ));
    }
    match pdf_text(&pdf)? {
        Some(text) if text.contains(title.trim()) => Ok(()),
        Some(text) => Err(format!("the PDF's text lacks {title:?}: {text}")),
        None => {
            eprintln!("skipped reading the PDF back: pdftotext (poppler-utils) is not installed");
            Ok(())
        }
    }
}
