//! Reports from the journal, through the real binary: a drill and its cleanup on the lab, then
//! `drconsole report` as Markdown, JSON and HTML with the figures the journal holds, the audit
//! summary of drills, and the HTML opened in headless Chromium (Debian's `chromium`, installed by
//! `.ci/test`): it renders, its timeline has one bar per step, and it fetches nothing.

mod common;

use common::{Lab, lab, req, run};
use drconsole::domain::{OperationStatus, OperationType as Op};
use drconsole::store::Store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn drconsole(lab: &Lab, args: &[&str]) -> Output {
    let config = lab.dir.path().join("lab").join("drconsole.toml");
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .env("DRCONSOLE_DATA_DIR", lab.dir.path())
        .env_remove("DRCONSOLE_CONFIG")
        .output()
        .expect("run drconsole")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A drill and its cleanup on the journal the lab's drconsole.toml names.
async fn drill_and_cleanup(lab: &Lab) -> (String, String) {
    let journal = lab.dir.path().join("lab").join("journal.sqlite");
    let engine = lab.engine_with(Store::open_sqlite(&journal).expect("journal"));
    let drill = run(&engine, req(Op::TestFailover, "web-app"))
        .await
        .expect("the drill starts");
    assert_eq!(drill.status, OperationStatus::Completed, "{drill:?}");
    let cleanup = run(&engine, req(Op::TestCleanup, "web-app"))
        .await
        .expect("the cleanup starts");
    assert_eq!(cleanup.status, OperationStatus::Completed, "{cleanup:?}");
    (drill.id, cleanup.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_report_holds_the_journal_s_figures_in_every_format() {
    let lab = lab().await;
    let (drill, cleanup) = drill_and_cleanup(&lab).await;
    let journal = lab.dir.path().join("lab").join("journal.sqlite");
    let engine = lab.engine_with(Store::open_sqlite(&journal).expect("journal"));
    let d = engine.operation_detail(&drill, 0).await.expect("detail");
    let rto = d.rto_seconds().expect("the drill brought servers up");
    let loss = d.data_loss_seconds().expect("a recovery point");

    let json: Value = serde_json::from_str(&ok(drconsole(
        &lab,
        &["report", &drill[..12], "--format", "json"],
    )))
    .expect("json");
    assert_eq!(json["operation_id"], drill.as_str());
    assert_eq!(json["rto_seconds"], rto);
    assert_eq!(json["data_loss_seconds"], loss);
    assert_eq!(json["cleanup_operation"], cleanup.as_str());
    assert_eq!(json["from_site"], "site-a");
    assert!(!json["checks"].as_array().expect("checks").is_empty());
    assert!(
        json["created"]
            .as_array()
            .expect("created")
            .iter()
            .any(|r| r["kind"] == "server" && r["site"] == "site-b")
    );

    let md = ok(drconsole(&lab, &["report", &drill]));
    assert!(md.contains("| Direction | site-a ⇢ site-b |"), "{md}");
    assert!(
        md.contains(&format!("to the end of its cleanup ({cleanup})")),
        "{md}"
    );
    let cleanup_md = ok(drconsole(&lab, &["report", &cleanup]));
    assert!(cleanup_md.contains("## Resources removed"), "{cleanup_md}");
    assert!(cleanup_md.contains("| site-b | server |"), "{cleanup_md}");

    let audit = ok(drconsole(
        &lab,
        &["report", "--drills", "--since", "2000-01-01"],
    ));
    assert!(audit.contains("1 drills, 1 passed."), "{audit}");
    assert!(audit.contains(&drill), "{audit}");
    let refused = drconsole(&lab, &["report", "--drills", "--since", "last week"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("YYYY-MM-DD"));

    let html = lab.dir.path().join("out").join("drill.html");
    let html_s = html.to_str().expect("utf8");
    ok(drconsole(
        &lab,
        &["report", &drill, "--format", "html", "--output", html_s],
    ));
    open_in_chromium(&html, d.steps.len());
}

/// Render `page` in headless Chromium behind a proxy that records every request: the DOM it
/// built has the report and one timeline bar per step, a screenshot is drawn, and the report
/// asked for nothing. Chromium talks to its own services even with background networking off
/// (measured: accounts.google.com, www.google.com, clients2.google.com), so those are learnt from
/// control pages first: an empty page (Chromium's own), and a page with an image from an unknown
/// host, which must be seen (the proxy does catch what a page fetches).
fn open_in_chromium(page: &Path, steps: usize) {
    let chromium = which("chromium").expect(
        "Chromium is needed to check the HTML report: apt-get install chromium (.ci/test does)",
    );
    let proxy = Proxy::start();
    let profile = tempfile::tempdir().expect("profile dir");
    let run = |page: &Path, extra: &[String]| -> Output {
        Command::new(&chromium)
            .args(CHROMIUM_FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
            .arg("--proxy-bypass-list=<-loopback>")
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("run chromium")
    };
    let dump = ["--dump-dom".to_string()];
    let empty = profile.path().join("empty.html");
    let canary = profile.path().join("canary.html");
    std::fs::write(&empty, "<!DOCTYPE html><title>empty</title>").expect("write");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><img src=\"http://report-canary.invalid/x.png\">",
    )
    .expect("write");
    run(&empty, &dump);
    run(&canary, &dump);
    let own = proxy.hosts();
    assert!(
        own.contains("report-canary.invalid"),
        "the proxy sees a page's fetch: {own:?}"
    );
    proxy.clear();

    let dom = String::from_utf8_lossy(&run(page, &dump).stdout).to_string();
    assert!(dom.contains("<svg class=\"gantt\""), "rendered DOM:\n{dom}");
    assert!(dom.contains("Test Failover of web-app"), "{dom}");
    assert_eq!(
        dom.matches("<rect class=\"bar").count(),
        steps,
        "one bar per step"
    );
    let shot = profile.path().join("report.png");
    let out = run(
        page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1800".into(),
        ],
    );
    let png = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        png > 10_000,
        "a screenshot was drawn ({png} bytes): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fetched: Vec<String> = proxy
        .hosts()
        .into_iter()
        .filter(|h| !own.contains(h) || h == "report-canary.invalid")
        .collect();
    assert!(fetched.is_empty(), "the report fetched from {fetched:?}");
}

/// The flags that keep Chromium headless, unsandboxed as root, and as quiet on the network as it
/// goes (/work/.library/env/machines/rust.md).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// An HTTP proxy on loopback that answers nothing and records the host of every request.
struct Proxy {
    port: u16,
    hosts: Arc<Mutex<BTreeSet<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a proxy port");
        let port = listener.local_addr().expect("addr").port();
        let hosts = Arc::new(Mutex::new(BTreeSet::new()));
        let seen = hosts.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let mut line = String::new();
                let _ = BufReader::new(conn).read_line(&mut line);
                if let Some(host) = host_of(&line) {
                    seen.lock().unwrap_or_else(|p| p.into_inner()).insert(host);
                }
            }
        });
        Proxy { port, hosts }
    }

    fn hosts(&self) -> BTreeSet<String> {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn clear(&self) {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// `CONNECT host:443 HTTP/1.1` or `GET http://host/path HTTP/1.1` → `host`.
fn host_of(request_line: &str) -> Option<String> {
    let target = request_line.split_whitespace().nth(1)?;
    let rest = target.split("://").nth(1).unwrap_or(target);
    let host = rest.split(['/', ':']).next()?;
    (!host.is_empty()).then(|| host.to_string())
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}
