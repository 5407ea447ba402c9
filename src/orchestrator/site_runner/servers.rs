//! Servers at a site as the steps look for them: the group's members by name, the ones this
//! operation created (by metadata), stopping members (and starting them again on undo), and
//! deleting one and waiting until it is gone.

use super::{META_OPERATION, SiteRunner, each, step_err};
use crate::orchestrator::step::{StepCtx, StepError, Undo};
use crate::providers::compute::Server;
use std::time::Instant;

/// Stopped, with nothing (such as a start) in progress.
/// How long an undo waits for servers it started to run again.
const START_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

pub(crate) fn is_off(s: &Server) -> bool {
    s.status == "SHUTOFF" && s.task_state.is_none()
}

impl SiteRunner {
    /// The group's servers at `site`, matched by exact name.
    pub(crate) async fn servers_named(
        &self,
        site: &str,
        names: &[String],
    ) -> Result<Vec<Server>, StepError> {
        let all = self
            .site(site)?
            .compute()
            .list_servers()
            .await
            .map_err(step_err)?;
        let names: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
        Ok(all
            .into_iter()
            .filter(|s| names.contains(s.name.as_str()))
            .collect())
    }

    /// The servers at `site` for a poll: a list shared with the other waits at that site,
    /// asked for at most half a poll interval ago and not before `after` (what the step did
    /// last: a list from before it would show the site as it was). See
    /// `SiteClient::servers_for_polling`.
    pub(crate) async fn polled_servers(
        &self,
        site: &str,
        after: Option<Instant>,
    ) -> Result<std::sync::Arc<Vec<Server>>, StepError> {
        let now = Instant::now();
        let recent = now.checked_sub(self.poll_interval / 2).unwrap_or(now);
        let since = after.map_or(recent, |a| a.max(recent));
        self.site(site)?
            .servers_for_polling(since)
            .await
            .map_err(step_err)
    }

    /// Every server an operation created at `site` (this one's unless another id is given).
    pub(crate) async fn servers_of_operation(
        &self,
        site: &str,
        operation_id: &str,
    ) -> Result<Vec<Server>, StepError> {
        self.site(site)?
            .compute()
            .find_servers_by_metadata(META_OPERATION, operation_id)
            .await
            .map_err(step_err)
    }

    /// The server this operation created under `name` at `site`, if any.
    pub(crate) async fn find_own_server(
        &self,
        site: &str,
        name: &str,
    ) -> Result<Option<Server>, StepError> {
        let own = self.servers_of_operation(site, &self.operation_id).await?;
        Ok(own.into_iter().find(|s| s.name == name))
    }

    /// Delete a server and wait until it is gone (its volumes and ports are then free). `false`
    /// when it was already gone (a delete of a missing server answers like any other).
    pub(crate) async fn delete_server_and_wait(
        &self,
        site: &str,
        id: &str,
        ctx: &StepCtx,
    ) -> Result<bool, StepError> {
        let compute = self.site(site)?.compute();
        if compute.get_server(id).await.map_err(step_err)?.is_none() {
            return Ok(false);
        }
        compute.delete(id).await.map_err(step_err)?;
        self.poll_until(ctx, || async {
            let s = compute.get_server(id).await.map_err(step_err)?;
            Ok(s.is_none().then_some(()))
        })
        .await?;
        Ok(true)
    }

    /// Stop every ACTIVE member named in `names` at `site` and wait until all are SHUTOFF;
    /// the ids of those it stopped (not those already stopped).
    pub(crate) async fn stop_and_wait(
        &self,
        site: &str,
        names: &[String],
        ctx: &StepCtx,
    ) -> Result<Vec<String>, StepError> {
        let compute = self.site(site)?.compute();
        let servers = self.servers_named(site, names).await?;
        let running: Vec<(String, String)> = servers
            .iter()
            .filter(|s| s.status == "ACTIVE")
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let stopped = each(running, |(id, name)| {
            let compute = &compute;
            async move {
                // A stop of a stopped server is refused with 409: it is stopped, which was asked.
                match compute.stop(&id).await {
                    Err(e) if !e.is_conflict() => return Err(step_err(e)),
                    _ => {}
                }
                ctx.log(format!("stopping {name} at {site}"));
                Ok(id)
            }
        })
        .await?;
        let total = servers.len() as u32;
        let wanted: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
        let stopped_at = Instant::now();
        self.poll_until(ctx, || async {
            let listed = self.polled_servers(site, Some(stopped_at)).await?;
            let now: Vec<&Server> = listed
                .iter()
                .filter(|s| wanted.contains(s.name.as_str()))
                .collect();
            // Started again while we wait (no stop in progress): stopped again, so the side
            // being left is quiet before its recovery point is taken.
            for s in now
                .iter()
                .filter(|s| s.status == "ACTIVE" && s.task_state.is_none())
            {
                ctx.log(format!(
                    "{} runs again at {site}: stopping it again",
                    s.name
                ));
                match compute.stop(&s.id).await {
                    Err(e) if !e.is_conflict() => return Err(step_err(e)),
                    _ => {}
                }
            }
            let off = now.iter().filter(|s| is_off(s)).count() as u32;
            ctx.progress(off, total);
            Ok((off == now.len() as u32).then_some(()))
        })
        .await?;
        Ok(stopped)
    }

    /// Start again what a stop stopped: `ids`, or every SHUTOFF member named in `names` when
    /// the stop's output is lost.
    pub(crate) async fn start_again(
        &self,
        site: &str,
        names: &[String],
        ids: Option<Vec<String>>,
    ) -> Result<Undo, StepError> {
        let compute = self.site(site)?.compute();
        let ids = match ids {
            Some(ids) => ids,
            None => self
                .servers_named(site, names)
                .await?
                .into_iter()
                .filter(|s| s.status == "SHUTOFF")
                .map(|s| s.id)
                .collect(),
        };
        let started_at = Instant::now();
        let started = each(ids.clone(), |id| {
            let compute = &compute;
            async move {
                match compute.start(&id).await {
                    Ok(()) => Ok(true),
                    Err(e) if e.is_conflict() || e.is_not_found() => Ok(false),
                    Err(e) => Err(step_err(e)),
                }
            }
        })
        .await?;
        if started.contains(&true) {
            self.wait_running(site, &ids, started_at).await?;
        }
        Ok(if started.contains(&true) {
            Undo::Undone
        } else {
            Undo::NothingToUndo
        })
    }

    /// Wait until the servers `ids` at `site` that still exist run (ACTIVE, no task): an undo
    /// that says production runs again must not say it while it boots. Not cut short by a
    /// cancel (a cancelled operation's rollback is what runs this); bounded by
    /// `START_WAIT`, then a transient error the rollback retries.
    async fn wait_running(
        &self,
        site: &str,
        ids: &[String],
        after: Instant,
    ) -> Result<(), StepError> {
        let deadline = Instant::now() + START_WAIT;
        loop {
            let listed = self.polled_servers(site, Some(after)).await?;
            let pending: Vec<&Server> = listed
                .iter()
                .filter(|s| ids.contains(&s.id))
                .filter(|s| !(s.status == "ACTIVE" && s.task_state.is_none()))
                .collect();
            if let Some(s) = pending.iter().find(|s| s.status == "ERROR") {
                return Err(StepError::fatal(format!(
                    "{} went to ERROR at {site} while starting again",
                    s.name
                )));
            }
            if pending.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                let names: Vec<&str> = pending.iter().map(|s| s.name.as_str()).collect();
                return Err(StepError::transient(format!(
                    "{} at {site} not running again after {} s",
                    names.join(", "),
                    START_WAIT.as_secs()
                )));
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }
}
