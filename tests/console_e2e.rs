//! Runs tests/e2e/console.sh: the real binary in tmux on a fresh data dir, from `--lab` through a
//! drill and its cleanup driven from the keyboard to the report files it announced (checked
//! against the journal) and a clean quit. `.ci/test` installs tmux; without it this test says so
//! and fails.

use std::process::Command;

#[test]
fn a_drill_and_its_cleanup_from_the_keyboard_end_in_the_report_they_announce() {
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
