//! Recovery points: the replicated snapshots that have fully arrived at the target, the operator's
//! choice among them (`latest`, a name, or a time), and the one data-loss figure each means —
//! computed here only, so `points`, `check`, the console's dialog and the record agree.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A snapshot of the group that has fully arrived at the target (`array-a:web-app-pg.2291`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryPoint {
    pub name: String,
    pub created: DateTime<Utc>,
}

/// The writes a recovery from a point created at `created` loses, as of `at` (whole seconds).
pub fn data_loss_seconds(created: DateTime<Utc>, at: DateTime<Utc>) -> i64 {
    (at - created).num_seconds().max(0)
}

/// Which arrived snapshot to recover from (`--recovery-point NAME|latest|TIME`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PointChoice {
    /// The newest that has arrived when the recovery starts.
    #[default]
    Latest,
    /// By its name at the target, its name at the source, or its suffix (`2291`).
    Named(String),
    /// The newest created at or before this time.
    At(DateTime<Utc>),
}

/// A `--recovery-point` that names no arrived snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointError {
    #[error("no replicated snapshot has arrived at {target}: nothing to recover from")]
    NoneArrived { target: String },
    #[error(
        "no arrived snapshot is named {name:?}; arrived: {arrived} (list them with `drconsole \
         points GROUP`)"
    )]
    UnknownName { name: String, arrived: String },
    #[error(
        "no snapshot had arrived by {at} UTC; the oldest is {oldest} (list them with `drconsole \
         points GROUP`)"
    )]
    TooEarly { at: String, oldest: String },
}

impl PointChoice {
    /// The point this choice names among `points` (oldest first, as the array lists them).
    pub fn resolve<'a>(
        &self,
        points: &'a [RecoveryPoint],
        target: &str,
    ) -> Result<&'a RecoveryPoint, PointError> {
        let newest = points.last().ok_or_else(|| PointError::NoneArrived {
            target: target.to_string(),
        })?;
        match self {
            PointChoice::Latest => Ok(newest),
            PointChoice::Named(name) => {
                points.iter().rev().find(|p| names(p, name)).ok_or_else(|| {
                    PointError::UnknownName {
                        name: name.clone(),
                        arrived: points
                            .iter()
                            .rev()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                })
            }
            PointChoice::At(at) => {
                points
                    .iter()
                    .rev()
                    .find(|p| p.created <= *at)
                    .ok_or_else(|| PointError::TooEarly {
                        at: at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        oldest: describe(&points[0]),
                    })
            }
        }
    }
}

/// `array-a:web-app-pg.2291` answers to itself, `web-app-pg.2291` and `2291`.
fn names(p: &RecoveryPoint, asked: &str) -> bool {
    let local = p.name.split_once(':').map_or(p.name.as_str(), |(_, l)| l);
    let suffix = local.rsplit_once('.').map_or(local, |(_, s)| s);
    p.name == asked || local == asked || suffix == asked
}

/// `array-a:web-app-pg.2291 (10:42:03 UTC)`.
pub fn describe(p: &RecoveryPoint) -> String {
    format!("{} ({} UTC)", p.name, p.created.format("%H:%M:%S"))
}

impl fmt::Display for PointChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PointChoice::Latest => f.write_str("latest"),
            PointChoice::Named(n) => f.write_str(n),
            PointChoice::At(t) => write!(f, "{}", t.to_rfc3339()),
        }
    }
}

/// `latest`; an RFC 3339 time or `YYYY-MM-DD HH:MM:SS` (UTC); else a snapshot's name.
impl FromStr for PointChoice {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("latest") {
            return Ok(PointChoice::Latest);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(PointChoice::At(t.with_timezone(&Utc)));
        }
        for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
                return Ok(PointChoice::At(t.and_utc()));
            }
        }
        Ok(PointChoice::Named(s.to_string()))
    }
}

impl Serialize for PointChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PointChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or_default())
    }
}

/// One arrived snapshot as `points`, `check` and the dialog list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointView {
    pub name: String,
    pub created: DateTime<Utc>,
    /// What recovering from it loses, as of the list's `as_of`.
    pub data_loss_seconds: i64,
    pub latest: bool,
}

/// Every arrived snapshot of a group, newest first, at one moment, and the one a request chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryPoints {
    pub group: String,
    pub source: String,
    pub target: String,
    pub as_of: DateTime<Utc>,
    pub points: Vec<PointView>,
    /// The chosen point's name; `None` when the choice names none (the checklist says why).
    pub chosen: Option<String>,
}

impl RecoveryPoints {
    /// `points` oldest first (as the array lists them), seen at `as_of`.
    pub fn new(
        (group, source, target): (&str, &str, &str),
        points: &[RecoveryPoint],
        as_of: DateTime<Utc>,
        choice: &PointChoice,
    ) -> Self {
        let newest = points.last().map(|p| p.name.clone());
        let views = points
            .iter()
            .rev()
            .map(|p| PointView {
                name: p.name.clone(),
                created: p.created,
                data_loss_seconds: data_loss_seconds(p.created, as_of),
                latest: Some(&p.name) == newest.as_ref(),
            })
            .collect();
        RecoveryPoints {
            group: group.to_string(),
            source: source.to_string(),
            target: target.to_string(),
            as_of,
            points: views,
            chosen: choice.resolve(points, target).ok().map(|p| p.name.clone()),
        }
    }

    pub fn chosen_point(&self) -> Option<&PointView> {
        let name = self.chosen.as_ref()?;
        self.points.iter().find(|p| &p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, 42, s).unwrap()
    }

    fn points() -> Vec<RecoveryPoint> {
        (1..=3)
            .map(|i| RecoveryPoint {
                name: format!("array-a:web-app-pg.{i}"),
                created: at(i * 10),
            })
            .collect()
    }

    #[test]
    fn a_choice_resolves_by_name_suffix_time_or_latest() {
        let p = points();
        let pick = |s: &str| s.parse::<PointChoice>().unwrap().resolve(&p, "site-b");
        assert_eq!(pick("latest").unwrap().name, "array-a:web-app-pg.3");
        assert_eq!(pick("web-app-pg.2").unwrap().name, "array-a:web-app-pg.2");
        assert_eq!(pick("1").unwrap().name, "array-a:web-app-pg.1");
        assert_eq!(
            pick("2026-11-24 10:42:25").unwrap().name,
            "array-a:web-app-pg.2"
        );
        assert_eq!(
            pick("2026-11-24T10:42:30Z").unwrap().name,
            "array-a:web-app-pg.3"
        );
        let e = pick("9").unwrap_err().to_string();
        assert!(
            e.contains("\"9\"") && e.contains("array-a:web-app-pg.3"),
            "{e}"
        );
        let e = pick("2026-11-24 10:42:00").unwrap_err().to_string();
        assert!(e.contains("oldest is array-a:web-app-pg.1"), "{e}");
        let none = PointChoice::Latest.resolve(&[], "site-b").unwrap_err();
        assert!(none.to_string().contains("nothing to recover from"));
    }

    #[test]
    fn the_list_is_newest_first_with_one_loss_figure_each() {
        let list = RecoveryPoints::new(
            ("web-app", "site-a", "site-b"),
            &points(),
            at(45),
            &PointChoice::Named("2".into()),
        );
        let losses: Vec<i64> = list.points.iter().map(|p| p.data_loss_seconds).collect();
        assert_eq!(losses, [15, 25, 35]);
        assert!(list.points[0].latest && !list.points[1].latest);
        assert_eq!(list.chosen_point().unwrap().data_loss_seconds, 25);
        let json = serde_json::to_value(PointChoice::At(at(5))).unwrap();
        assert_eq!(json, "2026-11-24T10:42:05+00:00");
        let back: PointChoice = serde_json::from_value(json).unwrap();
        assert_eq!(back, PointChoice::At(at(5)));
    }
}
