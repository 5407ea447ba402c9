//! Failover benchmark (run with `cargo bench --bench failover`): a planned failover of one group
//! of 10, 200 and 1,000 instances against the lab at its default latencies (20 ms a call, time
//! ×10), printing the wall time, the DAG's critical path from the journaled step durations, and
//! their ratio. A ratio near 1 means the executor runs the plan as fast as its dependencies allow.

use drconsole::config;
use drconsole::domain::{OperationStatus, OperationType};
use drconsole::lab::{LabHandle, LabOptions};
use drconsole::orchestrator::Plan;
use drconsole::orchestrator::engine::{Engine, EngineOptions, OperationRequest};
use drconsole::store::Store;
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
    /// CPU time of this whole process (engine, journal and the in-process lab) over the run.
    cpu: Duration,
}

/// This process's CPU time so far (user + system), from /proc (ticks of 10 ms).
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let rest = stat[stat.rfind(')')? + 2..].to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

async fn one(n: usize) -> Result<Measured, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let topo = dir.path().join("topology.toml");
    std::fs::write(&topo, topology(n)).map_err(|e| e.to_string())?;
    let mut opts = LabOptions::new(dir.path().join("lab"));
    opts.topology = Some(topo);
    let lab = LabHandle::start(opts).await.map_err(|e| e.to_string())?;
    let files = lab.write_client_files().map_err(|e| e.to_string())?;
    let cfg = config::load(&files.config)
        .map_err(|e| e.to_string())?
        .config;
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
    let started = Instant::now();
    let cpu_before = cpu_time();
    let rec = engine
        .start(OperationRequest::new(OperationType::PlannedFailover, "app"))
        .await
        .map_err(|e| e.to_string())?;
    engine.wait_local(&rec.id).await;
    let wall = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    let op = store
        .get_operation(&rec.id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no record")?;
    if op.record.status != OperationStatus::Completed {
        return Err(format!("failover failed: {:?}", op.record.error_message));
    }
    let plan: Plan = serde_json::from_value(op.plan).map_err(|e| e.to_string())?;
    let steps = store.steps(&rec.id).await.map_err(|e| e.to_string())?;
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        timeline(&steps);
    }
    let durations: HashMap<String, Duration> = steps
        .into_iter()
        .filter_map(|s| s.duration_ms.map(|d| (s.step_id, Duration::from_millis(d))))
        .collect();
    let critical = plan.critical_path(&durations);
    let work: Duration = durations.values().sum();
    let _ = lab.shutdown().await;
    Ok(Measured {
        wall,
        critical,
        steps: plan.steps.len(),
        work_over_limit: work / concurrency().max(1) as u32,
        cpu,
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
        "{:>10} {:>7} {:>10} {:>15} {:>7} {:>12} {:>13}",
        "instances", "steps", "wall", "critical path", "ratio", "work/limit", "CPU/step"
    );
    for n in sizes() {
        match rt.block_on(one(n)) {
            Ok(m) => println!(
                "{n:>10} {:>7} {:>9.2}s {:>14.2}s {:>7.3} {:>11.2}s {:>10.3} ms",
                m.steps,
                m.wall.as_secs_f64(),
                m.critical.as_secs_f64(),
                m.wall.as_secs_f64() / m.critical.as_secs_f64().max(1e-9),
                m.work_over_limit.as_secs_f64(),
                m.cpu.as_secs_f64() * 1e3 / m.steps.max(1) as f64
            ),
            Err(e) => println!("{n:>10} failed: {e}"),
        }
    }
    println!(
        "work/limit: the steps' durations added up over the steps allowed at once (a wall time \
         the limit alone imposes);\nCPU/step: this process's CPU (engine, journal and the \
         in-process lab together: an upper bound of the orchestration's) over the steps"
    );
}
