//! Runs tests/e2e/console.sh: the real binary in tmux, from `--lab` to a completed failover seen
//! on screen and a clean quit. `.ci/run` installs tmux; without it this test says so and fails.

use std::process::Command;

#[test]
fn the_console_fails_over_web_app_on_the_lab_in_tmux() {
    let has_tmux = Command::new("tmux").arg("-V").output().is_ok();
    assert!(
        has_tmux,
        "tmux is needed for the console end-to-end test: apt-get install tmux"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/console.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_drconsole"))
        .output()
        .expect("run the e2e script");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
