//! Hostile input against the real binary: endpoints that never answer, trickle a byte a second or
//! stall after the head (status and check still end within [http] command_timeout_ms and a
//! second), a closed pipe (quiet, no panic), and escape sequences in the command line or the
//! configuration (never printed), a secret of the wrong type (never echoed).

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::process::Command;

/// How a hostile endpoint treats every connection.
#[derive(Clone, Copy, Debug)]
enum Hostility {
    /// Accepts and never answers.
    Silent,
    /// Answers one byte a second, forever.
    Trickle,
    /// Sends the head (a long body announced) and one byte of it, then nothing.
    StallAfterHead,
}

/// A listener on 127.0.0.1 that treats every connection the same hostile way; its URL.
async fn hostile(how: Hostility) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Answer only once asked (a byte sent before the request is refused at once).
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                match how {
                    Hostility::Silent => std::future::pending::<()>().await,
                    Hostility::Trickle => {
                        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
                        let mut each_second = tokio::time::interval(Duration::from_secs(1));
                        for b in head.iter().cycle() {
                            each_second.tick().await;
                            if conn.write_all(&[*b]).await.is_err() {
                                return;
                            }
                        }
                    }
                    Hostility::StallAfterHead => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                                    content-length: 100000\r\n\r\n{";
                        let _ = conn.write_all(head.as_bytes()).await;
                        std::future::pending::<()>().await
                    }
                }
            });
        }
    });
    url
}

const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// A configuration whose sites both live at `url`: each call may take a minute and is tried ten
/// times, so only the command's deadline can end the command in time.
fn configure(dir: &Path, url: &str, group: &str, token: &str) -> std::path::PathBuf {
    let clouds = format!(
        "clouds:\n  site-a:\n    auth: {{auth_url: '{url}/identity/v3', username: operator, \
         password: pw, project_name: dr-demo}}\n  site-b:\n    auth: {{auth_url: \
         '{url}/identity/v3', username: operator, password: pw, project_name: dr-demo}}\n"
    );
    let toml = format!(
        r#"clouds_file = "clouds.yaml"
[store]
url = "sqlite://journal.sqlite"
[http]
timeout_ms = 60000
max_attempts = 10
backoff_ms = 100
command_timeout_ms = {}
[[sites]]
name = "site-a"
role = "production"
cloud = "site-a"
[sites.array]
url = "{url}/array"
name = "array-a"
api_token = {token}
[[sites]]
name = "site-b"
role = "dr"
cloud = "site-b"
[sites.array]
url = "{url}/array"
name = "array-b"
api_token = {token}
[[protection_groups]]
name = "{group}"
primary_site = "site-a"
secondary_site = "site-b"
rpo_target_seconds = 300
members = ["web-1"]
"#,
        COMMAND_TIMEOUT.as_millis()
    );
    std::fs::write(dir.join("clouds.yaml"), clouds).expect("clouds.yaml");
    let path = dir.join("drconsole.toml");
    std::fs::write(&path, toml).expect("drconsole.toml");
    set_private(&path);
    set_private(&dir.join("clouds.yaml"));
    path
}

fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

fn drconsole(dir: &Path, config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("--config")
        .arg(config)
        .args(args)
        .env("DRCONSOLE_DATA_DIR", dir.join("data"))
        .env_remove("DRCONSOLE_CONFIG")
        .env_remove("OS_CLOUD")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Run to the end (or fail the test after `limit`), with how long it took.
async fn run(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let child = cmd.output();
    let out = tokio::time::timeout(limit, child)
        .await
        .unwrap_or_else(|_| panic!("still running after {limit:?}"))
        .expect("run drconsole");
    (out, started.elapsed())
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The bound: the deadline and a second, plus room for starting a process on a busy machine.
fn assert_bounded(what: &str, took: Duration, o: &Output) {
    println!("{what}: {:.2} s", took.as_secs_f64());
    let bound = COMMAND_TIMEOUT + Duration::from_secs(1) + Duration::from_millis(1500);
    assert!(took < bound, "{what} took {took:?}: {}", text(o));
    assert!(
        text(o).contains("command_timeout_ms"),
        "{what} says why: {}",
        text(o)
    );
    assert!(!text(o).contains("panicked"), "{}", text(o));
}

async fn bounded(args: &[&str]) {
    for how in [
        Hostility::Silent,
        Hostility::Trickle,
        Hostility::StallAfterHead,
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let url = hostile(how).await;
        let config = configure(dir.path(), &url, "web-app", "\"t\"");
        let (out, took) = run(
            drconsole(dir.path(), &config, args),
            Duration::from_secs(60),
        )
        .await;
        assert_bounded(&format!("{} against {how:?}", args.join(" ")), took, &out);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn status_ends_within_its_deadline_whatever_the_endpoints_do() {
    bounded(&["status"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn check_ends_within_its_deadline_whatever_the_endpoints_do() {
    bounded(&["check", "failover", "web-app"]).await;
}

/// A reader that has gone before anything is written: what `| head -1` does to a longer output.
async fn with_stdout_closed(mut cmd: Command) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    drop(child.stdout.take());
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("ends")
        .expect("run")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("dir");
    // Nothing listens there: status answers at once, every site unreachable.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let config = configure(dir.path(), &closed, "web-app", "\"t\"");
    for args in [&["ops", "list"][..], &["status"], &["status", "--json"]] {
        let (read, _) = run(
            drconsole(dir.path(), &config, args),
            Duration::from_secs(60),
        )
        .await;
        assert!(!read.stdout.is_empty(), "{args:?} writes something");
        let out = with_stdout_closed(drconsole(dir.path(), &config, args)).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked")
                && !stderr.contains("Broken pipe")
                && !stderr.contains("backtrace"),
            "{args:?}: {stderr}"
        );
        assert_eq!(
            out.status.code(),
            read.status.code(),
            "{args:?}: the same exit as when read: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_from_the_command_line_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let config = configure(dir.path(), "http://127.0.0.1:9", "web-app", "\"t\"");
    let cases: [&[&str]; 4] = [
        &["ops", "show", "\x1b]0;owned\x07abc"],
        &["ops", "cancel", "\x1b[2Jabc"],
        &["check", "fail\x1b[31mover", "web-app"],
        &["instances", "web\x1b[2Japp"],
    ];
    for args in cases {
        let (out, _) = run(
            drconsole(dir.path(), &config, args),
            Duration::from_secs(60),
        )
        .await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?} is refused: {}",
            text(&out)
        );
        let shown = text(&out);
        assert!(
            !shown.contains('\x1b') && !shown.contains('\x07'),
            "{args:?}: {shown:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_configuration_cannot_put_an_escape_sequence_or_a_secret_on_the_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let evil = configure(
        dir.path(),
        "http://127.0.0.1:9",
        "web\\u001b[2Japp",
        "\"t\"",
    );
    let (out, _) = run(
        drconsole(dir.path(), &evil, &["status"]),
        Duration::from_secs(60),
    )
    .await;
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("control characters") && !shown.contains('\x1b'),
        "{shown:?}"
    );

    let number = configure(dir.path(), "http://127.0.0.1:9", "web-app", "9876543210");
    let (out, _) = run(
        drconsole(dir.path(), &number, &["status"]),
        Duration::from_secs(60),
    )
    .await;
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("quoted string") && !shown.contains("98765"),
        "{shown}"
    );
}
