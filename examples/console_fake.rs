//! The console against canned data (no sites needed): `cargo run --example console_fake`.
//! Starting an operation plays a short simulated run on the event stream.

use drconsole::config::UiConfig;
use drconsole::tui::fake::FakeBackend;
use std::sync::Arc;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let theme = std::env::args().nth(1);
    drconsole::tui::run(
        Arc::new(FakeBackend::new(true)),
        UiConfig::default(),
        theme,
        true,
    )
    .await
}
