//! Runs the real `wangge demo` binary on a free port with a throw-away data folder, for tests
//! that talk to it over HTTP (browser tests, smoke checks).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{free_port, http, unique_temp_dir};

/// How long a demo may take to generate its data and start answering.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
const LOG_FILE: &str = "wangge-test-server.log";

/// One of the accounts the demo writes to `demo-accounts.json`.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    /// Region code prefix the account is limited to; shorter means wider.
    pub scope: String,
    pub totp_secret: Option<String>,
}

/// A running `wangge demo`; the process is killed and its data folder removed on drop.
pub struct DemoServer {
    child: Child,
    dir: PathBuf,
    base_url: String,
}

impl DemoServer {
    /// Starts `wangge demo --data <tmp> --listen 127.0.0.1:<port> --grids 4 <extra_args>`
    /// and waits until `/healthz` answers 200. Panics with the server's output when it
    /// does not come up.
    pub fn start(extra_args: &[&str]) -> DemoServer {
        let dir = unique_temp_dir("wangge-demo").unwrap_or_else(|e| panic!("{e}"));
        let port = free_port().unwrap_or_else(|e| panic!("{e}"));
        let listen = format!("127.0.0.1:{port}");
        let log_path = dir.join(LOG_FILE);
        let log = File::create(&log_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
        let log_err = log.try_clone().expect("clone log file handle");
        let mut command = Command::new(env!("CARGO_BIN_EXE_wangge"));
        // The binary reads WANGGE_* settings (database URL, data folder, keys) from the
        // environment; a developer's or CI's own must not leak into a throw-away demo.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("WANGGE_") {
                command.env_remove(name);
            }
        }
        let child = command
            .arg("demo")
            .arg("--data")
            .arg(&dir)
            .args(["--listen", &listen, "--grids", "4"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start wangge: {e}"));
        // Built before waiting so that a panic below still kills the child via Drop.
        let mut server = DemoServer {
            child,
            dir,
            base_url: format!("http://{listen}"),
        };
        if let Err(e) = server.wait_healthy() {
            // Drop prints the server's output while this panic unwinds.
            panic!("wangge demo did not start: {e}");
        }
        server
    }

    fn wait_healthy(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let url = format!("{}/healthz", self.base_url);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("process exited with {status}"));
            }
            match http::request("GET", &url, None, Duration::from_secs(10)) {
                Ok(resp) if resp.status == 200 => return Ok(()),
                _ if started.elapsed() > STARTUP_TIMEOUT => {
                    return Err(format!("/healthz not 200 after {STARTUP_TIMEOUT:?}"));
                }
                _ => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// Everything the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join(LOG_FILE)).unwrap_or_default()
    }

    /// Parses `<data>/demo-accounts.json`. Panics when it is missing or malformed: every
    /// demo must write it.
    pub fn accounts(&self) -> Vec<DemoAccount> {
        let path = self.dir.join("demo-accounts.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        parse_accounts(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            // The server's side of a failed test is often the explanation; its end is what
            // matters when data generation printed a lot.
            let log = self.log();
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(200)..];
            eprintln!(
                "--- wangge server output (last 200 lines) ---\n{}",
                tail.join("\n")
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn parse_accounts(text: &str) -> Result<Vec<DemoAccount>, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let list = json.as_array().ok_or("expected a JSON list of accounts")?;
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let field = |name: &str| {
                a[name]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("account {i}: missing string field {name:?}"))
            };
            Ok(DemoAccount {
                username: field("username")?,
                password: field("password")?,
                role: field("role")?,
                // A region code may be written as a string or a number; no scope means all.
                scope: match &a["scope"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Null => String::new(),
                    other => return Err(format!("account {i}: bad scope {other}")),
                },
                totp_secret: a["totp_secret"].as_str().map(str::to_string),
            })
        })
        .collect()
}

/// A plain GET returning the status and body; panics only when the server cannot be reached.
pub fn http_get(url: &str) -> (u16, String) {
    let resp =
        http::request("GET", url, None, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    (resp.status, resp.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_demo_accounts() {
        let accounts = parse_accounts(
            r#"[{"username":"a","password":"p","role":"operator","scope":"110105"},
                {"username":"b","password":"q","role":"admin","scope":null,"totp_secret":"JBSW"},
                {"username":"c","password":"r","role":"operator","scope":110105001}]"#,
        )
        .unwrap();
        assert_eq!(accounts.len(), 3);
        assert_eq!(accounts[0].scope, "110105");
        assert_eq!(accounts[1].scope, "");
        assert_eq!(accounts[2].scope, "110105001");
        assert_eq!(accounts[1].totp_secret.as_deref(), Some("JBSW"));
        assert!(parse_accounts(r#"[{"username":"a"}]"#).is_err());
    }
}
