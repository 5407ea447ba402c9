//! A `postgres://` journal URL made into a connection: the parameters tokio-postgres reads, the TLS
//! libpq's `sslmode` asks for, and the password from the URL, `PGPASSWORD` or the password file
//! (`PGPASSFILE`, else `~/.pgpass`), in libpq's order. The password never leaves this module except
//! inside the connection config, whose `Debug` redacts it; `shown` is the URL without it.

use super::super::error::StoreError;
use crate::secret::Secret;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tokio_postgres::config::{Config, Host, SslMode};

/// libpq's TLS modes (tokio-postgres knows the first three; verification is ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Disable,
    /// TLS if the server offers it, certificate not checked (libpq's default).
    Prefer,
    /// TLS or nothing; the certificate is checked only if a root certificate is given.
    Require,
    /// TLS, the certificate chain checked against the root certificates.
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host.
    VerifyFull,
}

/// Everything needed to connect, parsed once.
pub struct Target {
    pub config: Config,
    pub tls: Tls,
    /// `sslrootcert`: a PEM file, or `None` (then `~/.postgresql/root.crt`, else the system's).
    pub root_cert: Option<PathBuf>,
    /// The URL to show: user, hosts, ports and database, never the password.
    pub shown: String,
}

/// Where a password may come from, besides the URL (injected so tests need no global state).
pub struct Env<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub home: Option<PathBuf>,
}

impl Env<'static> {
    pub fn process() -> Self {
        Env {
            var: &|k| std::env::var(k).ok(),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }
}

const HINT: &str = "write it as postgres://USER@HOST[:PORT]/DATABASE[?sslmode=require] (the \
                    password in PGPASSWORD or ~/.pgpass rather than in the URL)";

pub fn parse(url: &Secret, env: &Env<'_>) -> Result<Target, StoreError> {
    let raw = url.expose();
    let (base, query) = raw.split_once('?').unwrap_or((raw, ""));
    let mut tls = None;
    let mut root_cert = None;
    let mut passfile = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding_decode(v);
        match k {
            "sslmode" => tls = Some(tls_mode(&value)?),
            "sslrootcert" => root_cert = Some(PathBuf::from(value)),
            "passfile" => passfile = Some(PathBuf::from(value)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = Config::from_str(&rest).map_err(|e| {
        let why = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| e.to_string());
        StoreError::BadUrl(format!(
            "the [store] PostgreSQL URL cannot be read ({why}); {HINT}"
        ))
    })?;
    if config.get_hosts().is_empty() {
        return Err(StoreError::BadUrl(format!(
            "the [store] PostgreSQL URL names no host; {HINT}"
        )));
    }
    let tls = tls.unwrap_or(Tls::Prefer);
    config.ssl_mode(match tls {
        Tls::Disable => SslMode::Disable,
        Tls::Prefer => SslMode::Prefer,
        _ => SslMode::Require,
    });
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    let shown = shown(&config);
    if config.get_password().is_none()
        && let Some(pw) = password_for(&config, env, passfile.as_deref())
    {
        config.password(pw);
    }
    Ok(Target {
        config,
        tls,
        root_cert,
        shown,
    })
}

fn tls_mode(v: &str) -> Result<Tls, StoreError> {
    Ok(match v {
        "disable" => Tls::Disable,
        "allow" | "prefer" => Tls::Prefer,
        "require" => Tls::Require,
        "verify-ca" => Tls::VerifyCa,
        "verify-full" => Tls::VerifyFull,
        other => {
            return Err(StoreError::BadUrl(format!(
                "sslmode={} is not a TLS mode: use disable, prefer, require, verify-ca or \
                 verify-full",
                crate::sanitize::clean(other)
            )));
        }
    })
}

fn percent_encoding_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn host_name(h: &Host) -> String {
    match h {
        Host::Tcp(name) => name.clone(),
        #[cfg(unix)]
        Host::Unix(path) => path.display().to_string(),
    }
}

/// `postgres://user@host:port/db`, from the parsed config: nothing secret can slip through.
fn shown(c: &Config) -> String {
    let hosts: Vec<String> = c
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = c.get_ports().get(i).or(c.get_ports().first()).copied();
            format!("{}:{}", host_name(h), port.unwrap_or(5432))
        })
        .collect();
    let user = c.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let db = c.get_dbname().or(c.get_user()).unwrap_or_default();
    crate::sanitize::clean(&format!("postgres://{user}{}/{db}", hosts.join(",")))
}

/// libpq's order after the URL: `PGPASSWORD`, then the password file's first matching line.
fn password_for(c: &Config, env: &Env<'_>, passfile: Option<&Path>) -> Option<String> {
    if let Some(pw) = (env.var)("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Some(pw);
    }
    let file = passfile
        .map(Path::to_path_buf)
        .or_else(|| (env.var)("PGPASSFILE").map(PathBuf::from))
        .or_else(|| env.home.as_ref().map(|h| h.join(".pgpass")))?;
    let text = read_private(&file)?;
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            Host::Tcp(n) => n.clone(),
            #[cfg(unix)]
            Host::Unix(_) => "localhost".to_string(),
        })
        .unwrap_or_default();
    let port = c.get_ports().first().copied().unwrap_or(5432).to_string();
    let user = c.get_user().unwrap_or_default();
    let db = c.get_dbname().unwrap_or(user);
    pgpass_lookup(&text, [host.as_str(), port.as_str(), db, user])
}

/// The password file, unless others may read it (libpq ignores it then, and so do we: a warning
/// in the log says why).
fn read_private(file: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %file.display(),
                "password file ignored: group or others may read it (chmod 0600 it)"
            );
            return None;
        }
    }
    std::fs::read_to_string(file).ok()
}

/// `hostname:port:database:username:password`, `*` matching anything, `\` escaping `:` and `\`.
pub fn pgpass_lookup(text: &str, want: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_escaped(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(want)
                .all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4..].join(":"))
        })
}

fn split_escaped(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), fields.last_mut()) {
                    last.push(next);
                }
            }
            ':' => fields.push(String::new()),
            other => {
                if let Some(last) = fields.last_mut() {
                    last.push(other);
                }
            }
        }
    }
    fields
}
