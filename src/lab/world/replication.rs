//! Array replication: scheduled and on-demand protection-group snapshots, their transfer to each
//! target array over lab time, and their arrival there as `SOURCE:PG.SUFFIX`.

use super::*;
use crate::lab::clock::{self, TRANSFER_BASE, TRANSFER_SECS_PER_GIB, Time};
use std::time::Duration;

impl Array {
    /// Snapshots a local group now (or at a past schedule boundary); returns the snapshot's name.
    pub fn take_snapshot(&mut self, group: &str, at: Time) -> Option<String> {
        let g = self.group(group)?.clone();
        let volumes: Vec<SnapVolume> = g
            .members
            .iter()
            .filter_map(|m| self.volume(m).filter(|v| !v.destroyed))
            .map(|v| SnapVolume {
                name: v.name.clone(),
                provisioned: v.provisioned,
            })
            .collect();
        let full: u64 = volumes.iter().map(|v| v.provisioned).sum();
        let transfers = g
            .targets
            .iter()
            .map(|t| self.new_transfer(group, t, full, at))
            .collect();
        let suffix = self.next_suffix.to_string();
        self.next_suffix += 1;
        let name = format!("{group}.{suffix}");
        self.snapshots.push(PgSnapshot {
            name: name.clone(),
            group: group.to_string(),
            suffix,
            created: at,
            volumes,
            transfers,
        });
        Some(name)
    }

    /// A snapshot's transfer to `target`, starting `at`. Replication is incremental, as on a real
    /// array: once a snapshot of the group has reached a target, the next one sends only what
    /// changed since (a fixed share in the lab).
    fn new_transfer(&self, group: &str, target: &str, full: u64, at: Time) -> Transfer {
        let sent_before = self.snapshots.iter().any(|s| {
            s.group == group
                && s.transfers
                    .iter()
                    .any(|t| t.target == target && t.completed.is_some())
        });
        let bytes = if sent_before {
            (full as f64 * clock::CHANGED_SHARE) as u64
        } else {
            full
        };
        Transfer {
            target: target.to_string(),
            started: at,
            needed_secs: TRANSFER_BASE.as_secs_f64()
                + bytes as f64 / GIB as f64 * TRANSFER_SECS_PER_GIB,
            done_secs: 0.0,
            progressed_to: at,
            completed: None,
            bytes,
        }
    }

    /// Keeps the newest `keep` snapshots of each group, and any still being sent (an array
    /// never drops a snapshot in flight).
    fn trim(&mut self, keep: usize) {
        let groups: Vec<String> = self.snapshots.iter().map(|s| s.group.clone()).collect();
        for g in groups {
            let count = self.snapshots.iter().filter(|s| s.group == g).count();
            let mut excess = count.saturating_sub(keep);
            self.snapshots.retain(|s| {
                let in_flight = s.transfers.iter().any(|t| t.completed.is_none());
                if excess > 0 && s.group == g && !in_flight {
                    excess -= 1;
                    false
                } else {
                    true
                }
            });
        }
    }
}

impl World {
    /// Marks every transfer of a snapshot complete at `at` and delivers it (the seeded history).
    pub fn complete_transfers_now(&mut self, src: usize, snap_name: &str, at: Time) {
        let Some(snap) = self.sites[src]
            .array
            .snapshots
            .iter_mut()
            .find(|s| s.name == snap_name)
        else {
            return;
        };
        for t in snap.transfers.iter_mut() {
            t.done_secs = t.needed_secs;
            t.progressed_to = at;
            t.completed = Some(at);
        }
        let snap = snap.clone();
        for t in &snap.transfers {
            self.deliver(src, &snap, &t.target);
        }
    }

    /// A snapshot arrives at a target array as `SOURCE:PG.SUFFIX`.
    fn deliver(&mut self, src: usize, snap: &PgSnapshot, target: &str) {
        let source_array = self.sites[src].array.name.clone();
        let keep = self.keep_snapshots;
        let Some(ti) = self.array_index(target) else {
            return;
        };
        let array = &mut self.sites[ti].array;
        let group = format!("{source_array}:{}", snap.group);
        if array.group(&group).is_none() {
            array.groups.push(ProtectionGroup {
                name: group.clone(),
                source: source_array.clone(),
                members: Vec::new(),
                targets: Vec::new(),
                last_scheduled: snap.created,
            });
        }
        let arrived = PgSnapshot {
            name: format!("{source_array}:{}", snap.name),
            group,
            suffix: snap.suffix.clone(),
            created: snap.created,
            volumes: snap.volumes.clone(),
            transfers: Vec::new(),
        };
        let pos = array
            .snapshots
            .iter()
            .position(|s| s.created > arrived.created)
            .unwrap_or(array.snapshots.len());
        array.snapshots.insert(pos, arrived);
        array.trim(keep);
    }

    /// Replication is stalled while either end has replication_stalled or site_down.
    fn stalled(&self, a: usize, b: Option<usize>, now: Time) -> bool {
        let hit = |i: usize| {
            let s = &self.sites[i];
            s.fault_active("replication_stalled", now) || s.fault_active("site_down", now)
        };
        hit(a) || b.is_some_and(hit)
    }

    pub(super) fn advance_replication(&mut self, now: Time, speed: f64, interval: Duration) {
        let step = clock::real(interval, speed).max(chrono::Duration::milliseconds(1));
        let keep = self.keep_snapshots.max(1) as i32;
        for i in 0..self.sites.len() {
            let array = &mut self.sites[i].array;
            let own = array.name.clone();
            let due: Vec<String> = array
                .groups
                .iter()
                .filter(|g| g.source == own && !g.targets.is_empty())
                .map(|g| g.name.clone())
                .collect();
            for name in due {
                let Some(g) = array.group_mut(&name) else {
                    continue;
                };
                if now - g.last_scheduled > step * keep {
                    g.last_scheduled = now - step * keep;
                }
                let mut boundaries = Vec::new();
                while g.last_scheduled + step <= now {
                    g.last_scheduled += step;
                    boundaries.push(g.last_scheduled);
                }
                for at in boundaries {
                    array.take_snapshot(&name, at);
                }
            }
        }
        self.progress_transfers(now, speed);
    }

    fn progress_transfers(&mut self, now: Time, speed: f64) {
        let mut arrivals: Vec<(Time, usize, PgSnapshot, String)> = Vec::new();
        for i in 0..self.sites.len() {
            let mut snaps = std::mem::take(&mut self.sites[i].array.snapshots);
            for snap in snaps.iter_mut() {
                let targets = self.sites[i]
                    .array
                    .group(&snap.group)
                    .map(|g| g.targets.clone())
                    .unwrap_or_default();
                snap.transfers
                    .retain(|t| t.completed.is_some() || targets.contains(&t.target));
                let mut arrived = Vec::new();
                for t in snap.transfers.iter_mut().filter(|t| t.completed.is_none()) {
                    let stalled = self.stalled(i, self.array_index(&t.target), now);
                    let from = t.progressed_to.max(t.started);
                    if now <= from {
                        continue;
                    }
                    if !stalled {
                        let avail = (now - from).as_seconds_f64() * speed;
                        let left = t.needed_secs - t.done_secs;
                        if avail >= left {
                            t.done_secs = t.needed_secs;
                            t.completed = Some(from + clock::real_secs(left, speed));
                        } else {
                            t.done_secs += avail;
                        }
                    }
                    t.progressed_to = now;
                    if let Some(done) = t.completed {
                        arrived.push((done, t.target.clone()));
                    }
                }
                for (done, target) in arrived {
                    arrivals.push((done, i, snap.clone(), target));
                }
            }
            let keep = self.keep_snapshots;
            let array = &mut self.sites[i].array;
            array.snapshots = snaps;
            array.trim(keep);
        }
        arrivals.sort_by_key(|a| a.0);
        for (_, src, snap, target) in arrivals {
            self.deliver(src, &snap, &target);
        }
    }
}

impl Transfer {
    pub fn progress(&self) -> f64 {
        if self.needed_secs <= 0.0 {
            1.0
        } else {
            (self.done_secs / self.needed_secs).clamp(0.0, 1.0)
        }
    }
}
