//! Hostile or mistaken configuration: a secret written as a number is refused without being
//! repeated, every retry and timeout setting is range-checked with the key, the value and the
//! allowed range, and names holding control characters never get as far as a terminal.

use super::*;

#[test]
fn a_secret_of_the_wrong_type_is_refused_without_echoing_it() {
    let inline = GOOD.replace(r#"api_token_file = "a.token""#, "api_token = 9876543210");
    let store = GOOD.replace(r#"url = "sqlite://journal.sqlite""#, "url = 9876543210");
    let float = GOOD.replace(r#"api_token_file = "a.token""#, "api_token = 98765.43210");
    let bare = GOOD.replace(r#"api_token_file = "a.token""#, "api_token = s3cret98765");
    for toml in [inline, store, float] {
        let e = expect_error(&toml);
        assert!(!e.contains("98765"), "the secret is echoed: {e}");
        assert!(
            e.contains("must be a quoted string") && e.contains("hint: write it in quotes"),
            "{e}"
        );
        assert!(e.contains("drconsole.toml:"), "says where: {e}");
    }
    let e = expect_error(&bare);
    assert!(!e.contains("98765"), "the secret is echoed: {e}");
}

#[test]
fn a_password_in_clouds_yaml_of_the_wrong_type_is_not_echoed() {
    let f = Fixture::new(GOOD);
    let clouds = CLOUDS.replace("password: pw", "password: [s3cret98765]");
    std::fs::write(f.dir.path().join("clouds.yaml"), clouds).unwrap();
    let e = f.load().err().expect("refused").to_string();
    assert!(!e.contains("98765"), "the secret is echoed: {e}");
    assert!(e.contains("clouds.yaml"), "{e}");
}

#[test]
fn retry_and_timeout_settings_are_bounded_with_key_value_and_range() {
    let http = |lines: &str| GOOD.replace("[store]\n", &format!("[http]\n{lines}\n[store]\n"));
    let cases = [
        (
            "max_attempts = 1000000",
            "[http] max_attempts = 1000000 is out of range (1 to 10 attempts)",
        ),
        (
            "max_attempts = 0",
            "[http] max_attempts = 0 is out of range (1 to 10 attempts)",
        ),
        (
            "backoff_ms = -5",
            "[http] backoff_ms = -5 is out of range (0 to 10000 milliseconds)",
        ),
        (
            "backoff_ms = 86400000",
            "[http] backoff_ms = 86400000 is out of range (0 to 10000 milliseconds)",
        ),
        (
            "timeout_ms = 0",
            "[http] timeout_ms = 0 is out of range (100 to 300000 milliseconds)",
        ),
        (
            "command_timeout_ms = 999",
            "[http] command_timeout_ms = 999 is out of range (1000 to 600000 milliseconds)",
        ),
        (
            "max_body_mib = 0",
            "[http] max_body_mib = 0 is out of range (1 to 1024 MiB)",
        ),
    ];
    for (line, said) in cases {
        let e = expect_error(&http(line));
        assert!(e.contains(said), "{line}: {e}");
        assert!(e.contains("drconsole.toml:3:"), "points at the line: {e}");
        assert!(e.contains("hint: the default"), "{e}");
    }
    let e = expect_error(&GOOD.replace("rpo_target_seconds = 300", "rpo_target_seconds = 0"));
    assert!(
        e.contains("rpo_target_seconds = 0 is out of range (1 to 31536000 seconds)"),
        "{e}"
    );
    let with = |p: &str| {
        GOOD.replace(
            "rpo_target_seconds = 300",
            &format!("rpo_target_seconds = 300\n{p}"),
        )
    };
    let e = expect_error(&with("priority = 0"));
    assert!(e.contains("priority = 0 is out of range (1 to 1000"), "{e}");
    let prioritised = Fixture::new(&with("priority = 7"))
        .load()
        .expect("in range");
    assert_eq!(prioritised.config.groups[0].priority, 7);
    let unset = Fixture::new(GOOD).load().expect("loads");
    assert_eq!(unset.config.groups[0].priority, 100, "the default");

    let ok = Fixture::new(&http(
        "max_attempts = 10\nbackoff_ms = 0\ntimeout_ms = 300000\ncommand_timeout_ms = 5000\nmax_body_mib = 2",
    ));
    let p = ok.load().expect("in range").config.http;
    assert_eq!(p.max_attempts, 10);
    assert_eq!(p.backoff_base, std::time::Duration::ZERO);
    assert_eq!(p.request_timeout, std::time::Duration::from_secs(300));
    assert_eq!(p.command_timeout, std::time::Duration::from_secs(5));
    assert_eq!(p.max_body_bytes, 2 << 20);
}

#[test]
fn a_name_with_a_control_character_is_refused_without_reaching_the_terminal() {
    let cases = [
        GOOD.replace(r#"name = "web-app""#, "name = \"web\\u001b[2Japp\""),
        GOOD.replace(
            r#""web-1", "web-2""#,
            "\"web-1\", \"web\\u001b]0;x\\u0007\"",
        ),
        GOOD.replace(r#"name = "array-b""#, "name = \"array\\u202eb\""),
        GOOD.replace(
            r#"{ "net-web" = "net-web" }"#,
            "{ \"net\\u001bweb\" = \"net-web\" }",
        ),
    ];
    for toml in cases {
        let e = expect_error(&toml);
        assert!(e.contains("a name may not hold control characters"), "{e}");
        assert!(!e.chars().any(|c| c.is_control() && c != '\n'), "{e:?}");
        assert!(e.contains("drconsole.toml:"), "says where: {e}");
    }
}
