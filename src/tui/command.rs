//! The `:` command line: parsing and Tab completion, pure so they are unit-tested.

use crate::domain::OperationType;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Operation(OperationType, String),
    Ops,
    Theme(String),
    Quit,
}

const OPERATIONS: [(&str, OperationType); 7] = [
    ("failover", OperationType::Failover),
    ("drill", OperationType::TestFailover),
    ("cleanup", OperationType::TestCleanup),
    ("failback", OperationType::Failback),
    ("reprotect", OperationType::Reprotect),
    ("sync", OperationType::SyncNow),
    ("fence", OperationType::Fence),
];

pub const COMMANDS: [&str; 10] = [
    "failover",
    "drill",
    "cleanup",
    "failback",
    "reprotect",
    "sync",
    "fence",
    "ops",
    "theme",
    "q",
];

/// The command a given operation is started with again, for "what to do next".
pub fn command_for(op: OperationType) -> &'static str {
    match op {
        OperationType::PlannedFailover | OperationType::Failover => "failover",
        OperationType::TestFailover => "drill",
        OperationType::TestCleanup => "cleanup",
        OperationType::Failback => "failback",
        OperationType::Reprotect => "reprotect",
        OperationType::SyncNow => "sync",
        OperationType::Fence => "fence",
    }
}

/// What is wrong with a command line; the Display is what the status bar says.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    #[error("empty command; try :failover GROUP, :ops, :theme NAME or :q")]
    Empty,
    #[error(":{command} takes one argument; {extra:?} is one too many")]
    TooManyArguments { command: String, extra: String },
    #[error(":{0} needs a group: :{0} GROUP")]
    NeedsGroup(String),
    #[error("no protection group {group:?}; groups are {}", .known.join(", "))]
    UnknownGroup { group: String, known: Vec<String> },
    #[error(":theme needs a name: :theme NAME")]
    NeedsThemeName,
    #[error("unknown command :{line}; commands are {}", COMMANDS.map(|c| format!(":{c}")).join(" "))]
    Unknown { line: String },
}

pub fn parse(line: &str, groups: &[String]) -> Result<Command, CommandError> {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return Err(CommandError::Empty);
    };
    let arg = words.next();
    if let Some(extra) = words.next() {
        return Err(CommandError::TooManyArguments {
            command: cmd.to_string(),
            extra: extra.to_string(),
        });
    }
    if let Some((_, op)) = OPERATIONS.iter().find(|(n, _)| *n == cmd) {
        let group = arg.ok_or_else(|| CommandError::NeedsGroup(cmd.to_string()))?;
        if !groups.iter().any(|g| g == group) {
            return Err(CommandError::UnknownGroup {
                group: group.to_string(),
                known: groups.to_vec(),
            });
        }
        return Ok(Command::Operation(*op, group.to_string()));
    }
    match (cmd, arg) {
        ("ops", None) => Ok(Command::Ops),
        ("q" | "quit", None) => Ok(Command::Quit),
        ("theme", Some(name)) => Ok(Command::Theme(name.to_string())),
        ("theme", None) => Err(CommandError::NeedsThemeName),
        _ => Err(CommandError::Unknown {
            line: line.to_string(),
        }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub line: String,
    pub candidates: Vec<String>,
}

/// Complete the command word, then its argument (a group, or a theme for `:theme`).
pub fn complete(line: &str, groups: &[String], themes: &[String]) -> Completion {
    let (head, word, pool): (String, &str, Vec<String>) = match line.rsplit_once(' ') {
        None => (
            String::new(),
            line,
            COMMANDS.iter().map(|c| c.to_string()).collect(),
        ),
        Some((cmd, arg)) => {
            let pool = match cmd.trim() {
                "theme" => themes.to_vec(),
                c if OPERATIONS.iter().any(|(n, _)| *n == c) => groups.to_vec(),
                _ => Vec::new(),
            };
            (format!("{cmd} "), arg, pool)
        }
    };
    let candidates: Vec<String> = pool.into_iter().filter(|c| c.starts_with(word)).collect();
    let line = match candidates.as_slice() {
        [] => line.to_string(),
        [one] if head.is_empty() && !matches!(one.as_str(), "ops" | "q") => format!("{one} "),
        [one] => format!("{head}{one}"),
        many => format!("{head}{}", common_prefix(many)),
    };
    Completion { line, candidates }
}

fn common_prefix(items: &[String]) -> String {
    let first = &items[0];
    let mut end = first.len();
    for other in &items[1..] {
        end = first
            .char_indices()
            .zip(other.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(end);
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<String> {
        vec![
            "web-app".into(),
            "db-cluster".into(),
            "batch".into(),
            "web-cache".into(),
        ]
    }

    #[test]
    fn completes_commands_then_groups() {
        let c = complete("fa", &groups(), &[]);
        assert_eq!(c.line, "fail");
        assert_eq!(c.candidates, vec!["failover", "failback"]);
        assert_eq!(complete("dr", &groups(), &[]).line, "drill ");
        assert_eq!(
            complete("failover d", &groups(), &[]).line,
            "failover db-cluster"
        );
        let c = complete("drill we", &groups(), &[]);
        assert_eq!(c.line, "drill web-");
        assert_eq!(c.candidates.len(), 2);
        let themes = vec!["light".to_string(), "default".to_string()];
        assert_eq!(complete("theme l", &groups(), &themes).line, "theme light");
        assert_eq!(complete("zz", &groups(), &[]).line, "zz");
        assert_eq!(complete("op", &groups(), &[]).line, "ops");
    }

    #[test]
    fn parses_commands_and_names_the_mistake() {
        assert_eq!(
            parse("failover web-app", &groups()),
            Ok(Command::Operation(
                OperationType::Failover,
                "web-app".into()
            ))
        );
        assert_eq!(parse("q", &groups()), Ok(Command::Quit));
        assert_eq!(
            parse("theme light", &groups()),
            Ok(Command::Theme("light".into()))
        );
        assert_eq!(
            parse("failover", &groups()).unwrap_err().to_string(),
            ":failover needs a group: :failover GROUP"
        );
        assert_eq!(
            parse("failover nope", &groups()).unwrap_err().to_string(),
            "no protection group \"nope\"; groups are web-app, db-cluster, batch, web-cache"
        );
        assert_eq!(
            parse("explode", &groups()).unwrap_err().to_string(),
            "unknown command :explode; commands are :failover :drill :cleanup :failback \
             :reprotect :sync :fence :ops :theme :q"
        );
        assert!(matches!(
            parse("drill web-app now", &groups()),
            Err(CommandError::TooManyArguments { .. })
        ));
    }
}
