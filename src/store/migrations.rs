//! The journal's schema versions, shared by both engines: each engine has one migration per entry
//! here, with the same meaning, so a journal copied from one engine to the other keeps its version.

/// (version, what it adds), oldest first. Append only; never edit or reorder one.
pub const VERSIONS: &[(u32, &str)] = &[
    (
        1,
        "operations, steps, events, audit, group states and locks",
    ),
    (2, "RPO history"),
    (3, "a forced failover's pending fence"),
    (
        4,
        "step marks (undone, left behind, verified…) and a group's need for attention",
    ),
];

pub const LATEST: u32 = VERSIONS.len() as u32;

/// The migrations a journal at `version` is missing.
pub fn pending(version: u32) -> Vec<(u32, String)> {
    VERSIONS
        .iter()
        .filter(|(v, _)| *v > version)
        .map(|(v, what)| (*v, (*what).to_string()))
        .collect()
}
