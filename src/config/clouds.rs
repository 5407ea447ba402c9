//! clouds.yaml: found the way openstacksdk finds it (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
//! ~/.config/openstack/, /etc/openstack/) and resolved into `CloudConfig`s. Supports auth_type
//! `password` (the default) and `v3applicationcredential`, region_name, interface, verify, cacert.

use super::error::ConfigError;
use super::types::{AuthMethod, CloudConfig, DomainRef};
use crate::secret::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where to look for clouds.yaml; `from_env` reads the process environment.
#[derive(Debug, Clone, Default)]
pub struct CloudsSearch {
    /// `clouds_file` from drconsole.toml, already made absolute.
    pub explicit: Option<PathBuf>,
    pub os_client_config_file: Option<PathBuf>,
    pub cwd: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl CloudsSearch {
    pub fn from_env(explicit: Option<PathBuf>) -> Self {
        Self {
            explicit,
            os_client_config_file: std::env::var_os("OS_CLIENT_CONFIG_FILE").map(PathBuf::from),
            cwd: std::env::current_dir().ok(),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }

    /// The candidate files in openstacksdk's order.
    pub fn candidates(&self) -> Vec<PathBuf> {
        if let Some(p) = &self.explicit {
            return vec![p.clone()];
        }
        let mut out = Vec::new();
        out.extend(self.os_client_config_file.clone());
        out.extend(self.cwd.as_ref().map(|d| d.join("clouds.yaml")));
        out.extend(
            self.home
                .as_ref()
                .map(|h| h.join(".config/openstack/clouds.yaml")),
        );
        out.push(PathBuf::from("/etc/openstack/clouds.yaml"));
        out
    }

    /// The first candidate that exists.
    pub fn find(&self) -> Result<PathBuf, ConfigError> {
        let candidates = self.candidates();
        if let Some(found) = candidates.iter().find(|p| p.is_file()) {
            return Ok(found.clone());
        }
        let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        Err(ConfigError::new(
            None,
            format!("no clouds.yaml found (looked in {})", tried.join(", ")),
        )
        .hint("set `clouds_file` in drconsole.toml, or OS_CLIENT_CONFIG_FILE, to your clouds.yaml"))
    }
}

#[derive(Debug, Deserialize)]
struct RawClouds {
    #[serde(default, deserialize_with = "super::names::keyed")]
    clouds: BTreeMap<String, RawCloud>,
}

#[derive(Debug, Deserialize)]
struct RawCloud {
    auth_type: Option<String>,
    #[serde(default)]
    auth: RawAuth,
    #[serde(default, deserialize_with = "super::names::opt_name")]
    region_name: Option<String>,
    interface: Option<String>,
    verify: Option<bool>,
    cacert: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct RawAuth {
    auth_url: Option<String>,
    username: Option<String>,
    user_id: Option<String>,
    password: Option<Secret>,
    project_name: Option<String>,
    project_id: Option<String>,
    user_domain_name: Option<String>,
    user_domain_id: Option<String>,
    project_domain_name: Option<String>,
    project_domain_id: Option<String>,
    domain_name: Option<String>,
    application_credential_id: Option<String>,
    application_credential_name: Option<String>,
    application_credential_secret: Option<Secret>,
}

/// A parsed clouds.yaml: every entry, resolved lazily by name.
#[derive(Debug)]
pub struct CloudsFile {
    pub path: PathBuf,
    clouds: BTreeMap<String, RawCloud>,
    /// True when any entry holds a password or secret (for the permission warning).
    pub holds_secrets: bool,
}

impl CloudsFile {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(Some(path), format!("cannot read clouds.yaml: {e}"))
                .hint("check the path and that this user may read it")
        })?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let raw: RawClouds = serde_yaml_ng::from_str(text).map_err(|e| {
            let mut err = ConfigError::new(Some(path), format!("clouds.yaml is not valid: {e}"))
                .hint("clouds.yaml maps `clouds:` → cloud name → `auth:` (auth_url, username, password, …)");
            if let Some(loc) = e.location() {
                err = err.at(loc.line(), loc.column());
            }
            err
        })?;
        let holds_secrets = raw
            .clouds
            .values()
            .any(|c| c.auth.password.is_some() || c.auth.application_credential_secret.is_some());
        Ok(Self {
            path: path.to_path_buf(),
            clouds: raw.clouds,
            holds_secrets,
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.clouds.keys().map(String::as_str).collect()
    }

    /// Resolve one entry into a `CloudConfig`.
    pub fn cloud(&self, name: &str) -> Result<CloudConfig, ConfigError> {
        let path = Some(self.path.as_path());
        let Some(raw) = self.clouds.get(name) else {
            return Err(
                ConfigError::new(path, format!("clouds.yaml has no cloud named {name:?}")).hint(
                    format!(
                        "it has: {}; fix `cloud` in drconsole.toml or add the entry",
                        self.names().join(", ")
                    ),
                ),
            );
        };
        let field_err = |what: &str| ConfigError::new(path, format!("cloud {name:?}: {what}"));
        let auth = &raw.auth;
        let auth_url = auth.auth_url.as_deref().ok_or_else(|| {
            field_err("auth.auth_url is missing")
                .hint("add auth_url: https://keystone.example:5000/v3")
        })?;
        let auth_method = match raw.auth_type.as_deref().unwrap_or("password") {
            "password" | "v3password" => {
                password_auth(auth).map_err(|e| field_err(&e.to_string()))?
            }
            "v3applicationcredential" | "applicationcredential" => {
                app_cred_auth(auth).map_err(|e| field_err(&e.to_string()))?
            }
            other => {
                return Err(field_err(&format!("auth_type {other:?} is not supported"))
                    .hint("use auth_type: password or auth_type: v3applicationcredential"));
            }
        };
        let interface = raw.interface.clone().unwrap_or_else(|| "public".into());
        if !["public", "internal", "admin"].contains(&interface.as_str()) {
            return Err(field_err(&format!(
                "interface {interface:?} is not one of public, internal, admin"
            )));
        }
        let cacert = raw.cacert.as_ref().map(|c| resolve_relative(&self.path, c));
        Ok(CloudConfig {
            name: name.to_string(),
            auth_url: normalise_auth_url(auth_url),
            auth: auth_method,
            region_name: raw.region_name.clone(),
            interface,
            verify: raw.verify.unwrap_or(true),
            cacert,
        })
    }
}

fn domain(name: &Option<String>, id: &Option<String>, fallback: &Option<String>) -> DomainRef {
    match (id, name, fallback) {
        (Some(id), _, _) => DomainRef::Id(id.clone()),
        (None, Some(n), _) | (None, None, Some(n)) => DomainRef::Name(n.clone()),
        _ => DomainRef::default(),
    }
}

/// A clouds.yaml `auth:` block that lacks what its auth_type needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum AuthError {
    #[error("auth.username is missing")]
    NoUsername,
    #[error("auth.password is missing")]
    NoPassword,
    #[error("auth.project_name (or project_id) is missing: drconsole needs a project-scoped token")]
    NoProject,
    #[error("auth.application_credential_secret is missing")]
    NoSecret,
    #[error("auth.application_credential_id (or _name with username) is missing")]
    NoCredential,
    #[error("auth.application_credential_name needs auth.username too")]
    NameWithoutUser,
}

fn password_auth(a: &RawAuth) -> Result<AuthMethod, AuthError> {
    let username = a
        .username
        .clone()
        .or_else(|| a.user_id.clone())
        .ok_or(AuthError::NoUsername)?;
    let password = a.password.clone().ok_or(AuthError::NoPassword)?;
    if a.project_name.is_none() && a.project_id.is_none() {
        return Err(AuthError::NoProject);
    }
    Ok(AuthMethod::Password {
        username,
        user_domain: domain(&a.user_domain_name, &a.user_domain_id, &a.domain_name),
        password,
        project_name: a.project_name.clone(),
        project_id: a.project_id.clone(),
        project_domain: domain(&a.project_domain_name, &a.project_domain_id, &a.domain_name),
    })
}

fn app_cred_auth(a: &RawAuth) -> Result<AuthMethod, AuthError> {
    let secret = a
        .application_credential_secret
        .clone()
        .ok_or(AuthError::NoSecret)?;
    if a.application_credential_id.is_none() && a.application_credential_name.is_none() {
        return Err(AuthError::NoCredential);
    }
    if a.application_credential_id.is_none() && a.username.is_none() {
        return Err(AuthError::NameWithoutUser);
    }
    Ok(AuthMethod::ApplicationCredential {
        id: a.application_credential_id.clone(),
        name: a.application_credential_name.clone(),
        username: a.username.clone(),
        user_domain: domain(&a.user_domain_name, &a.user_domain_id, &a.domain_name),
        secret,
    })
}

/// clouds.yaml often omits the version: `https://k:5000` means `https://k:5000/v3`.
fn normalise_auth_url(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with("/v3") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/v3")
    }
}

pub(super) fn resolve_relative(base_file: &Path, p: &str) -> PathBuf {
    let path = PathBuf::from(p);
    if path.is_absolute() {
        path
    } else {
        base_file.parent().unwrap_or(Path::new(".")).join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "clouds:
  site-a:
    auth:
      auth_url: http://127.0.0.1:5000/identity
      username: operator
      password: s3cret
      project_name: dr-demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
  site-b:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://b.example:5000/v3/
      application_credential_id: abc
      application_credential_secret: topsecret
    interface: internal
    verify: false
    cacert: ca.pem
";

    fn file() -> CloudsFile {
        CloudsFile::parse(Path::new("/etc/x/clouds.yaml"), YAML).unwrap()
    }

    #[test]
    fn password_cloud_resolves() {
        let c = file().cloud("site-a").unwrap();
        assert_eq!(c.auth_url, "http://127.0.0.1:5000/identity/v3");
        assert_eq!(c.interface, "public");
        assert_eq!(c.region_name.as_deref(), Some("RegionOne"));
        match c.auth {
            AuthMethod::Password {
                username,
                password,
                project_domain,
                ..
            } => {
                assert_eq!(username, "operator");
                assert_eq!(password.expose(), "s3cret");
                assert_eq!(project_domain, DomainRef::Name("Default".into()));
            }
            other => panic!("wrong auth {other:?}"),
        }
    }

    #[test]
    fn application_credential_cloud_resolves() {
        let c = file().cloud("site-b").unwrap();
        assert_eq!(c.auth_url, "https://b.example:5000/v3");
        assert_eq!(c.interface, "internal");
        assert!(!c.verify);
        assert_eq!(c.cacert, Some(PathBuf::from("/etc/x/ca.pem")));
        assert!(
            matches!(c.auth, AuthMethod::ApplicationCredential { ref id, .. } if id.as_deref() == Some("abc"))
        );
        assert!(!format!("{c:?}").contains("topsecret"));
    }

    #[test]
    fn missing_cloud_names_the_ones_there() {
        let e = file().cloud("site-c").unwrap_err().to_string();
        assert!(
            e.contains("no cloud named \"site-c\"") && e.contains("site-a, site-b"),
            "{e}"
        );
    }

    #[test]
    fn unsupported_auth_type_says_what_works() {
        let f = CloudsFile::parse(
            Path::new("c.yaml"),
            "clouds:\n  x:\n    auth_type: token\n    auth: {auth_url: http://k}\n",
        )
        .unwrap();
        let e = f.cloud("x").unwrap_err().to_string();
        assert!(
            e.contains("\"token\" is not supported") && e.contains("v3applicationcredential"),
            "{e}"
        );
    }

    #[test]
    fn yaml_syntax_error_has_a_location() {
        let e = CloudsFile::parse(Path::new("c.yaml"), "clouds:\n  x: [unclosed\n").unwrap_err();
        assert!(e.location.is_some(), "{e}");
    }

    #[test]
    fn search_order_follows_openstacksdk() {
        let s = CloudsSearch {
            explicit: None,
            os_client_config_file: Some("/o/c.yaml".into()),
            cwd: Some("/w".into()),
            home: Some("/h".into()),
        };
        let c: Vec<String> = s
            .candidates()
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            c,
            [
                "/o/c.yaml",
                "/w/clouds.yaml",
                "/h/.config/openstack/clouds.yaml",
                "/etc/openstack/clouds.yaml"
            ]
        );
    }
}
