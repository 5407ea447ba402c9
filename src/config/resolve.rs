//! Validating a parsed drconsole.toml as a whole: exactly two sites with their clouds.yaml
//! entries and arrays (tokens read from where they are kept), the protection groups against the
//! sites, the journal and HTTP settings; warns about secrets other users could read.

use super::clouds::{CloudsFile, CloudsSearch, resolve_relative};
use super::error::ConfigError;
use super::limits::{self, Limit};
use super::raw::{RawArray, RawConfig, RawGroup, RawNumber, RawSite};
use super::store_url::parse_store_url;
use super::types::*;
use crate::domain::SiteRole;
use crate::secret::Secret;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) struct Resolver<'a> {
    pub path: &'a Path,
    /// The file's text, for the line of a value out of range.
    pub text: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub warnings: &'a mut Vec<String>,
}

impl Resolver<'_> {
    fn err(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::new(Some(self.path), message)
    }

    fn bounded(&self, limit: Limit, raw: &RawNumber) -> Result<u64, ConfigError> {
        limit.check(self.path, self.text, raw)
    }

    pub fn resolve(&mut self, raw: RawConfig) -> Result<Config, ConfigError> {
        if raw.sites.len() != 2 {
            return Err(self
                .err(format!(
                    "drconsole needs exactly two [[sites]], found {}",
                    raw.sites.len()
                ))
                .hint("declare one site with role = \"production\" and one with role = \"dr\""));
        }
        let clouds = self.clouds(raw.clouds_file.as_deref())?;
        let sites = self.sites(raw.sites, &clouds)?;
        let groups = self.groups(raw.protection_groups, &sites)?;
        Ok(Config {
            path: self.path.to_path_buf(),
            sites,
            groups,
            lease: Duration::from_secs(
                self.bounded(limits::LEASE_SECONDS, &raw.store.lease_seconds)?,
            ),
            store: self.store(raw.store.url)?,
            ui: UiConfig {
                theme: raw.ui.theme.unwrap_or_else(|| "default".into()),
                refresh_interval: Duration::from_secs(
                    self.bounded(limits::REFRESH_SECONDS, &raw.ui.refresh_seconds)?,
                ),
                keys: raw.ui.keys,
            },
            http: self.http(&raw.http)?,
            operations: self.operations(&raw.operations)?,
        })
    }

    fn operations(&self, raw: &super::raw::RawOperations) -> Result<OperationsConfig, ConfigError> {
        let secs = |limit, value| self.bounded(limit, value).map(Duration::from_secs);
        Ok(OperationsConfig {
            rollback_budget: secs(
                limits::ROLLBACK_BUDGET_SECONDS,
                &raw.rollback_budget_seconds,
            )?,
            final_sync_timeout: secs(
                limits::FINAL_SYNC_TIMEOUT_SECONDS,
                &raw.final_sync_timeout_seconds,
            )?,
        })
    }

    /// The clouds.yaml that `clouds_file` names, or the one openstacksdk would find.
    fn clouds(&mut self, clouds_file: Option<&str>) -> Result<CloudsFile, ConfigError> {
        let search = CloudsSearch {
            explicit: clouds_file.map(|f| resolve_relative(self.path, f)),
            os_client_config_file: (self.env)("OS_CLIENT_CONFIG_FILE").map(PathBuf::from),
            cwd: std::env::current_dir().ok(),
            home: (self.env)("HOME").map(PathBuf::from),
        };
        let clouds = CloudsFile::read(&search.find()?)?;
        if clouds.holds_secrets {
            self.warn_if_readable(&clouds.path, "holds a password or secret");
        }
        Ok(clouds)
    }

    /// Both sites, distinct in name and role.
    fn sites(
        &mut self,
        raw: Vec<RawSite>,
        clouds: &CloudsFile,
    ) -> Result<Vec<SiteConfig>, ConfigError> {
        let mut sites: Vec<SiteConfig> = Vec::new();
        for s in raw {
            let site = self.site(s, &sites, clouds)?;
            sites.push(site);
        }
        if sites[0].role == sites[1].role {
            return Err(self
                .err(format!("both sites have role {:?}", sites[0].role.as_str()))
                .hint("one site is role = \"production\", the other role = \"dr\""));
        }
        Ok(sites)
    }

    /// One site, checked against those before it.
    fn site(
        &mut self,
        s: RawSite,
        before: &[SiteConfig],
        clouds: &CloudsFile,
    ) -> Result<SiteConfig, ConfigError> {
        let role = match s.role.as_str() {
            "production" => SiteRole::Production,
            "dr" => SiteRole::Dr,
            other => {
                return Err(self
                    .err(format!("site {:?}: role {other:?} is not known", s.name))
                    .hint("write role = \"production\" or role = \"dr\""));
            }
        };
        if before.iter().any(|x| x.name == s.name) {
            return Err(self
                .err(format!("site {:?} is declared twice", s.name))
                .hint("give each site its own name"));
        }
        let cloud_name = s.cloud.or_else(|| (self.env)("OS_CLOUD")).ok_or_else(|| {
            self.err(format!("site {:?} names no clouds.yaml entry", s.name))
                .hint("write cloud = \"NAME\" under the site, or set OS_CLOUD")
        })?;
        let cloud = clouds.cloud(&cloud_name)?;
        let array = self.array(&s.name, s.array)?;
        self.warn_if_unverified(&s.name, &cloud, &array);
        Ok(SiteConfig {
            name: s.name,
            role,
            cloud,
            array,
        })
    }

    /// Every protection group, each name once.
    fn groups(
        &self,
        raw: Vec<RawGroup>,
        sites: &[SiteConfig],
    ) -> Result<Vec<GroupConfig>, ConfigError> {
        let groups = raw
            .into_iter()
            .map(|g| self.group(g, sites))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, g) in groups.iter().enumerate() {
            if groups[..i].iter().any(|o| o.name == g.name) {
                return Err(self.err(format!("protection group {:?} is declared twice", g.name)));
            }
        }
        Ok(groups)
    }

    /// `[http]`: every key within its range (limits.rs), so no retry loop can overflow or wait
    /// for hours.
    fn http(&self, raw: &super::raw::RawHttp) -> Result<HttpPolicy, ConfigError> {
        let ms = |limit, value| self.bounded(limit, value).map(Duration::from_millis);
        Ok(HttpPolicy {
            request_timeout: ms(limits::TIMEOUT_MS, &raw.timeout_ms)?,
            max_attempts: u32::try_from(self.bounded(limits::MAX_ATTEMPTS, &raw.max_attempts)?)
                .unwrap_or(1),
            backoff_base: ms(limits::BACKOFF_MS, &raw.backoff_ms)?,
            max_body_bytes: self.bounded(limits::MAX_BODY_MIB, &raw.max_body_mib)? << 20,
            command_timeout: ms(limits::COMMAND_TIMEOUT_MS, &raw.command_timeout_ms)?,
            max_calls_per_site: usize::try_from(
                self.bounded(limits::MAX_CALLS_PER_SITE, &raw.max_calls_per_site)?,
            )
            .unwrap_or(1),
            deadline: None,
        })
    }

    fn store(&mut self, url: Option<Secret>) -> Result<StoreConfig, ConfigError> {
        let Some(url) = url else {
            return Ok(StoreConfig::Sqlite(None));
        };
        if url_has_password(url.expose()) {
            self.warn_if_readable(self.path, "holds a database password in [store] url");
        }
        parse_store_url(url.expose(), self.path).map_err(|_| {
            self.err("[store] url must start with sqlite:// or postgres://").hint(
                "e.g. url = \"sqlite://journal.sqlite\" or url = \"postgres://drconsole@db/drconsole\"",
            )
        })
    }

    fn array(&mut self, site: &str, a: RawArray) -> Result<ArrayConfig, ConfigError> {
        if !(a.url.starts_with("http://") || a.url.starts_with("https://")) {
            return Err(self
                .err(format!(
                    "site {site:?}: array url {:?} is not an http(s) URL",
                    a.url
                ))
                .hint(
                    "e.g. url = \"https://array-a.example\" (the client appends /api/2.17/...)",
                ));
        }
        let sources = [
            a.api_token_file.is_some(),
            a.api_token_env.is_some(),
            a.api_token.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() != 1 {
            return Err(self
                .err(format!("site {site:?}: the array needs exactly one of api_token_file, api_token_env, api_token"))
                .hint("prefer api_token_file = \"array-a.token\" (mode 600) or api_token_env = \"ARRAY_A_TOKEN\""));
        }
        let token = if let Some(f) = &a.api_token_file {
            let p = resolve_relative(self.path, f);
            self.warn_if_readable(&p, "holds the array's API token");
            std::fs::read_to_string(&p)
                .map(|t| t.trim().to_string())
                .map_err(|e| {
                    self.err(format!(
                        "site {site:?}: cannot read api_token_file {}: {e}",
                        p.display()
                    ))
                    .hint("create the file with the array's API token in it, mode 600")
                })?
        } else if let Some(var) = &a.api_token_env {
            (self.env)(var).ok_or_else(|| {
                self.err(format!(
                    "site {site:?}: environment variable {var} (api_token_env) is not set"
                ))
                .hint(format!("export {var}=<the array's API token>"))
            })?
        } else {
            self.warn_if_readable(self.path, "holds an array API token inline");
            a.api_token
                .map(|t| t.expose().to_string())
                .unwrap_or_default()
        };
        if token.is_empty() {
            return Err(self.err(format!("site {site:?}: the array's API token is empty")));
        }
        Ok(ArrayConfig {
            url: a.url.trim_end_matches('/').to_string(),
            name: a.name,
            api_token: Secret::new(token),
            verify: a.verify.unwrap_or(true),
            cacert: a.cacert.as_deref().map(|c| resolve_relative(self.path, c)),
            cinder_host: a
                .cinder_host
                .unwrap_or_else(|| DEFAULT_CINDER_HOST.to_string()),
        })
    }

    fn group(&self, g: RawGroup, sites: &[SiteConfig]) -> Result<GroupConfig, ConfigError> {
        let name = &g.name;
        for (key, site) in [
            ("primary_site", &g.primary_site),
            ("secondary_site", &g.secondary_site),
        ] {
            if !sites.iter().any(|s| &s.name == site) {
                let known: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
                return Err(self
                    .err(format!(
                        "protection group {name:?}: {key} {site:?} is not a declared site"
                    ))
                    .hint(format!("use one of: {}", known.join(", "))));
            }
        }
        if g.primary_site == g.secondary_site {
            return Err(self.err(format!(
                "protection group {name:?}: primary_site and secondary_site are the same"
            )));
        }
        if g.members.is_empty() {
            return Err(self
                .err(format!("protection group {name:?} has no members"))
                .hint("members = [\"server-1\", …]"));
        }
        if let Some(stray) = g
            .boot_order
            .iter()
            .flatten()
            .find(|m| !g.members.contains(m))
        {
            return Err(self
                .err(format!(
                    "protection group {name:?}: boot_order names {stray:?}, which is not a member"
                ))
                .hint("add it to members, or remove it from boot_order"));
        }
        let rpo_target = self.bounded(
            limits::RPO_TARGET_SECONDS,
            &Some(g.rpo_target_seconds.clone()),
        )?;
        let rto_target = match &g.rto_target_seconds {
            Some(_) => Some(self.bounded(limits::RTO_TARGET_SECONDS, &g.rto_target_seconds)?),
            None => None,
        };
        Ok(GroupConfig {
            rto_target: rto_target.map(Duration::from_secs),
            array_pg: g.array_pg.unwrap_or_else(|| format!("{name}-pg")),
            name: g.name,
            primary_site: g.primary_site,
            secondary_site: g.secondary_site,
            members: g.members,
            boot_order: g.boot_order,
            network_mapping: g.network_mapping,
            test_network_mapping: g.test_network_mapping,
            flavor_mapping: g.flavor_mapping,
            rpo_target: Duration::from_secs(rpo_target),
        })
    }

    /// Once per site and endpoint kind: TLS without verification trusts whoever answers.
    fn warn_if_unverified(&mut self, site: &str, cloud: &CloudConfig, array: &ArrayConfig) {
        if !cloud.verify {
            self.warnings.push(format!(
                "site {site:?}: TLS certificates are not verified (clouds.yaml cloud {:?} has \
                 verify: false), so anyone on the path can pose as the cloud; set cacert to the \
                 cloud's CA and remove verify: false",
                cloud.name
            ));
        }
        if !array.verify {
            self.warnings.push(format!(
                "site {site:?}: the array's TLS certificate is not verified (verify = false), so \
                 anyone on the path can pose as the array; set cacert under [sites.array] to its \
                 CA and remove verify = false"
            ));
        }
    }

    fn warn_if_readable(&mut self, path: &Path, what: &str) {
        if readable_by_others(path) {
            self.warnings.push(format!(
                "{} {what} and is readable by group or others; run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
}

fn url_has_password(url: &str) -> bool {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .is_some_and(|(cred, _)| cred.contains(':'))
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}
