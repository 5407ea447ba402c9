//! The runtime's half of the loop: each `Action` becomes a task that asks the engine and sends
//! its answer back as a `Msg` (with the generation of the request), so the loop never waits on
//! the network or the disk.

use super::backend::{BackendError, BackendFuture, ConsoleBackend};
use super::msg::{Action, Msg};
use super::theme::{Theme, ThemeError};
use futures_util::future::BoxFuture;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

pub struct Runtime {
    pub backend: Arc<dyn ConsoleBackend>,
    config_dir: Option<PathBuf>,
    tx: mpsc::Sender<Msg>,
}

fn boxed(fut: impl Future<Output = Msg> + Send + 'static) -> BoxFuture<'static, Msg> {
    Box::pin(fut)
}

/// The engine's answer, wrapped in the message that carries it back.
fn reply<T: Send + 'static>(
    answer: BackendFuture<T>,
    wrap: impl FnOnce(Result<T, BackendError>) -> Msg + Send + 'static,
) -> BoxFuture<'static, Msg> {
    Box::pin(async move { wrap(answer.await) })
}

impl Runtime {
    /// `config_dir`: where user themes live; answers go to `tx`.
    pub fn new(
        backend: Arc<dyn ConsoleBackend>,
        config_dir: Option<PathBuf>,
        tx: mpsc::Sender<Msg>,
    ) -> Self {
        Self {
            backend,
            config_dir,
            tx,
        }
    }

    /// Start the work an action asks for; its answer arrives on the queue.
    pub fn dispatch(&self, action: Action) {
        let work = match self.load(action) {
            Ok(work) => work,
            Err(action) => match self.command(*action) {
                Some(work) => work,
                None => return,
            },
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(work.await).await;
        });
    }

    /// Follow the journal: a task waits for it to change (any process) and says so on the
    /// queue. One message at a time: changes that come while it waits in the queue are one.
    pub fn watch_journal(&self) {
        let changes = self.backend.journal_changes();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let mut changes = match changes.await {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Msg::JournalUnfollowed(e)).await;
                    return;
                }
            };
            while changes.changed().await.is_ok() {
                if tx.send(Msg::JournalChanged).await.is_err() {
                    return;
                }
            }
        });
    }

    /// Reads: the estate, lists, an operation's detail, a group's mappings, a checklist.
    /// `Err` gives back an action that is not a read.
    fn load(&self, action: Action) -> Result<BoxFuture<'static, Msg>, Box<Action>> {
        let b = &self.backend;
        Ok(match action {
            Action::Refresh(generation) => reply(b.refresh(), move |result| Msg::Estate {
                generation,
                result,
            }),
            Action::LoadOperations(generation) => reply(b.operations(), move |result| {
                Msg::Operations { generation, result }
            }),
            Action::LoadGroupStates(generation) => reply(b.group_states(), move |result| {
                Msg::GroupStates { generation, result }
            }),
            Action::LoadInstances { group, generation } => {
                let f = b.instances(group.clone());
                reply(f, move |result| Msg::Instances {
                    group,
                    generation,
                    result,
                })
            }
            Action::LoadDetail { id, generation } => {
                let f = b.operation_detail(id.clone());
                reply(f, move |r| Msg::Detail {
                    id,
                    generation,
                    result: r.map(Box::new),
                })
            }
            Action::LoadLabFaults => reply(b.lab_faults(), Msg::LabFaults),
            Action::LoadRpoHistory => reply(
                b.rpo_history(crate::tui::app::RPO_HISTORY_LEN),
                Msg::RpoHistory,
            ),
            Action::LoadMappings(group) => {
                let f = b.mappings(group.clone());
                reply(f, move |result| Msg::Mappings { group, result })
            }
            Action::Check {
                request,
                generation,
            } => {
                let f = b.check_report(request.clone());
                reply(f, move |result| Msg::Checks {
                    request,
                    generation,
                    result,
                })
            }
            other => return Err(Box::new(other)),
        })
    }

    /// `None` for an action with no work (quit, or a read).
    fn command(&self, action: Action) -> Option<BoxFuture<'static, Msg>> {
        let b = &self.backend;
        Some(match action {
            Action::Start(request) => {
                let f = b.start(request.clone());
                boxed(async move {
                    Msg::Started {
                        request,
                        result: f.await,
                    }
                })
            }
            Action::Cancel(id) => {
                let f = b.cancel(id.clone());
                boxed(async move {
                    Msg::Cancelled {
                        id,
                        result: f.await,
                    }
                })
            }
            Action::InjectFault { site, fault } => {
                let what = format!("{} injected at {site}", fault.kind);
                reply(b.inject_fault(site, fault), |r| {
                    Msg::Fault(r.map(|()| what))
                })
            }
            Action::ClearFaults(site) => {
                let what = format!("faults cleared at {site}");
                reply(b.clear_faults(site), |r| Msg::Fault(r.map(|()| what)))
            }
            Action::WriteReport { id, at_end } => {
                tracing::info!("writing the report of {id}");
                let f = b.write_report(id.clone());
                reply(f, move |result| Msg::Report { id, at_end, result })
            }
            Action::LoadTheme(name) => boxed(load_theme(name, self.config_dir.clone())),
            _ => return None,
        })
    }
}

/// Theme files are read off the loop's thread.
async fn load_theme(name: String, dir: Option<PathBuf>) -> Msg {
    let task_name = name.clone();
    let loaded = tokio::task::spawn_blocking(move || Theme::load(&task_name, dir.as_deref()))
        .await
        .unwrap_or_else(|e| {
            Err(ThemeError::Interrupted {
                name,
                reason: e.to_string(),
            })
        });
    Msg::Theme(loaded)
}
