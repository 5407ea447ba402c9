//! Failover benchmark (run with `cargo bench --bench failover`): a planned failover of one group
//! of 10, 200 and 1,000 instances against the lab at its default latencies (20 ms a call, time
//! ×10), printing the wall time, the DAG's critical path from the journaled step durations, and
//! their ratio, then the same for a site failover of the 20-group scale topology (BENCH_SITE=0
//! skips it). A ratio near 1 means the executor runs the plan as fast as its dependencies allow.
//! The lab runs in its own process (`drconsole lab serve`): the CPU per step is the
//! orchestrator's alone, and the lab's CPU share says whether the lab kept up.

#[path = "support/lab_process.rs"]
mod lab_process;

use drconsole::config;
use drconsole::domain::{OperationStatus, OperationType};
use drconsole::orchestrator::Plan;
use drconsole::orchestrator::engine::{Engine, EngineOptions, OperationRequest, SiteRequest};
use drconsole::store::Store;
use lab_process::{LabProcess, own_cpu};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn topology(n: usize) -> String {
    let mut t = String::from(
        "snapshot_interval_seconds = 60\nkeep_snapshots = 4\n\n\
         [[sites]]\nname = \"site-a\"\nrole = \"production\"\narray = \"array-a\"\n\n\
         [[sites]]\nname = \"site-b\"\nrole = \"dr\"\narray = \"array-b\"\n\n\
         [[networks]]\nname = \"net-app\"\ncidr = \"10.0.0.0/16\"\ntest_cidr = \"10.100.0.0/16\"\n\n\
         [[groups]]\nname = \"app\"\nnetwork = \"net-app\"\nflavor = \"m1.small\"\n",
    );
    let names: Vec<String> = (1..=n).map(|i| format!("\"app-{i}\"")).collect();
    let _ = writeln!(t, "servers = [{}]", names.join(", "));
    let _ = writeln!(t, "boot_volume_gb = 20\nrpo_target_seconds = 300");
    t
}

/// What one failover measured.
struct Measured {
    wall: Duration,
    critical: Duration,
    steps: usize,
    /// Every step's duration added up, over the steps allowed at once: the wall time the
    /// concurrency limit alone would impose.
    work_over_limit: Duration,
    /// CPU time of this process (engine, journal, HTTP clients) over the run.
    cpu: Duration,
    /// CPU time of the lab's process over the run.
    lab_cpu: Duration,
}

/// The lab (its own process), a journal and an engine over them, in a temporary directory.
struct Setup {
    _dir: tempfile::TempDir,
    lab: LabProcess,
    store: Store,
    engine: Arc<Engine>,
}

fn setup(
    topology_file: impl FnOnce(&std::path::Path) -> Result<std::path::PathBuf, String>,
) -> Result<Setup, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let topo = topology_file(dir.path())?;
    let lab = LabProcess::start(dir.path(), &topo, 20)?;
    let cfg = config::load(&lab.config).map_err(|e| e.to_string())?.config;
    let store =
        Store::open_sqlite(&dir.path().join("journal.sqlite")).map_err(|e| e.to_string())?;
    let engine = Engine::new(
        Arc::new(cfg),
        store.clone(),
        EngineOptions {
            cache_dir: Some(dir.path().join("data")),
            max_concurrency: concurrency(),
            ..EngineOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(Setup {
        _dir: dir,
        lab,
        store,
        engine,
    })
}

/// One operation's plan size, critical path and summed step durations, from the journal.
async fn journaled(store: &Store, id: &str) -> Result<(usize, Duration, Duration), String> {
    let op = store
        .get_operation(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no record")?;
    if op.record.status != OperationStatus::Completed {
        return Err(format!("failover failed: {:?}", op.record.error_message));
    }
    let plan: Plan = serde_json::from_value(op.plan).map_err(|e| e.to_string())?;
    let steps = store.steps(id).await.map_err(|e| e.to_string())?;
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        timeline(&steps);
    }
    let durations: HashMap<String, Duration> = steps
        .into_iter()
        .filter_map(|s| s.duration_ms.map(|d| (s.step_id, Duration::from_millis(d))))
        .collect();
    let work: Duration = durations.values().sum();
    Ok((plan.steps.len(), plan.critical_path(&durations), work))
}

/// A planned failover of one group of `n` instances.
async fn one(n: usize) -> Result<Measured, String> {
    let s = setup(|dir| {
        let topo = dir.join("topology.toml");
        std::fs::write(&topo, topology(n)).map_err(|e| e.to_string())?;
        Ok(topo)
    })?;
    let started = Instant::now();
    let (cpu_before, lab_before) = (own_cpu(), s.lab.cpu());
    let rec = s
        .engine
        .start(OperationRequest::new(OperationType::PlannedFailover, "app"))
        .await
        .map_err(|e| e.to_string())?;
    s.engine.wait_local(&rec.id).await;
    let wall = started.elapsed();
    let cpu = own_cpu().saturating_sub(cpu_before);
    let lab_cpu = s.lab.cpu().saturating_sub(lab_before);
    let (steps, critical, work) = journaled(&s.store, &rec.id).await?;
    Ok(Measured {
        wall,
        critical,
        steps,
        work_over_limit: work / concurrency().max(1) as u32,
        cpu,
        lab_cpu,
    })
}

/// A planned site failover of the scale topology (20 groups, 1,000 instances): its critical
/// path is, priority after priority, the longest of that priority's groups' critical paths.
async fn site() -> Result<Measured, String> {
    let s = setup(|_| {
        Ok(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lab/scale.toml"))
    })?;
    let started = Instant::now();
    let (cpu_before, lab_before) = (own_cpu(), s.lab.cpu());
    let req = SiteRequest {
        from: "site-a".into(),
        unplanned: false,
        force: false,
    };
    let record = s
        .engine
        .site_failover(req)
        .await
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed();
    let cpu = own_cpu().saturating_sub(cpu_before);
    let lab_cpu = s.lab.cpu().saturating_sub(lab_before);
    if record.status != OperationStatus::Completed {
        return Err(format!("site failover failed: {:?}", record.groups));
    }
    let mut levels: std::collections::BTreeMap<u32, Duration> = Default::default();
    let (mut steps, mut work) = (0, Duration::ZERO);
    for g in &record.groups {
        let (n, critical, w) = journaled(&s.store, &g.operation_id).await?;
        let level = levels.entry(g.priority).or_default();
        *level = (*level).max(critical);
        steps += n;
        work += w;
    }
    Ok(Measured {
        wall,
        critical: levels.values().sum(),
        steps,
        work_over_limit: work / (concurrency().max(1) * record.groups.len()) as u32,
        cpu,
        lab_cpu,
    })
}

/// Per kind of step: how many, when the first started and the last ended (from the first
/// start), and the longest one: where a large failover spends its time.
fn timeline(steps: &[drconsole::store::StepRecord]) {
    let Some(t0) = steps.iter().map(|s| s.started_at).min() else {
        return;
    };
    let mut kinds: Vec<(String, usize, f64, f64, f64)> = Vec::new();
    for s in steps {
        let kind = s.step_id.split(':').next().unwrap_or("").to_string();
        let start = (s.started_at - t0).as_seconds_f64();
        let end = s
            .finished_at
            .map(|f| (f - t0).as_seconds_f64())
            .unwrap_or(start);
        let took = s.duration_ms.unwrap_or(0) as f64 / 1000.0;
        match kinds.iter_mut().find(|k| k.0 == kind) {
            Some(k) => {
                k.1 += 1;
                k.2 = k.2.min(start);
                k.3 = k.3.max(end);
                k.4 = k.4.max(took);
            }
            None => kinds.push((kind, 1, start, end, took)),
        }
    }
    for (kind, n, first, last, longest) in kinds {
        println!("    {kind:<30} ×{n:<5} {first:>7.2}s → {last:>7.2}s  longest {longest:.2}s");
    }
}

/// Group sizes: 10, 200 and 1,000, or `BENCH_SIZES` (comma-separated).
fn sizes() -> Vec<usize> {
    std::env::var("BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 200, 1000])
}

/// Steps at once: the engine's default, or `BENCH_CONCURRENCY`.
fn concurrency() -> usize {
    std::env::var("BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(EngineOptions::default().max_concurrency)
}

fn print_row(what: &str, m: Result<Measured, String>) {
    match m {
        Ok(m) => println!(
            "{what:>10} {:>7} {:>9.2}s {:>14.2}s {:>7.3} {:>11.2}s {:>10.3} ms {:>7.0}%",
            m.steps,
            m.wall.as_secs_f64(),
            m.critical.as_secs_f64(),
            m.wall.as_secs_f64() / m.critical.as_secs_f64().max(1e-9),
            m.work_over_limit.as_secs_f64(),
            m.cpu.as_secs_f64() * 1e3 / m.steps.max(1) as f64,
            m.lab_cpu.as_secs_f64() * 100.0 / m.wall.as_secs_f64().max(1e-9)
        ),
        Err(e) => println!("{what:>10} failed: {e}"),
    }
}

fn main() {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "planned failover, lab at ×10 time and 20 ms a call, {} steps at once",
        concurrency()
    );
    println!(
        "{:>10} {:>7} {:>10} {:>15} {:>7} {:>12} {:>13} {:>8}",
        "instances", "steps", "wall", "critical path", "ratio", "work/limit", "CPU/step", "lab CPU"
    );
    for n in sizes() {
        print_row(&n.to_string(), rt.block_on(one(n)));
    }
    if std::env::var("BENCH_SITE").map_or(true, |v| v != "0") {
        println!("planned site failover of assets/lab/scale.toml (20 groups, 1,000 instances):");
        print_row("20 groups", rt.block_on(site()));
    }
    println!(
        "work/limit: the steps' durations added up over the steps allowed at once (a wall time \
         the limit alone imposes);\nCPU/step: the orchestrator's CPU (this process: engine, \
         journal, HTTP clients) over the steps;\nlab CPU: the lab process's CPU over the wall \
         time (100% = one core; its world is under one lock, so one core is its capacity)"
    );
}
