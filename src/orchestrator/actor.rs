//! Who runs an operation: the OS user, the host, and the SSH client when over SSH, recorded with
//! every operation and audit line.

use crate::domain::Actor;

pub fn local_actor() -> Actor {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
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
