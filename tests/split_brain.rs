//! Split-brain made through the lab's own APIs — a server named like a member, on its address,
//! booted at the DR site while production runs — and every surface saying it, with the one way
//! out: `status` (text and JSON), `instances`, `check` (which refuses failover), the console's
//! groups and instances panes at 80 columns; then `drconsole fence` resolves it.

mod common;

use common::{Lab, lab, wait_for};
use drconsole::domain::{EstateView, InstanceView};
use drconsole::providers::compute::ServerCreate;
use drconsole::providers::network::PortCreate;
use drconsole::tui::app::App;
use drconsole::tui::jobs::Job;
use drconsole::tui::keymap::Keymap;
use drconsole::tui::msg::Msg;
use drconsole::tui::theme::Theme;
use drconsole::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

/// Boot a second `web-1` at site-b on web-1's address, as someone would by hand.
async fn boot_a_twin(lab: &Lab) -> String {
    let a = lab.client("site-a");
    let web1 = a
        .compute()
        .find_servers_by_name("web-1")
        .await
        .expect("find")
        .remove(0);
    let port = a
        .network()
        .list_ports(&Default::default())
        .await
        .expect("ports")
        .into_iter()
        .find(|p| p.device_id == web1.id)
        .expect("web-1's port");
    let ip = port.fixed_ips[0].ip.clone();
    let b = lab.client("site-b");
    let net = b
        .network()
        .list_networks()
        .await
        .expect("networks")
        .into_iter()
        .find(|n| n.name == "net-web")
        .expect("net-web at site-b");
    let twin_port = b
        .network()
        .create_port(&PortCreate {
            network_id: net.id,
            name: "twin".into(),
            ip: Some(ip.clone()),
            mac: None,
        })
        .await
        .expect("port");
    let flavor = b
        .compute()
        .list_flavors()
        .await
        .expect("flavors")
        .into_iter()
        .find(|f| f.name == "m1.small")
        .expect("m1.small");
    b.compute()
        .create_server(&ServerCreate {
            name: "web-1".into(),
            flavor_id: flavor.id,
            port_ids: vec![twin_port.id],
            ..Default::default()
        })
        .await
        .expect("server");
    wait_for("the twin ACTIVE", Duration::from_secs(30), || async {
        lab.statuses("site-b", "web-1")
            .await
            .contains(&"web-1 ACTIVE".to_string())
            .then_some(())
    })
    .await;
    ip
}

/// The console's main screen at 80×24 with this estate and these instances, as text.
fn console_at_80(estate: EstateView, instances: Vec<InstanceView>) -> String {
    let mut app = App::new(
        chrono::Utc::now(),
        "operator@test",
        true,
        Theme::default(),
        Keymap::default(),
    );
    let generation = app.jobs.issue(Job::Estate);
    let _ = update(
        &mut app,
        Msg::Estate {
            generation,
            result: Ok(estate),
        },
    );
    let generation = app.jobs.issue(Job::Instances);
    let _ = update(
        &mut app,
        Msg::Instances {
            group: "web-app".into(),
            generation,
            result: Ok(instances),
        },
    );
    let _ = update(&mut app, Msg::Resize(80, 24));
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    t.draw(|f| drconsole::tui::view::draw(f, &app))
        .expect("draw");
    let buffer = t.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[tokio::test]
async fn a_split_brain_is_said_everywhere_with_the_way_out_and_the_fence_resolves_it() {
    let lab = lab().await;
    let ip = boot_a_twin(&lab).await;
    assert_eq!(lab.active_at_both("web-").await, ["web-1"]);

    let status = lab.cli(&["status", "--json"]).await.json();
    let web = &status["protection_groups"][0];
    assert_eq!(web["name"], "web-app");
    let found = &web["split_brain"][0];
    assert_eq!(found["instance"], "web-1", "{web}");
    assert_eq!(found["active_at"], serde_json::json!(["site-a", "site-b"]));
    assert_eq!(found["shared_ips"], serde_json::json!([ip.clone()]));
    let text = lab.cli(&["status"]).await.stdout;
    for needle in [
        "⚠ split_brain",
        "SPLIT-BRAIN web-app: web-1 is ACTIVE at site-a and site-b",
        &format!("{ip} of web-1 is held by a live port at both sites"),
        "run `drconsole fence web-app`",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }

    let inst = lab.cli(&["instances", "web-app", "--json"]).await.json();
    let list = inst["instances"].as_array().expect("instances");
    assert_eq!(list[0]["name"], "web-1");
    assert_eq!(list[0]["split_brain"]["instance"], "web-1");
    assert!(list[1]["split_brain"].is_null(), "web-2 is fine");
    let text = lab.cli(&["instances", "web-app"]).await.stdout;
    assert!(
        text.contains("SPLIT-BRAIN: web-1 is ACTIVE at site-a and site-b")
            && text.contains("drconsole fence web-app"),
        "{text}"
    );

    for op in ["planned-failover", "failover"] {
        let check = lab.cli_exits(2, &["check", op, "web-app"]).await;
        assert!(
            check
                .stdout
                .contains("✗ split-brain: SPLIT-BRAIN: web-1 is ACTIVE")
                && check.stdout.contains("drconsole fence web-app"),
            "{}",
            check.all()
        );
    }
    let refused = lab.cli_exits(2, &["failover", "web-app", "--yes"]).await;
    assert!(refused.all().contains("split-brain"), "{}", refused.all());

    let engine = lab.cli_engine();
    let screen = console_at_80(
        engine.estate().await.expect("estate"),
        engine.instances("web-app").await.expect("instances"),
    );
    for needle in [
        "✗ split_brain",
        "✗ SPLIT-BRAIN",
        "SPLIT-BRAIN · run :fence web-app",
    ] {
        assert!(
            screen.contains(needle),
            "{needle:?} not on screen:\n{screen}"
        );
    }

    // The way out: the side that is not primary is stopped; production runs on.
    lab.cli_exits(0, &["fence", "web-app", "--yes", "--wait"])
        .await;
    assert!(lab.active_at_both("web-").await.is_empty());
    assert_eq!(lab.statuses("site-b", "web-").await, ["web-1 SHUTOFF"]);
    assert_eq!(
        lab.statuses("site-a", "web-").await,
        ["web-1 ACTIVE", "web-2 ACTIVE", "web-3 ACTIVE"]
    );
    let status = lab.cli(&["status", "--json"]).await.json();
    assert_eq!(
        status["protection_groups"][0]["split_brain"],
        serde_json::json!([])
    );
    let check = lab.cli(&["check", "planned-failover", "web-app"]).await;
    assert!(check.stdout.contains("✓ split-brain"), "{}", check.all());
}
