//! A small W3C WebDriver client that drives Debian's headless Chromium through chromedriver,
//! built on `std` and serde_json only so browser tests add nothing to the dependency tree.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{free_port, http, unique_temp_dir};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The key under which W3C WebDriver wraps an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Long enough for a cold Chromium start on a slow CI machine.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Returns `None` when Chromium and chromedriver are installed, else why browser tests
/// cannot run.
pub fn chromium_available() -> Option<String> {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        None
    } else {
        Some(format!(
            "{} not installed (apt-get install chromium chromium-driver)",
            missing.join(" and ")
        ))
    }
}

/// Decides whether a browser test should run: prints `skipped: <reason>` and returns false
/// when Chromium is absent, but panics when `CI` is set, because CI installs Chromium and a
/// silent skip there would hide a broken setup.
pub fn browser_tests_enabled() -> bool {
    match chromium_available() {
        None => true,
        Some(reason) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but browser tests cannot run: {reason}")
        }
        Some(reason) => {
            println!("skipped: {reason}");
            false
        }
    }
}

/// A WebDriver element reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementId(pub String);

impl ElementId {
    /// The element as a script argument for [`Browser::execute`].
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// One chromedriver process with one Chromium session; both end when this is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    scratch: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session with a
    /// fresh profile.
    pub fn start() -> Result<Browser, String> {
        if let Some(reason) = chromium_available() {
            return Err(reason);
        }
        let scratch = unique_temp_dir("wangge-browser")?;
        let log_path = scratch.join("chromedriver.log");
        let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        // From here on Drop cleans up the driver and the scratch folder, even on error.
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            scratch,
        };
        browser.wait_ready().map_err(|e| browser.with_log(e))?;
        browser.session = browser.new_session().map_err(|e| browser.with_log(e))?;
        Ok(browser)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{}/status", self.base);
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                return Err(format!("chromedriver exited early with {status}"));
            }
            if let Ok(resp) = http::request("GET", &url, None, Duration::from_secs(5)) {
                let ready = serde_json::from_str::<Value>(&resp.body)
                    .ok()
                    .and_then(|v| v["value"]["ready"].as_bool());
                if resp.status == 200 && ready == Some(true) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready within 30 s".to_string());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn new_session(&self) -> Result<String, String> {
        let profile = self.scratch.join("profile");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            format!("--user-data-dir={}", profile.display()),
            "--window-size=1280,900".to_string(),
        ];
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                }
            }
        });
        let value = call(&self.base, "POST", "/session", Some(&caps))?;
        value["sessionId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("new session answer has no sessionId: {value}"))
    }

    /// Appends the tail of chromedriver's log to a start-up error: that is where Chromium's
    /// own complaints end up.
    fn with_log(&self, err: String) -> String {
        let log =
            std::fs::read_to_string(self.scratch.join("chromedriver.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{err}\n--- chromedriver log (tail) ---\n{}",
            tail.join("\n")
        )
    }

    /// Sends a command to this session; `path` is relative to `/session/{id}`.
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let full = format!("/session/{}{path}", self.session);
        // W3C requires a JSON body on every POST, even when the command takes no parameters.
        let body = match (method, body) {
            ("POST", None) => Some(json!({})),
            (_, b) => b,
        };
        call(&self.base, method, &full, body.as_ref())
    }

    /// Navigates and waits for the page to load.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> Result<ElementId, String> {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        element_from(&v).map_err(|e| format!("{css}: {e}"))
    }

    /// Every element matching a CSS selector, in document order (possibly none).
    pub fn find_all(&self, css: &str) -> Result<Vec<ElementId>, String> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        v.as_array()
            .ok_or_else(|| format!("{css}: expected a list, got {v}"))?
            .iter()
            .map(element_from)
            .collect()
    }

    /// Polls until an element matches `css` or `timeout` passes; pages load and scripts run
    /// asynchronously, so a single `find` right after a click can race.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<ElementId, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(el) => return Ok(el),
                // Only absence is worth waiting out; any other error will not go away.
                Err(e) if !e.contains("no such element") => return Err(e),
                Err(e) if Instant::now() > deadline => {
                    let url = self.current_url().unwrap_or_default();
                    return Err(format!("no element {css} on {url} after {timeout:?}: {e}"));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Polls until the current URL satisfies `pred` or `timeout` passes; returns the URL.
    pub fn wait_for_url(
        &self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let url = self.current_url()?;
            if pred(&url) {
                return Ok(url);
            }
            if Instant::now() > deadline {
                return Err(format!("still on {url} after {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, el: &ElementId) -> Result<(), String> {
        self.cmd("POST", &format!("/element/{}/click", el.0), None)
            .map(drop)
    }

    /// Types `text` into an input (appending to what it holds).
    pub fn send_keys(&self, el: &ElementId, text: &str) -> Result<(), String> {
        self.cmd(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        )
        .map(drop)
    }

    /// The rendered (visible) text of an element.
    pub fn text(&self, el: &ElementId) -> Result<String, String> {
        let v = self.cmd("GET", &format!("/element/{}/text", el.0), None)?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("text: expected a string, got {v}"))
    }

    /// An attribute's value, `None` when the element lacks it.
    pub fn attr(&self, el: &ElementId, name: &str) -> Result<Option<String>, String> {
        let v = self.cmd("GET", &format!("/element/{}/attribute/{name}", el.0), None)?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Whether the element is shown (not hidden by CSS or a closed `<details>`).
    pub fn displayed(&self, el: &ElementId) -> Result<bool, String> {
        let v = self.cmd("GET", &format!("/element/{}/displayed", el.0), None)?;
        v.as_bool()
            .ok_or_else(|| format!("displayed: expected a boolean, got {v}"))
    }

    pub fn current_url(&self) -> Result<String, String> {
        let v = self.cmd("GET", "/url", None)?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("url: expected a string, got {v}"))
    }

    pub fn page_source(&self) -> Result<String, String> {
        let v = self.cmd("GET", "/source", None)?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("source: expected a string, got {v}"))
    }

    /// Runs a synchronous script; `args` are visible as `arguments[i]` (pass elements via
    /// [`ElementId::to_json`]). Returns what the script returns.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs a Chrome DevTools Protocol command on the current tab through chromedriver
    /// (`goog/cdp/execute`) and returns its result.
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .map_err(|e| format!("{cmd}: {e}"))
    }

    /// Lets the pages of `origin` (`http://127.0.0.1:port`) read the position without a
    /// prompt.
    pub fn grant_geolocation(&self, origin: &str) -> Result<(), String> {
        self.cdp(
            "Browser.grantPermissions",
            json!({ "permissions": ["geolocation"], "origin": origin }),
        )
        .map(drop)
    }

    /// Places the emulated phone at a WGS84 point; position watchers hear of the move.
    pub fn set_geolocation(&self, lng: f64, lat: f64, accuracy_m: f64) -> Result<(), String> {
        self.cdp(
            "Emulation.setGeolocationOverride",
            json!({ "latitude": lat, "longitude": lng, "accuracy": accuracy_m }),
        )
        .map(drop)
    }

    /// Cuts the current tab off the network (`navigator.onLine` turns false, requests
    /// fail) or connects it again.
    pub fn set_offline(&self, offline: bool) -> Result<(), String> {
        self.cdp("Network.enable", json!({}))?;
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({
                "offline": offline,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            }),
        )
        .map(drop)
    }

    /// Saves a PNG of the viewport to `path`, creating its folder.
    pub fn screenshot_png(&self, path: &Path) -> Result<(), String> {
        let v = self.cmd("GET", "/screenshot", None)?;
        let encoded = v
            .as_str()
            .ok_or_else(|| format!("screenshot: expected a string, got {v}"))?;
        let png = base64_decode(encoded)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // Deleting the session makes chromedriver quit Chromium cleanly.
            let _ = call(
                &self.base,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium may still be flushing its profile for a moment after quitting.
        for _ in 0..5 {
            if std::fs::remove_dir_all(&self.scratch).is_ok() || !self.scratch.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Performs one WebDriver request and unwraps the W3C `{"value": …}` envelope, turning an
/// error answer into `Err("<error>: <message>")`.
fn call(base: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let body = body.map(Value::to_string);
    let resp = http::request(
        method,
        &format!("{base}{path}"),
        body.as_deref(),
        COMMAND_TIMEOUT,
    )?;
    let mut parsed: Value = serde_json::from_str(&resp.body).map_err(|e| {
        format!(
            "{method} {path}: HTTP {} with non-JSON body ({e}): {}",
            resp.status, resp.body
        )
    })?;
    let value = parsed["value"].take();
    if resp.status == 200 {
        return Ok(value);
    }
    let error = value["error"].as_str().unwrap_or("unknown error");
    // chromedriver appends session details and a stack trace; the first line says it all,
    // and it often repeats the error code already.
    let message = value["message"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default();
    let message = message
        .strip_prefix(error)
        .map_or(message, |m| m.trim_start_matches([':', ' ']));
    // The session id is noise in a message; the command name is what helps.
    let command = path
        .strip_prefix("/session/")
        .and_then(|p| p.split_once('/'))
        .map_or(path, |(_, rest)| rest);
    Err(format!("{method} {command}: {error}: {message}"))
}

fn element_from(v: &Value) -> Result<ElementId, String> {
    v[ELEMENT_KEY]
        .as_str()
        .map(|id| ElementId(id.to_string()))
        .ok_or_else(|| format!("expected an element reference, got {v}"))
}

/// Decodes standard base64 (padding optional, whitespace ignored): the W3C screenshot
/// encoding. Small enough to not be worth a crate.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, c) in text.bytes().enumerate() {
        let six = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return Err(format!("invalid base64 byte {c:#04x} at {i}")),
        };
        acc = (acc << 6) | u32::from(six);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_padded_and_unpadded() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm9v\nYmFy").unwrap(), b"foobar");
        assert_eq!(
            base64_decode("5ZyI+/8=").unwrap(),
            [0xe5, 0x9c, 0x88, 0xfb, 0xff]
        );
        assert!(base64_decode("Zm9v!").is_err());
    }
}
