//! SIGHUP, SIGINT and SIGTERM never abandon a run. A process that runs an operation notes them
//! and goes on (the way to stop an operation is `ops cancel`); a watcher (`--wait`, `ops watch`)
//! ends on SIGHUP or SIGTERM with how to watch and cancel, and asks on Ctrl-C.

use super::out;
use std::io::IsTerminal;

/// A signal that reached this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Hangup,
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hangup => "SIGHUP",
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// The three signals as one stream. Once made, none of them ends the process by itself.
pub struct Signals {
    #[cfg(unix)]
    streams: Option<[tokio::signal::unix::Signal; 3]>,
}

impl Signals {
    pub fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = (|| {
                Some([
                    signal(SignalKind::hangup()).ok()?,
                    signal(SignalKind::interrupt()).ok()?,
                    signal(SignalKind::terminate()).ok()?,
                ])
            })();
            if streams.is_none() {
                tracing::warn!("signal handlers could not be installed");
            }
            Self { streams }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// The next signal (never, when none could be listened for).
    pub async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        if let Some([hup, int, term]) = self.streams.as_mut() {
            return tokio::select! {
                _ = hup.recv() => Signal::Hangup,
                _ = int.recv() => Signal::Interrupt,
                _ = term.recv() => Signal::Terminate,
            };
        }
        std::future::pending().await
    }
}

/// Keep this process's run going whatever signal comes: each is noted with how to stop the
/// operation instead. For a process that runs operations (`ops resume`, the fallback when no
/// runner could be started).
pub fn keep_running(ids: Vec<String>) {
    let mut signals = Signals::new();
    tokio::spawn(async move {
        loop {
            let s = signals.next().await;
            let short: Vec<&str> = ids.iter().map(|i| &i[..8.min(i.len())]).collect();
            tracing::warn!(
                "{} received; the run of {} goes on",
                s.name(),
                ids.join(", ")
            );
            out::note(format!(
                "{}: this process runs operation {} and goes on; stop it with `drconsole ops \
                 cancel {}`",
                s.name(),
                short.join(", "),
                short.first().copied().unwrap_or("ID")
            ));
        }
    });
}

/// Ctrl-C while watching: ask whether to stop watching (the operation goes on either way).
/// Without a terminal there is no one to ask: stop watching.
pub async fn stop_watching(id: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return true;
    }
    out::note(format!(
        "\nStop watching? Operation {id} goes on either way (stop it with `drconsole ops cancel \
         {id}`). [y/N] "
    ));
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    })
    .await;
    matches!(answer, Ok(Ok(l)) if matches!(l.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}
