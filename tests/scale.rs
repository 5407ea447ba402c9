//! The scale topology through the real binary: `lab serve --topology assets/lab/scale.toml` in
//! one process and `status --json` in another see its 20 groups and 1,000 servers; a topology
//! with a mistake is refused before anything is served, with the mistake named.

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_drconsole");

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path, topology: &Path) -> Served {
    let child = Command::new(BIN)
        .args(["lab", "serve", "--latency-ms", "0", "--dir"])
        .arg(dir.join("lab"))
        .arg("--topology")
        .arg(topology)
        .env("DRCONSOLE_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("lab serve starts");
    Served(child)
}

/// Polls for the lab's client config (written once both sites listen), with a deadline.
fn wait_for_config(dir: &Path, lab: &mut Served) -> std::path::PathBuf {
    let config = dir.join("lab").join("drconsole.toml");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !config.exists() {
        assert!(
            lab.0.try_wait().expect("lab status").is_none(),
            "lab serve ended before serving"
        );
        assert!(
            Instant::now() < deadline,
            "the lab wrote no config in 120 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    config
}

#[test]
fn status_sees_the_scale_topologys_twenty_groups_and_thousand_servers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scale = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lab/scale.toml");
    let mut lab = serve(dir.path(), &scale);
    let config = wait_for_config(dir.path(), &mut lab);
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["status", "--json"])
        .env("DRCONSOLE_DATA_DIR", dir.path().join("data"))
        .env_remove("DRCONSOLE_CONFIG")
        .output()
        .expect("status runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "status failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_str(&text).expect("status --json is JSON");
    let groups = doc["protection_groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 20, "{text}");
    let erp = groups.iter().find(|g| g["name"] == "erp").expect("erp");
    assert_eq!(erp["instances"], 500, "{erp}");
    let total: u64 = groups.iter().filter_map(|g| g["instances"].as_u64()).sum();
    assert_eq!(total, 1000);
}

#[test]
fn a_topology_with_a_mistake_is_refused_with_the_mistake_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = include_str!("../assets/lab/demo.toml");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        demo.replace("network = \"net-db\"", "network = \"net-nope\""),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["lab", "serve", "--dir"])
        .arg(dir.path().join("lab"))
        .arg("--topology")
        .arg(&bad)
        .stdin(Stdio::null())
        .output()
        .expect("lab serve runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("bad.toml") && err.contains("\"net-nope\""),
        "{err}"
    );
    assert!(
        !dir.path().join("lab").join("world.json").exists(),
        "nothing was built"
    );
    let missing = Command::new(BIN)
        .args(["lab", "serve", "--dir"])
        .arg(dir.path().join("lab"))
        .args(["--topology", "/nonexistent/topology.toml"])
        .stdin(Stdio::null())
        .output()
        .expect("lab serve runs");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the lab topology"));
}
