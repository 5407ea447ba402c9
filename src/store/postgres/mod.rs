//! The shared PostgreSQL journal: the same trait and schema versions as SQLite, for a team whose
//! consoles run on several hosts. tokio-postgres with a small deadpool pool runs on a runtime of
//! its own (one thread), so the synchronous trait can be called from any thread, inside or outside
//! another runtime, and connections outlive the runtimes of the callers (tests make many).
//! Leases are measured on the server's clock, so hosts with skewed clocks agree on expiry.

mod codec;
mod dump;
mod errors;
mod events;
mod journal;
mod listen;
mod locks;
mod operations;
pub(crate) mod schema;
mod steps;
pub mod tls;
pub mod url;

use super::changes::ChangeHub;
use super::error::StoreError;
use crate::secret::Secret;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use errors::PgErr;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// Connections one console keeps at most: the executor's group commit, the event copier, the
/// lease keeper and the views share them.
const POOL_SIZE: usize = 4;
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(30);

/// Whether opening brings the schema up to date (`No`: `journal check`, which only reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrate {
    Yes,
    No,
}

pub struct PgBackend {
    /// The URL without its password, for messages.
    shown: String,
    pool: Pool,
    /// Settings for the listener's own connection.
    target: Arc<(tokio_postgres::Config, tls::MakeRustls)>,
    changes: Arc<ChangeHub>,
    rt: Handle,
    /// Dropping it ends the journal's runtime thread (and its connections).
    _stop: oneshot::Sender<()>,
}

impl PgBackend {
    /// Connect (checking the server, the role, the password and the database at once) and, with
    /// `Migrate::Yes`, bring the schema up to date.
    pub fn connect(url: &Secret, migrate: Migrate) -> Result<Self, StoreError> {
        Self::connect_with(url, migrate, &url::Env::process())
    }

    pub fn connect_with(
        url: &Secret,
        migrate: Migrate,
        env: &url::Env<'_>,
    ) -> Result<Self, StoreError> {
        let mut target = url::parse(url, env)?;
        let shown = target.shown.clone();
        let tls = tls::MakeRustls::for_target(&target, env.home.as_deref())?;
        // A console frozen mid-transaction (SIGSTOP, a vanished host) must not hold row locks
        // for long, and no statement waits forever for one.
        let ours = "-c idle_in_transaction_session_timeout=15000 -c lock_timeout=10000 \
                    -c statement_timeout=120000";
        let options = match target.config.get_options() {
            Some(given) => format!("{given} {ours}"),
            None => ours.to_string(),
        };
        target.config.options(options);
        target.config.keepalives_idle(Duration::from_secs(30));
        if target.config.get_application_name().is_none() {
            target.config.application_name("drconsole");
        }
        let manager = Manager::from_config(
            target.config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let (rt, stop) = start_runtime()?;
        let pool = {
            let _guard = rt.enter();
            Pool::builder(manager)
                .max_size(POOL_SIZE)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(WAIT_FOR_CONNECTION))
                .build()
                .map_err(|e| StoreError::Task(format!("cannot build the connection pool: {e}")))?
        };
        let backend = Self {
            shown,
            pool,
            target: Arc::new((target.config, tls)),
            changes: Arc::default(),
            rt,
            _stop: stop,
        };
        let shown = backend.shown.clone();
        backend.with(move |mut c| async move {
            if migrate == Migrate::Yes {
                schema::migrate(&mut c, &shown).await?;
            }
            Ok(())
        })?;
        Ok(backend)
    }

    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Run `f` with a pooled connection on the journal's runtime, and wait for its answer.
    fn with<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, PgErr>> + Send,
    {
        let pool = self.pool.clone();
        self.run(async move {
            let conn = pool.get().await?;
            f(conn).await
        })
    }

    /// Run `fut` on the journal's runtime and wait for it (never from that runtime itself).
    fn run<T, Fut>(&self, fut: Fut) -> Result<T, StoreError>
    where
        T: Send + 'static,
        Fut: Future<Output = Result<T, PgErr>> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        let answer = rx.recv().map_err(|_| {
            StoreError::Task("the PostgreSQL journal's connection thread stopped".into())
        })?;
        answer.map_err(|e| e.into_store(&self.shown))
    }
}

/// A one-thread runtime for the journal's connections, ended when the sender is dropped.
fn start_runtime() -> Result<(Handle, oneshot::Sender<()>), StoreError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Task(format!("cannot start the journal's runtime: {e}")))?;
    let handle = rt.handle().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("journal-pg".into())
        .spawn(move || {
            rt.block_on(async {
                let _ = stopped.await;
            });
        })
        .map_err(|e| StoreError::Task(format!("cannot start the journal's thread: {e}")))?;
    Ok((handle, stop))
}

#[cfg(test)]
mod tests;
