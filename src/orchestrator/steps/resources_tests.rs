//! What each step kind says it made: from its journaled output, or by name when it has none.

use super::*;
use crate::domain::{PortInfo, ResourceKind};
use serde_json::json;

fn ports() -> CreatePorts {
    CreatePorts {
        site: "site-b".into(),
        server: "web-1".into(),
        ports: vec![PortInfo {
            network: "net-web".into(),
            ip: Some("10.0.1.10".into()),
            mac: "fa:16:3e:00:00:01".into(),
            floating_ip: None,
        }],
    }
}

#[test]
fn a_port_step_lists_its_ports_by_id_or_by_name_when_it_failed_before_saying() {
    let kind = StepKind::from(ports());
    let made = kind.resources(Some(&json!({"ports": ["p-1"]})));
    assert_eq!(
        made,
        [Resource::new(
            "site-b",
            ResourceKind::Port,
            "p-1",
            "web-1-net-web"
        )]
    );
    for missing in [None, Some(&serde_json::Value::Null)] {
        assert_eq!(
            kind.resources(missing),
            [Resource::named(
                "site-b",
                ResourceKind::Port,
                "web-1-net-web"
            )]
        );
    }
}

#[test]
fn steps_that_make_nothing_list_nothing() {
    let stop = StepKind::from(StopServers {
        site: "site-a".into(),
        servers: vec!["web-1".into()],
    });
    assert!(stop.resources(None).is_empty());
    assert!(stop.resources(Some(&json!({"stopped": ["x"]}))).is_empty());
    let swap = StepKind::from(SwapPrimary {
        new_primary: "site-b".into(),
    });
    assert!(swap.resources(None).is_empty());
}
