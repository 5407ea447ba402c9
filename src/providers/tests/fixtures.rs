//! API.md's example bodies, copied from the page (`PORT` is the fake's port). Where the page
//! lists only field names, values are filled in.

/// §1, verbatim.
pub const TOKEN_DOC: &str = r#"{"token": {"methods": ["password"], "expires_at": "2026-11-24T11:42:07.000000Z",
  "issued_at": "2026-11-24T10:42:07.000000Z",
  "user": {"id": "u1", "name": "operator", "domain": {"id": "default", "name": "Default"}},
  "project": {"id": "p1", "name": "dr-demo", "domain": {"id": "default", "name": "Default"}},
  "roles": [{"id": "r1", "name": "member"}],
  "catalog": [{"type": "compute", "name": "nova", "id": "s1", "endpoints": [{"id": "e1",
    "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
    "url": "http://127.0.0.1:PORT/compute/v2.1"}]}]}}"#;

/// §1's token with a later expiry and the full catalog (identity, compute, network, volumev3),
/// plus an internal and a second-region compute endpoint for endpoint selection.
pub fn token_body(expires_at: &str) -> String {
    let catalog = r#"[
    {"type": "identity", "name": "keystone", "id": "s0", "endpoints": [{"id": "e0",
      "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
      "url": "http://127.0.0.1:PORT/identity"}]},
    {"type": "compute", "name": "nova", "id": "s1", "endpoints": [
      {"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
       "url": "http://127.0.0.1:PORT/compute/v2.1"},
      {"id": "e1i", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne",
       "url": "http://127.0.0.1:PORT/internal/compute/v2.1"},
      {"id": "e1r", "interface": "public", "region": "RegionTwo", "region_id": "RegionTwo",
       "url": "http://127.0.0.1:PORT/r2/compute/v2.1/"}]},
    {"type": "network", "name": "neutron", "id": "s2", "endpoints": [{"id": "e2",
      "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
      "url": "http://127.0.0.1:PORT/network"}]},
    {"type": "volumev3", "name": "cinderv3", "id": "s3", "endpoints": [{"id": "e3",
      "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
      "url": "http://127.0.0.1:PORT/volume/v3/p1"}]}]}}"#;
    let head = TOKEN_DOC.split("\"catalog\":").next().expect("catalog key");
    format!("{head}\"catalog\": {catalog}").replace("2026-11-24T11:42:07.000000Z", expires_at)
}

pub fn future_expiry() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

pub const KEYSTONE_401: &str = r#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#;
pub const NOVA_NOT_FOUND: &str =
    r#"{"itemNotFound": {"code": 404, "message": "Instance nope could not be found."}}"#;
pub const NOVA_CONFLICT: &str = r#"{"conflictingRequest": {"code": 409, "message": "Cannot 'stop' instance while it is in vm_state stopped"}}"#;
pub const NOVA_FAULT: &str =
    r#"{"computeFault": {"code": 503, "message": "Service temporarily unavailable"}}"#;
pub const CINDER_BAD_REQUEST: &str =
    r#"{"badRequest": {"code": 400, "message": "Invalid volume type: nope"}}"#;
pub const NEUTRON_IP_TAKEN: &str = r#"{"NeutronError": {"type": "IpAddressAlreadyAllocated", "message": "IP address 10.0.0.5 already allocated in subnet sub-1", "detail": ""}}"#;
pub const NEUTRON_NOT_FOUND: &str = r#"{"NeutronError": {"type": "PortNotFound", "message": "Port nope could not be found.", "detail": ""}}"#;
pub const ARRAY_ERROR: &str =
    r#"{"errors": [{"context": "web-app-pg", "message": "Protection group does not exist."}]}"#;
pub const ARRAY_NAME_TAKEN: &str =
    r#"{"errors": [{"context": "web-1-boot-dr", "message": "Volume already exists."}]}"#;

pub const COMPUTE_VERSION: &str = r#"{"version": {"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1", "links": [{"rel": "self", "href": "http://127.0.0.1:PORT/compute/v2.1/"}]}}"#;

/// §2's SERVER, with values for the fields the page only names.
pub const SERVER_WEB1: &str = r#"{"id": "srv-1", "name": "web-1", "status": "ACTIVE",
  "flavor": {"original_name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 0},
  "addresses": {"net-web": [{"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed",
    "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:12:34:56"}]},
  "os-extended-volumes:volumes_attached": [{"id": "vol-id", "delete_on_termination": false}],
  "metadata": {}, "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": null,
  "OS-EXT-STS:power_state": 1, "created": "2026-11-24T10:00:00Z", "updated": "2026-11-24T10:01:00Z",
  "tenant_id": "p1", "user_id": "u1", "image": "", "links": []}"#;

pub fn server(id: &str, name: &str, metadata: &str) -> String {
    SERVER_WEB1
        .replace("\"srv-1\"", &format!("\"{id}\""))
        .replace("\"web-1\"", &format!("\"{name}\""))
        .replace("\"metadata\": {}", &format!("\"metadata\": {metadata}"))
}

pub const SERVER_CREATED: &str = r#"{"server": {"id": "srv-new", "links": [], "OS-DCF:diskConfig": "MANUAL", "security_groups": [{"name": "default"}]}}"#;
pub const FLAVORS: &str = r#"{"flavors": [{"id": "f1", "name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 0}, {"id": "f2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20}]}"#;

pub const NETWORKS: &str = r#"{"networks": [{"id": "net-1", "name": "net-web", "status": "ACTIVE", "subnets": ["sub-1"], "admin_state_up": true, "project_id": "p1", "shared": false}]}"#;
pub const SUBNETS: &str = r#"{"subnets": [{"id": "sub-1", "name": "sub-web", "network_id": "net-1", "cidr": "10.0.0.0/24", "ip_version": 4}]}"#;
pub const PORT: &str = r#"{"id": "port-1", "name": "web-1-net-web", "network_id": "net-1", "mac_address": "fa:16:3e:12:34:56", "fixed_ips": [{"subnet_id": "sub-1", "ip_address": "10.0.0.5"}], "device_id": "srv-1", "device_owner": "compute:nova", "status": "ACTIVE", "project_id": "p1"}"#;

pub const VOLUME: &str = r#"{"id": "vol-1", "name": "web-1-boot", "status": "in-use", "size": 20, "volume_type": "replicated", "bootable": "true",
  "attachments": [{"server_id": "srv-1", "attachment_id": "att-1", "volume_id": "vol-1", "device": "/dev/vda", "id": "vol-1"}],
  "replication_status": "enabled", "metadata": {}, "created_at": "2026-11-24T10:00:00.000000",
  "availability_zone": "nova", "os-vol-host-attr:host": "cinder@array#array"}"#;
pub const VOLUME_TYPES: &str = r#"{"volume_types": [{"id": "t1", "name": "replicated", "extra_specs":
  {"replication_enabled": "<is> True", "replication_type": "<in> async", "volume_backend_name":
  "array"}}, {"id": "t2", "name": "local", "extra_specs": {"volume_backend_name": "array"}}]}"#;
pub const MANAGEABLE: &str = r#"{"manageable-volumes": [{"reference":
  {"source-name": "web-1-boot-dr"}, "size": 20, "safe_to_manage": true, "reason_not_safe": null,
  "cinder_id": null}]}"#;

pub const ARRAY_LOGIN: &str = r#"{"items": [{"username": "pureuser"}]}"#;
pub const ARRAY_CONNECTIONS: &str = r#"{"items": [{"name": "array-b", "status": "connected",
  "type": "async-replication", "management_address": "10.1.0.2"}], "continuation_token": null, "total_item_count": 1}"#;
pub const ARRAY_VOLUMES: &str = r#"{"items": [{"id": "av-1", "name": "web-1-boot", "provisioned": 21474836480,
  "created": 1764000000000, "source": null, "destroyed": false, "serial": "ABC123"},
  {"id": "av-2", "name": "web-1-boot-dr", "provisioned": 21474836480,
  "created": 1764000005000, "source": {"name": "array-a:web-app-pg.2291.web-1-boot"}, "destroyed": false, "serial": "DEF456"}],
  "continuation_token": null, "total_item_count": 2}"#;
pub const ARRAY_PGS: &str = r#"{"items": [{"name": "web-app-pg",
  "source": {"name": "array-a"}, "target_count": 1, "volume_count": 5, "replication_schedule":
  {"enabled": true, "frequency": 60000}}]}"#;
pub const ARRAY_PG_VOLUMES: &str = r#"{"items": [{"group":
  {"name": "web-app-pg"}, "member": {"name": "web-1-boot"}}]}"#;
pub const ARRAY_PG_TARGETS: &str = r#"{"items": [{"group":
  {"name": "web-app-pg"}, "member": {"name": "array-b"}, "allowed": true}]}"#;
pub const ARRAY_PG_SNAPSHOT: &str = r#"{"items": [{"name": "web-app-pg.2291", "source": {"name": "web-app-pg"}, "suffix": "2291",
  "created": 1764000000000, "destroyed": false}]}"#;
/// Two arrived snapshots, listed newest first to check the client's ordering.
/// As the array answers `sort=created`: oldest first.
pub const ARRAY_PG_SNAPSHOTS_TARGET: &str = r#"{"items": [
  {"name": "array-a:web-app-pg.2291", "source": {"name": "array-a:web-app-pg"}, "suffix": "2291", "created": 1764000000000, "destroyed": false},
  {"name": "array-a:web-app-pg.2292", "source": {"name": "array-a:web-app-pg"}, "suffix": "2292", "created": 1764000060000, "destroyed": false}]}"#;
pub const ARRAY_TRANSFER: &str = r#"{"items": [{"name": "web-app-pg.2291",
  "started": 1764000000000, "completed": 1764000004000, "progress": 1.0,
  "data_transferred": 123456}, {"name": "web-app-pg.2292", "started": 1764000060000, "completed": null, "progress": 0.4, "data_transferred": 1000}]}"#;
pub const ARRAY_VOLUME_SNAPSHOTS: &str = r#"{"items": [{"name": "array-a:web-app-pg.2291.web-1-boot", "source": {"name": "web-1-boot"},
  "suffix": "2291", "created": 1764000000000, "destroyed": false}]}"#;
