//! The built-in two-site lab: a simulator that serves API.md on loopback, one listener per site,
//! with its own world model, lazy time model, fault injection and persistence in a directory.

mod client_files;
pub mod clock;
mod faults;
mod handle;
mod http;
mod options;
mod persist;
mod state;
mod tls;
mod topology;
mod world;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use client_files::ClientFiles;
pub use handle::LabHandle;
pub use options::LabOptions;

/// `drconsole lab serve`: start, write the client files, say how to use them, serve until
/// SIGINT or SIGTERM, then stop and flush the world.
pub async fn serve(opts: LabOptions) -> std::io::Result<()> {
    let lab = LabHandle::start(opts).await?;
    let files = lab.write_client_files()?;
    banner(&lab, &files);
    wait_for_signal().await;
    lab.shutdown().await
}

/// What the lab serves and how to use it. A closed stdout (`lab serve | head -1`) loses the
/// banner; the lab keeps serving.
fn banner(lab: &LabHandle, files: &ClientFiles) {
    use std::io::Write;
    let mut text = String::new();
    for name in lab.site_names() {
        let url = lab.site_url(&name).unwrap_or_default();
        text += &format!("lab site {name}: {url}  (status: {url}/lab/v1/status)\n");
    }
    text += &format!("clouds.yaml:    {}\n", files.clouds_yaml.display());
    text += &match lab.ca_file() {
        Some(ca) => format!("CA (trusted by both files): {}\n", ca.display()),
        None => "serving plain HTTP (--plain-http): nothing is encrypted\n".to_string(),
    };
    text += &format!("drconsole.toml: {}\n", files.config.display());
    text += &format!(
        "try: drconsole --config {} status\n",
        files.config.display()
    );
    text += &format!(
        "     OS_CLIENT_CONFIG_FILE={} openstack --os-cloud lab-site-a server list\n",
        files.clouds_yaml.display()
    );
    text += &format!(
        "press Ctrl-C to stop (the world is kept in {})\n",
        lab.dir().display()
    );
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

async fn wait_for_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
