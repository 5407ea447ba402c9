//! The dialog's recovery point: which arrived snapshot an unplanned failover or a drill recovers
//! from (stepped through with ←/→), and the data-loss line, the checklist's own figure.

use super::dialog::{DialogOutcome, DialogState};
use crate::domain::{OperationType, PointView, human_seconds};
use chrono::{DateTime, Duration, Utc};

impl DialogState {
    /// Unplanned failover and drills recover from a point the operator may choose.
    pub fn takes_point(&self) -> bool {
        matches!(
            self.operation,
            OperationType::Failover | OperationType::TestFailover
        )
    }

    /// The point the dialog's request recovers from, as the last checklist listed it.
    pub fn chosen_point(&self) -> Option<&PointView> {
        let points = self.points.as_ref()?;
        match &self.point {
            None => points.points.first(),
            Some(name) => points.points.iter().find(|p| &p.name == name),
        }
    }

    /// Step through the listed points (newest first; the newest means `latest`).
    pub(super) fn cycle_point(&mut self, forward: bool) -> DialogOutcome {
        let Some(points) = self.points.as_ref().filter(|p| !p.points.is_empty()) else {
            self.error = Some("no recovery point is listed yet: wait for the checklist".into());
            return DialogOutcome::Nothing;
        };
        let n = points.points.len();
        let at = self
            .point
            .as_ref()
            .and_then(|name| points.points.iter().position(|p| &p.name == name))
            .unwrap_or(0);
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.point = (next > 0).then(|| points.points[next].name.clone());
        DialogOutcome::Recheck
    }

    /// The data-loss window line of the dialog: the chosen point's figure, as the checklist
    /// computed it (the group's RPO now until a checklist lists the points).
    pub fn data_loss(&self, now: DateTime<Utc>) -> String {
        if let Some(p) = self.chosen_point() {
            let when = p.created.format("%H:%M:%S");
            let loss = human_seconds(p.data_loss_seconds);

            match self.operation {
                OperationType::Failover => {
                    return format!("writes after {when} UTC are lost ({loss})");
                }
                OperationType::TestFailover => {
                    return format!("none: production runs on; the drill's data is {loss} old");
                }
                _ => {}
            }
        }
        match self.operation {
            OperationType::Failover => match self.rpo_seconds {
                Some(s) => format!(
                    "writes after {} UTC are lost (RPO now {})",
                    (now - Duration::seconds(s)).format("%H:%M:%S"),
                    human_seconds(s)
                ),
                None => "no snapshot has fully arrived: all data at the target is missing".into(),
            },
            OperationType::PlannedFailover => {
                "none: servers stop and a final sync runs before the switch".into()
            }
            OperationType::Failback => "none: a final sync runs before switching back".into(),
            OperationType::TestFailover => match self.rpo_seconds {
                Some(s) => format!(
                    "none: production runs on; the drill's data is {} old",
                    human_seconds(s)
                ),
                None => "none: production keeps running".into(),
            },
            _ => "none".into(),
        }
    }
}
