//! The summary every report format shows, as (label, text) rows: status, direction, who, when,
//! the recovery point and data-loss window, the achieved RTO, the new primary and what was made.
//! One list, so Markdown and HTML never tell different stories.

use super::facts::Facts;
use crate::domain::human_seconds;

pub fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The summary's rows after the operation's own (each format names it its way).
pub fn summary_rows(f: &Facts) -> Vec<(&'static str, String)> {
    vec![
        ("Status", f.status.clone()),
        ("Direction", f.direction()),
        ("Run by", f.who()),
        ("Started", when(f.started_at)),
        ("Ended", when(f.completed_at)),
        (
            "Elapsed",
            f.elapsed_seconds
                .map(|s| human_seconds(s.round() as i64))
                .unwrap_or_else(|| "—".into()),
        ),
        ("Recovery point", recovery_point(f)),
        (
            "Data-loss window",
            format!(
                "{} (RPO target {}: {})",
                Facts::seconds(f.data_loss_seconds),
                human_seconds(f.rpo_target_seconds as i64),
                f.rpo_verdict.as_str()
            ),
        ),
        ("Achieved RTO", rto(f)),
        (
            "New primary",
            f.new_primary.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            "Made",
            format!(
                "{} instances created, {} volumes managed",
                f.instances_created, f.volumes_managed
            ),
        ),
    ]
}

fn recovery_point(f: &Facts) -> String {
    match &f.recovery_point {
        Some(rp) => format!("snapshot {} taken {}", rp.name, when(rp.created)),
        None => "— (this operation recovers from no snapshot)".into(),
    }
}

fn rto(f: &Facts) -> String {
    let target = f
        .rto_target_seconds
        .map(|t| {
            format!(
                "target {}: {}",
                human_seconds(t as i64),
                f.rto_verdict.as_str()
            )
        })
        .unwrap_or_else(|| "no rto_target_seconds set for the group".into());
    let mut s = format!(
        "{} from start to the last server ACTIVE ({target})",
        Facts::seconds(f.rto_seconds)
    );
    if f.operation_type == "test_failover" {
        match (f.to_cleanup_seconds, &f.cleanup_operation) {
            (Some(c), Some(id)) => s.push_str(&format!(
                "; {} to the end of its cleanup ({id})",
                human_seconds(c)
            )),
            _ => s.push_str("; not cleaned up yet"),
        }
    }
    s
}
