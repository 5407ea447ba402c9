//! Snapshot steps: replicate the array group now and wait until the snapshot has arrived (a
//! planned move's final sync, a sync now), or choose the newest snapshot that has arrived (an
//! unplanned failover, a drill). Nothing to undo: a snapshot changes no workload.

use crate::domain::{PointChoice, RecoveryPoint, data_loss_seconds, recovery_point};
use crate::orchestrator::site_runner::{SiteRunner, step_err};
use crate::orchestrator::step::{AlreadyDone, Resource, Step, StepCtx, StepError, StepId, Undo};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Snapshot the array group, replicate it now, and wait until it has arrived: no data lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalSync {
    pub source: String,
    pub target: String,
    pub array_pg: String,
}

/// Replicate the group now and wait for the snapshot to arrive (sync now, reprotect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicateNow {
    pub source: String,
    pub target: String,
    pub array_pg: String,
}

/// Choose the snapshot that has fully arrived at the target which the operator asked for (the
/// newest, unless `--recovery-point` named another).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectSnapshot {
    pub source: String,
    pub target: String,
    pub array_pg: String,
    /// `None` (and plans journaled before the choice existed): the newest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<PointChoice>,
}

/// The snapshot the target's volumes are made from, and the writes it misses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenSnapshot {
    /// Its name at the target (`array-a:pg.snap-3`).
    pub snapshot: String,
    pub created: Option<DateTime<Utc>>,
    /// Its age when it was chosen: the writes after it are lost.
    pub data_loss_seconds: i64,
    /// When it was chosen (the moment the data loss is measured at).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_at: Option<DateTime<Utc>>,
}

impl StepId {
    pub fn final_sync() -> Self {
        Self::single(FinalSync::NAME)
    }

    pub fn replicate_now() -> Self {
        Self::single(ReplicateNow::NAME)
    }

    pub fn select_snapshot() -> Self {
        Self::single(SelectSnapshot::NAME)
    }
}

/// The snapshot chosen upstream of a recovery: the final sync's, else the selected one.
pub(crate) fn chosen_snapshot(ctx: &StepCtx) -> Result<ChosenSnapshot, StepError> {
    if let Some(s) = ctx.maybe_output::<FinalSync>(&StepId::final_sync())? {
        return Ok(s);
    }
    ctx.maybe_output::<SelectSnapshot>(&StepId::select_snapshot())?
        .ok_or_else(|| StepError::fatal("no snapshot was chosen before creating volumes"))
}

/// Snapshot the group at the source, replicate it now, and wait until it has arrived.
async fn replicate_now(
    env: &SiteRunner,
    (source, target, array_pg): (&str, &str, &str),
    ctx: &StepCtx,
) -> Result<ChosenSnapshot, StepError> {
    let src_array = env.array_name(source)?;
    let src = env.site(source)?.array();
    let snap = src
        .create_pg_snapshot(array_pg, true)
        .await
        .map_err(step_err)?;
    ctx.log(format!(
        "snapshot {} taken at {source}, replicating",
        snap.name
    ));
    let arrived_name = format!("{src_array}:{}", snap.name);
    let replicated_group = format!("{src_array}:{array_pg}");
    let dst = env.site(target)?.array();
    let snap_name = snap.name.clone();
    env.poll_until(ctx, || async {
        let arrived = match dst.pg_snapshots(&replicated_group).await {
            Ok(a) => a,
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(step_err(e)),
        };
        if arrived.iter().any(|s| s.name == arrived_name) {
            return Ok(Some(()));
        }
        if let Ok(transfers) = src.transfers(&[snap_name.as_str()]).await
            && let Some(t) = transfers.first()
        {
            ctx.progress((t.progress * 100.0) as u32, 100);
        }
        Ok(None)
    })
    .await?;
    ctx.log(format!("snapshot {arrived_name} arrived at {target}"));
    Ok(ChosenSnapshot {
        snapshot: arrived_name,
        created: snap.created,
        data_loss_seconds: 0,
        chosen_at: Some(Utc::now()),
    })
}

impl Step for FinalSync {
    type Env = SiteRunner;
    type Output = ChosenSnapshot;
    const NAME: &'static str = "final_sync";

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<ChosenSnapshot, StepError> {
        let endpoints = (
            self.source.as_str(),
            self.target.as_str(),
            self.array_pg.as_str(),
        );
        replicate_now(env, endpoints, ctx).await
    }

    /// Another snapshot is harmless, and the newest is the one wanted.
    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<ChosenSnapshot>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&ChosenSnapshot>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    fn resources(&self, _: &ChosenSnapshot) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}

impl Step for ReplicateNow {
    type Env = SiteRunner;
    type Output = ChosenSnapshot;
    const NAME: &'static str = "replicate_now";

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<ChosenSnapshot, StepError> {
        let endpoints = (
            self.source.as_str(),
            self.target.as_str(),
            self.array_pg.as_str(),
        );
        replicate_now(env, endpoints, ctx).await
    }

    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<ChosenSnapshot>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&ChosenSnapshot>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    fn resources(&self, _: &ChosenSnapshot) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}

impl Step for SelectSnapshot {
    type Env = SiteRunner;
    type Output = ChosenSnapshot;
    const NAME: &'static str = "select_snapshot";

    async fn run(&self, env: &SiteRunner, ctx: &StepCtx) -> Result<ChosenSnapshot, StepError> {
        let src_array = env.array_name(&self.source)?;
        let arrived = env
            .site(&self.target)?
            .array()
            .pg_snapshots(&format!("{src_array}:{}", self.array_pg))
            .await
            .map_err(step_err)?;
        let mut points: Vec<RecoveryPoint> = arrived
            .into_iter()
            .filter(|s| !s.destroyed)
            .map(|s| RecoveryPoint {
                created: s.created.unwrap_or_else(Utc::now),
                name: s.name,
            })
            .collect();
        points.sort_by_key(|p| p.created);
        let choice = self.point.clone().unwrap_or_default();
        let point = choice
            .resolve(&points, &self.target)
            .map_err(|e| StepError::fatal(format!("{}: {e}", self.array_pg)))?;
        let now = Utc::now();
        let loss = data_loss_seconds(point.created, now);
        ctx.log(format!(
            "recovering from {} (writes after it are lost: {loss} s)",
            recovery_point::describe(point)
        ));
        Ok(ChosenSnapshot {
            snapshot: point.name.clone(),
            created: Some(point.created),
            data_loss_seconds: loss,
            chosen_at: Some(now),
        })
    }

    /// Choosing reads and changes nothing.
    async fn check(
        &self,
        _: &SiteRunner,
        _: &StepCtx,
    ) -> Result<AlreadyDone<ChosenSnapshot>, StepError> {
        Ok(AlreadyDone::RepeatSafe)
    }

    async fn undo(
        &self,
        _: &SiteRunner,
        _: Option<&ChosenSnapshot>,
        _: &StepCtx,
    ) -> Result<Undo, StepError> {
        Ok(Undo::NothingToUndo)
    }

    fn resources(&self, _: &ChosenSnapshot) -> Vec<Resource> {
        Vec::new()
    }

    fn intended_resources(&self) -> Vec<Resource> {
        Vec::new()
    }
}
