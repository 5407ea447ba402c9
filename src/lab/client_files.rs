//! The files a client needs to use the lab: DIR/clouds.yaml (one cloud per site, mode 0600),
//! DIR/drconsole.toml (sites, arrays, the topology's groups) and DIR/ARRAY.token (mode 0600).

use super::options::LabOptions;
use super::persist::write_private;
use super::topology::Topology;
use super::world::World;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct ClientFiles {
    pub dir: PathBuf,
    pub clouds_yaml: PathBuf,
    pub config: PathBuf,
}

pub fn cloud_name(site: &str) -> String {
    format!("lab-{site}")
}

pub fn token_file(array: &str) -> String {
    format!("{array}.token")
}

/// Each array's API token, where drconsole.toml's api_token_file points.
pub fn write_tokens(dir: &Path, world: &World) -> std::io::Result<()> {
    for s in &world.sites {
        let path = dir.join(token_file(&s.array.name));
        write_private(&path, format!("{}\n", s.array.api_token).as_bytes())?;
    }
    Ok(())
}

/// The `cacert` line naming the lab's CA when it serves HTTPS. The path is absolute: the
/// OpenStack client resolves a relative one from its working directory, not from clouds.yaml.
fn cacert_line(opts: &LabOptions, indent: &str, key: &str) -> String {
    if opts.plain_http {
        return String::new();
    }
    let ca = super::tls::ca_path(&opts.dir);
    let ca = std::fs::canonicalize(&ca).unwrap_or(ca);
    format!("{indent}{key}{:?}\n", ca.display().to_string())
}

fn clouds_yaml(opts: &LabOptions, world: &World) -> String {
    let scheme = opts.scheme();
    let cacert = cacert_line(opts, "    ", "cacert: ");
    let mut out = String::from(
        "# Written by `drconsole lab serve`: one cloud per lab site (and one using the\n\
         # application credential). Rewritten on every start (ports may change).\nclouds:\n",
    );
    for s in &world.sites {
        let id = &s.identity;
        let url = format!("{scheme}://127.0.0.1:{}/identity/v3", s.port);
        let _ = write!(
            out,
            "  {name}:\n    auth_type: password\n    auth:\n      auth_url: {url}\n      \
             username: {user}\n      password: {pw}\n      project_name: {project}\n      \
             user_domain_name: Default\n      project_domain_name: Default\n    \
             region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n{cacert}",
            name = cloud_name(&s.name),
            user = id.user_name,
            pw = id.password,
            project = id.project_name,
        );
        let _ = write!(
            out,
            "  {name}-appcred:\n    auth_type: v3applicationcredential\n    auth:\n      \
             auth_url: {url}\n      application_credential_id: {ac}\n      \
             application_credential_secret: {secret}\n    region_name: RegionOne\n    \
             interface: public\n    identity_api_version: 3\n{cacert}",
            name = cloud_name(&s.name),
            ac = id.app_cred_id,
            secret = id.app_cred_secret,
        );
    }
    out
}

fn quoted(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", inner.join(", "))
}

fn drconsole_toml(opts: &LabOptions, world: &World, topo: &Topology) -> String {
    let scheme = opts.scheme();
    let cacert = cacert_line(opts, "", "cacert = ");
    let mut out = String::from(
        "# Written by `drconsole lab serve` for its two-site lab; rewritten on every start.\n\
         clouds_file = \"clouds.yaml\"\n\n[store]\nurl = \"sqlite://journal.sqlite\"\n",
    );
    for s in &world.sites {
        let _ = write!(
            out,
            "\n[[sites]]\nname = {name:?}\nrole = {role:?}\ncloud = {cloud:?}\n[sites.array]\n\
             url = \"{scheme}://127.0.0.1:{port}/array\"\nname = {array:?}\napi_token_file = {tf:?}\n{cacert}",
            name = s.name,
            role = s.role,
            cloud = cloud_name(&s.name),
            port = s.port,
            array = s.array.name,
            tf = token_file(&s.array.name),
        );
    }
    let prod = topo.site("production").map(|s| s.name.clone());
    let dr = topo.site("dr").map(|s| s.name.clone());
    for g in &topo.groups {
        let waves: Vec<String> = g.boot_order.iter().map(|w| quoted(w)).collect();
        let _ = write!(
            out,
            "\n[[protection_groups]]\nname = {name:?}\nprimary_site = {p:?}\nsecondary_site = {d:?}\n\
             array_pg = {pg:?}\nrpo_target_seconds = {rpo}\nmembers = {members}\n\
             boot_order = [{waves}]\nnetwork_mapping = {{ {net:?} = {net:?} }}\n\
             test_network_mapping = {{ {net:?} = {test:?} }}\n",
            name = g.name,
            p = prod.clone().unwrap_or_default(),
            d = dr.clone().unwrap_or_default(),
            pg = Topology::array_pg(&g.name),
            rpo = g.rpo_target_seconds,
            members = quoted(&g.servers),
            waves = waves.join(", "),
            net = g.network,
            test = format!("{}-test", g.network),
        );
    }
    out
}

pub fn write(opts: &LabOptions, world: &World, topo: &Topology) -> std::io::Result<ClientFiles> {
    let dir = opts.dir.as_path();
    let files = ClientFiles {
        dir: dir.to_path_buf(),
        clouds_yaml: dir.join("clouds.yaml"),
        config: dir.join("drconsole.toml"),
    };
    write_tokens(dir, world)?;
    write_private(&files.clouds_yaml, clouds_yaml(opts, world).as_bytes())?;
    write_private(&files.config, drconsole_toml(opts, world, topo).as_bytes())?;
    Ok(files)
}
