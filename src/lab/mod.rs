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
    for name in lab.site_names() {
        let url = lab.site_url(&name).unwrap_or_default();
        println!("lab site {name}: {url}  (status: {url}/lab/v1/status)");
    }
    println!("clouds.yaml:    {}", files.clouds_yaml.display());
    match lab.ca_file() {
        Some(ca) => println!("CA (trusted by both files): {}", ca.display()),
        None => println!("serving plain HTTP (--plain-http): nothing is encrypted"),
    }
    println!("drconsole.toml: {}", files.config.display());
    println!("try: drconsole --config {} status", files.config.display());
    println!(
        "     OS_CLIENT_CONFIG_FILE={} openstack --os-cloud lab-site-a server list",
        files.clouds_yaml.display()
    );
    println!(
        "press Ctrl-C to stop (the world is kept in {})",
        lab.dir().display()
    );
    wait_for_signal().await;
    lab.shutdown().await
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
