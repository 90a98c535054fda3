//! Browser sessions as a browser sees them: a 401 to a page's request carries no `Basic`
//! challenge (else the browser opens its own sign-in dialog over the page), checked over plain
//! HTTP and in headless Chromium driven by puppeteer-core (`tests/browser/session.mjs`).
//!
//! The Chromium run needs `/usr/bin/chromium` (Debian's `chromium`; `.ci/run` installs it) and
//! installs puppeteer-core from npm into `target/browser-node` on first use. Outside CI it is
//! skipped, with a message, when either is out of reach; `TICKETD_SKIP_BROWSER=1` skips it always.
//! `TICKETD_CHROMIUM` names another Chromium binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;
use ticketd::auth::issue::open_session;

use crate::helpers::{Backend, TestApp, on_both_backends};

on_both_backends!(page_requests_get_401_without_the_basic_challenge);

const MESSAGE: &str = "/api/v1/TicketMessage/1";
const PUPPETEER: &str = "puppeteer-core@24.43.1";
const BASIC: &str = "Basic realm=\"SuperOffice Username or Ticket\"";
const WITHOUT_BASIC: [&str; 2] = ["SOTicket realm=\"SuperOffice\"", "Bearer realm=\"SuperOffice\""];

/// The status and the `WWW-Authenticate` challenges of the answer, after checking that a 401
/// still carries the vendor's HTML help text.
async fn challenges(request: RequestBuilder) -> (StatusCode, Vec<String>) {
    let response = request.send().await.expect("answered");
    let status = response.status();
    let found = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    let body = response.text().await.expect("body");
    assert!(body.contains("Authorization"), "the vendor's 401 help text: {body}");
    (status, found)
}

async fn page_requests_get_401_without_the_basic_challenge(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (live, xsrf) = open_session(app.store.as_ref(), 2, chrono::Duration::hours(1)).await.expect("session");
    let (expired, expired_xsrf) =
        open_session(app.store.as_ref(), 2, chrono::Duration::seconds(-1)).await.expect("session");
    let get = || app.client.get(app.url(MESSAGE));
    let page_requests = [
        ("missing X-XSRF-TOKEN", get().header("Cookie", format!("ticketd_session={live}"))),
        ("stale X-XSRF-TOKEN", get().header("Cookie", format!("ticketd_session={live}")).header("X-XSRF-TOKEN", "old")),
        (
            "expired session",
            get()
                .header("Cookie", format!("theme=dark; ticketd_session={expired}"))
                .header("X-XSRF-TOKEN", expired_xsrf),
        ),
        ("X-XSRF-TOKEN without a session", get().header("X-XSRF-TOKEN", xsrf.clone())),
        ("X-Requested-With", get().header("X-Requested-With", "XMLHttpRequest")),
        (
            "X-Requested-With with a wrong password",
            get().header("X-Requested-With", "XMLHttpRequest").basic_auth("tje0", Some("wrong")),
        ),
        ("a page's PUT", app.client.put(app.url(MESSAGE)).header("X-Requested-With", "XMLHttpRequest").body("{}")),
    ];
    for (case, request) in page_requests {
        let (status, found) = challenges(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(found, WITHOUT_BASIC, "{case}");
    }
    let api_requests = [
        ("no credentials", get()),
        ("a wrong password", get().basic_auth("tje0", Some("wrong"))),
        ("another X-Requested-With", get().header("X-Requested-With", "com.example.app")),
    ];
    for (case, request) in api_requests {
        let (status, found) = challenges(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(found, [BASIC, WITHOUT_BASIC[0], WITHOUT_BASIC[1]], "{case}");
    }
    let signed_in = get().header("Cookie", format!("ticketd_session={live}")).header("X-XSRF-TOKEN", xsrf);
    assert_eq!(signed_in.send().await.expect("answered").status(), StatusCode::OK);
}

/// Where the Chromium run gets its tools, or why it cannot run here.
struct BrowserTools {
    chromium: PathBuf,
    node_dir: PathBuf,
}

fn browser_tools() -> Result<BrowserTools, String> {
    let chromium = PathBuf::from(std::env::var("TICKETD_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    if !chromium.exists() {
        return Err(format!("{} is missing (apt-get install chromium)", chromium.display()));
    }
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => {}
        _ => return Err("node cannot run (apt-get install npm)".into()),
    }
    let node_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-node");
    install_puppeteer(&node_dir)?;
    Ok(BrowserTools { chromium, node_dir })
}

/// `npm install`s puppeteer-core (without a browser download) once per checkout.
fn install_puppeteer(node_dir: &Path) -> Result<(), String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if node_dir.join("node_modules/puppeteer-core/package.json").exists() {
        return Ok(());
    }
    let output = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(node_dir)
        .arg(PUPPETEER)
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .output()
        .map_err(|e| format!("npm cannot run: {e}"))?;
    if !output.status.success() {
        return Err(format!("npm install {PUPPETEER} failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(())
}

/// Runs `tests/browser/session.mjs` against `base` and returns the JSON line it prints.
fn run_session_script(tools: &BrowserTools, base: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/session.mjs");
    let output = Command::new("node")
        .arg(script)
        .env("TICKETD_BASE", base)
        .env("BROWSER_NODE", &tools.node_dir)
        .env("CHROMIUM", &tools.chromium)
        .output()
        .expect("node runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the browser run failed:\n{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    let line = printed.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {printed}"))
}

#[tokio::test]
async fn a_headless_browser_signs_in_saves_handles_401s_and_signs_out() {
    if std::env::var("TICKETD_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("browser: skipped (TICKETD_SKIP_BROWSER=1)");
        return;
    }
    let tools = match tokio::task::spawn_blocking(browser_tools).await.expect("joined") {
        Ok(tools) => tools,
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("the browser test cannot run in CI: {why}")
        }
        Err(why) => {
            eprintln!("browser: skipped, {why}");
            return;
        }
    };
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let base = app.base.clone();
    // Blocking off the runtime thread: the server under test runs on it.
    let run = tokio::task::spawn_blocking(move || run_session_script(&tools, &base)).await.expect("joined");
    assert_eq!(run["landing"], 200, "{run:#}");
    assert_eq!(run["login"]["status"], 200, "{run:#}");
    assert_eq!(run["xsrfCookie"], true, "the page reads XSRF-TOKEN: {run:#}");
    assert_eq!(run["sessionCookieHidden"], true, "the session cookie is HttpOnly: {run:#}");
    assert_eq!(run["get"]["status"], 200, "{run:#}");
    assert_eq!(run["save"]["status"], 200, "{run:#}");
    assert_eq!(run["savedBody"], "Saved from a browser session", "{run:#}");
    for step in ["missingHeader", "staleHeader", "afterLogout"] {
        let answer = &run[step];
        assert_eq!(answer["status"], 401, "{step} reaches the page as a 401: {run:#}");
        let challenge = answer["wwwAuthenticate"].as_str().unwrap_or_default();
        assert!(!challenge.contains("Basic"), "{step} has no Basic challenge: {challenge}");
        assert!(answer["text"].as_str().unwrap_or_default().contains("Unauthorized"), "{step}: {run:#}");
    }
    assert_eq!(run["logout"]["status"], 204, "{run:#}");
    assert_eq!(run["cookiesAfterLogout"], "", "sign-out clears the cookies: {run:#}");
    let (status, body) = app.get_message(1).await;
    assert_eq!((status, &body["Body"]), (StatusCode::OK, &Value::from("Saved from a browser session")));
}
