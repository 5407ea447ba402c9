//! Confirmation on a terminal before a command changes a site: destructive operations make the
//! operator type the group's name; others ask y/N. Without a terminal, only `--yes` proceeds.

use crate::domain::OperationType;
use std::io::{BufRead, IsTerminal, Write};

/// How strongly an operation must be confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    None,
    YesNo,
    TypeName,
}

pub fn level(op: OperationType) -> Confirm {
    match op {
        OperationType::SyncNow => Confirm::None,
        OperationType::TestFailover => Confirm::YesNo,
        OperationType::PlannedFailover
        | OperationType::Failover
        | OperationType::Failback
        | OperationType::Reprotect
        | OperationType::TestCleanup => Confirm::TypeName,
    }
}

/// Decide from what the operator typed (pure, so it is tested without a terminal).
pub fn accepted(level: Confirm, group: &str, answer: &str) -> bool {
    let answer = answer.trim();
    match level {
        Confirm::None => true,
        Confirm::YesNo => matches!(answer, "y" | "Y" | "yes" | "YES" | "Yes"),
        Confirm::TypeName => answer == group,
    }
}

/// Ask on the terminal; `Err` says why nothing will happen.
pub fn ask(op: OperationType, group: &str, what: &str, yes: bool) -> Result<(), String> {
    let level = level(op);
    if yes || level == Confirm::None {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "refusing to {what} without confirmation: stdin is not a terminal; add --yes to confirm"
        ));
    }
    let prompt = match level {
        Confirm::TypeName => format!("{what}\nType the group's name ({group}) to confirm: "),
        _ => format!("{what}\nProceed? [y/N] "),
    };
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    if accepted(level, group, &answer) {
        Ok(())
    } else {
        Err("not confirmed; nothing was changed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_name_must_match_exactly() {
        assert!(accepted(Confirm::TypeName, "web-app", "web-app\n"));
        assert!(!accepted(Confirm::TypeName, "web-app", "web"));
        assert!(!accepted(Confirm::TypeName, "web-app", "y"));
        assert!(accepted(Confirm::YesNo, "web-app", "y"));
        assert!(!accepted(Confirm::YesNo, "web-app", ""));
        assert_eq!(level(OperationType::Failover), Confirm::TypeName);
        assert_eq!(level(OperationType::SyncNow), Confirm::None);
    }
}
