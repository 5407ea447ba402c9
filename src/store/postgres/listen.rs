//! Changes of a PostgreSQL journal: a connection of its own LISTENs on the channel the tables'
//! triggers notify, and each notice moves the change counter. If that connection drops it is
//! made again (after a pause), and the counter moves then too, since notices may have been missed.

use super::PgBackend;
use super::schema::CHANNEL;
use crate::store::changes::{ChangeHub, JournalChanges};
use crate::store::error::StoreError;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::AsyncMessage;

/// How often the listener checks that someone still subscribes.
const CHECK: Duration = Duration::from_millis(500);
const RECONNECT_PAUSE: Duration = Duration::from_secs(2);
const READY_WAIT: Duration = Duration::from_secs(15);

pub fn subscribe(db: &PgBackend) -> Result<JournalChanges, StoreError> {
    let target = db.target.clone();
    let rt = db.rt.clone();
    let shown = db.shown.clone();
    db.changes.subscribe(move |hub| {
        let (ready_tx, ready) = std::sync::mpsc::sync_channel::<()>(1);
        rt.spawn(async move {
            loop {
                match listen(&target, &hub, &ready_tx).await {
                    Ended::Stopped => return,
                    Ended::Lost(e) => {
                        tracing::warn!(journal = %shown, "listening for journal changes: {e}")
                    }
                }
                if hub.feeder_should_stop() {
                    return;
                }
                hub.bump();
                tokio::time::sleep(RECONNECT_PAUSE).await;
            }
        });
        // Changes count from the subscription on: wait until the server listens for us. If it
        // cannot yet, the feeder keeps trying and the first change it sees is the reconnection.
        if ready.recv_timeout(READY_WAIT).is_err() {
            tracing::warn!("the journal's change listener is not connected yet");
        }
        Ok(())
    })
}

enum Ended {
    /// Nobody subscribes any more: the feeder has stopped.
    Stopped,
    /// The connection failed or ended; why.
    Lost(String),
}

/// Listen until nobody subscribes any more, or the connection fails or ends.
async fn listen(
    target: &Arc<(tokio_postgres::Config, super::tls::MakeRustls)>,
    hub: &Arc<ChangeHub>,
    ready: &std::sync::mpsc::SyncSender<()>,
) -> Ended {
    let (config, tls) = &**target;
    let (client, mut connection) = match config.connect(tls.clone()).await {
        Ok(c) => c,
        Err(e) => return Ended::Lost(e.to_string()),
    };
    let (notices, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(_)) => {
                    if notices.send(()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("journal listener connection: {e}");
                    return;
                }
            }
        }
    });
    if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
        driver.abort();
        return Ended::Lost(e.to_string());
    }
    let _ = ready.try_send(());
    loop {
        tokio::select! {
            n = heard.recv() => match n {
                Some(()) => hub.bump(),
                None => break,
            },
            _ = tokio::time::sleep(CHECK) => {
                if hub.feeder_should_stop() {
                    driver.abort();
                    return Ended::Stopped;
                }
            }
        }
    }
    driver.abort();
    Ended::Lost("the listening connection ended".into())
}
