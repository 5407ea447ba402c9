//! What rollback tells the operator, and what happens when the journal refuses a write.

use super::*;
use crate::store::StoreError;
use std::io::Write;
use tracing_subscriber::fmt::MakeWriter;

/// A journal that keeps what it is given, except the entries `refuse` picks: those fail.
struct Faulty {
    kept: Mutex<Vec<JournalEntry>>,
    refuse: fn(&JournalEntry) -> bool,
}

impl ExecJournal for Faulty {
    fn record<'a>(
        &'a self,
        _: &'a str,
        entry: JournalEntry,
    ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>> {
        let refused = (self.refuse)(&entry);
        if !refused {
            self.kept.lock().unwrap().push(entry);
        }
        Box::pin(async move {
            if refused {
                Err(StoreError::Task("the journal's disk is full".into()))
            } else {
                Ok(())
            }
        })
    }
}

/// Log lines written while it is the default subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// vol3 fails for good, so everything before it is rolled back.
fn failing_vol3() -> Fake {
    Fake::default().with(
        "vol3",
        Script {
            delay_ms: 30,
            fail_times: 9,
            fatal: true,
            ..Default::default()
        },
    )
}

#[tokio::test(start_paused = true)]
async fn rollback_tells_undone_from_nothing_to_undo() {
    let nothing = Script {
        undo: Some(Undo::NothingToUndo),
        ..Default::default()
    };
    let fake = failing_vol3()
        .with("prepare", nothing.clone())
        .with("vol2", nothing);
    let h = Harness::new(fake);
    let mut events = h.events.subscribe();
    let out = h.executor(plan(), 8, HashMap::new()).run().await.unwrap();
    let undone: HashMap<&str, Undo> = out
        .steps_compensated
        .iter()
        .map(|(id, u)| (id.as_str(), *u))
        .collect();
    assert_eq!(undone["vol1"], Undo::Undone);
    assert_eq!(undone["vol2"], Undo::NothingToUndo);
    assert_eq!(undone["prepare"], Undo::NothingToUndo);
    let journaled: Vec<(String, Undo)> = h
        .journal
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            JournalEntry::StepCompensated { step, undo } => Some((step.clone(), *undo)),
            _ => None,
        })
        .collect();
    assert!(journaled.contains(&("vol2".into(), Undo::NothingToUndo)));
    assert!(journaled.contains(&("vol1".into(), Undo::Undone)));
    let mut published = Vec::new();
    while let Ok(ev) = events.try_recv() {
        if let EventKind::StepCompensated { step, undo } = ev.kind {
            published.push((step, undo));
        }
    }
    assert_eq!(published, journaled, "consoles see what the journal keeps");
}

#[tokio::test(start_paused = true)]
async fn an_undo_or_a_status_the_journal_refuses_is_logged_and_told() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _log = tracing::subscriber::set_default(subscriber);
    let journal = Arc::new(Faulty {
        kept: Mutex::default(),
        refuse: |e| {
            matches!(
                e,
                JournalEntry::StepCompensated { step, .. } if step == "vol1"
            ) || matches!(e, JournalEntry::Status(OperationStatus::RollingBack))
                || matches!(e, JournalEntry::Progress(_))
        },
    });
    let h = Harness::new(failing_vol3());
    let mut ex = h.executor(plan(), 8, HashMap::new());
    ex.journal = journal.clone();
    let out = ex.run().await.unwrap();
    assert_eq!(out.status, OperationStatus::Failed, "the outcome stands");
    let told = out.error_message.unwrap_or_default();
    assert!(told.starts_with("step vol3 failed: boom; "), "{told}");
    assert!(
        told.contains("the journal did not record the rollback of vol1 (undone)"),
        "{told}"
    );
    assert!(
        told.contains("the journal did not record the status rolling_back"),
        "{told}"
    );
    assert!(
        !told.contains("progress"),
        "a missed progress is corrected by the next one: logged, not told"
    );
    let log = captured.text();
    for missed in [
        "the rollback of vol1",
        "the status rolling_back",
        "progress",
    ] {
        assert!(
            log.contains(&format!("the journal did not record {missed}")),
            "{missed} is logged: {log}"
        );
    }
    let kept = journal.kept.lock().unwrap();
    assert!(
        kept.iter()
            .any(|e| matches!(e, JournalEntry::StepCompensated { step, .. } if step == "vol2")),
        "one refused write does not stop the others"
    );
}
