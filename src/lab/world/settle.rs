//! Bringing the world up to "now": finished boots, stops and manages, expired faults and tokens,
//! scheduled snapshots and transfers. Called before every request, so idle time costs nothing.

use super::*;
use crate::lab::clock::Time;
use std::time::Duration;

/// The lab options settling needs.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub speed: f64,
    pub snapshot_interval: Duration,
}

impl World {
    pub fn settle(&mut self, now: Time, pace: Pace) {
        for site in self.sites.iter_mut() {
            site.faults.retain(|f| f.active(now));
            site.tokens.retain(|t| t.expires_at > now);
            site.array.sessions.retain(|t| t.expires_at > now);
            site.settle_servers(now);
            for v in site.volumes.iter_mut() {
                if v.ready_at.is_some_and(|at| at <= now) {
                    v.ready_at = None;
                    if v.status == "creating" {
                        v.status = "available".into();
                    }
                }
            }
        }
        self.advance_replication(now, pace.speed, pace.snapshot_interval);
    }
}

impl Site {
    fn settle_servers(&mut self, now: Time) {
        let failing: Vec<String> = self
            .faults
            .iter()
            .filter(|f| f.kind == "boot_failure" && f.active(now))
            .filter_map(|f| f.server.clone())
            .collect();
        for s in self.servers.iter_mut() {
            let Some(p) = s.pending.clone().filter(|p| p.at <= now) else {
                continue;
            };
            s.pending = None;
            s.updated = p.at;
            if s.status == "BUILD" && failing.contains(&s.name) {
                s.status = "ERROR".into();
                s.fault = Some(ServerFault {
                    code: 500,
                    message: format!(
                        "Build of instance {} aborted: the lab's boot_failure fault names {}",
                        s.id, s.name
                    ),
                    created: p.at,
                });
            } else {
                s.status = p.to;
            }
        }
    }
}
