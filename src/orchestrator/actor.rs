//! Who runs an operation: the OS user, the host, and the SSH client when over SSH, recorded with
//! every operation and audit line.

use crate::domain::Actor;

/// Who this process runs as: read once (the user, host and SSH client do not change while it
/// runs), then copied.
pub fn local_actor() -> Actor {
    static ACTOR: std::sync::OnceLock<Actor> = std::sync::OnceLock::new();
    ACTOR.get_or_init(read_actor).clone()
}

fn read_actor() -> Actor {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    // SSH_CLIENT is "address port localport": the address is what an auditor needs.
    let ssh_client = std::env::var("SSH_CLIENT")
        .ok()
        .and_then(|v| v.split_whitespace().next().map(str::to_string));
    Actor {
        user: crate::sanitize::clean(&user),
        host: crate::sanitize::clean(&host),
        ssh_client,
    }
}

/// The login name of this process's uid, from /etc/passwd (no USER in cron, systemd or `env -i`).
fn user_from_passwd() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
        let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
        passwd.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && f[2] == uid).then(|| f[0].to_string())
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}
