//! drconsole: a terminal console, headless CLI and embedded orchestrator for disaster recovery
//! between two OpenStack sites, with a built-in two-site lab. ARCHITECTURE.md is the map.

pub mod cli;
pub mod config;
pub mod domain;
pub mod lab;
pub mod logging;
pub mod orchestrator;
pub mod paths;
pub mod providers;
pub mod report;
pub mod sanitize;
pub mod secret;
pub mod store;
pub mod tui;
