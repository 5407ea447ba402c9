//! The command line's parsing: mappings, failover flags, and the options that take a value.

use super::*;
use clap::Parser;

#[test]
fn mappings_parse_and_reject_half_pairs() {
    assert_eq!(
        parse_mapping("net-a = net-b"),
        Ok(("net-a".into(), "net-b".into()))
    );
    assert!(
        parse_mapping("net-a")
            .unwrap_err()
            .to_string()
            .contains("SRC=DST")
    );
    assert!(parse_mapping("=x").is_err());
}

#[test]
fn failover_flags() {
    let cli = Cli::try_parse_from([
        "drconsole",
        "failover",
        "web-app",
        "--unplanned",
        "--force",
        "--yes",
        "--network-mapping",
        "a=b",
    ])
    .unwrap();
    let Some(Command::Failover(f)) = cli.command else {
        panic!()
    };
    assert!(f.unplanned && f.force && f.common.yes);
    assert_eq!(
        f.mappings.network_mapping,
        [("a".to_string(), "b".to_string())]
    );
    assert!(
        Cli::try_parse_from(["drconsole", "failover", "web-app", "--force"]).is_err(),
        "--force needs --unplanned"
    );
    assert!(
        Cli::try_parse_from([
            "drconsole",
            "failover",
            "g",
            "--unplanned",
            "--no-stop-servers"
        ])
        .is_err()
    );
}

#[test]
fn retain_primary_and_reverse_replication_take_an_explicit_value() {
    let parse = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.command);
    let Ok(Some(Command::TestFailover(t))) =
        parse(&["drconsole", "test-failover", "g", "--retain-primary=false"])
    else {
        panic!()
    };
    assert!(!t.retain_primary);
    let Ok(Some(Command::TestFailover(t))) =
        parse(&["drconsole", "test-failover", "g", "--retain-primary"])
    else {
        panic!()
    };
    assert!(t.retain_primary);
    let Ok(Some(Command::Failback(f))) = parse(&["drconsole", "failback", "g"]) else {
        panic!()
    };
    assert!(f.reverse_replication, "the default reverses, as before");
    assert!(parse(&["drconsole", "failback", "g", "--reverse-replication=maybe"]).is_err());
    let Ok(Some(Command::Check(c))) =
        parse(&["drconsole", "check", "failover", "batch", "--force"])
    else {
        panic!()
    };
    assert!(c.force);
}
