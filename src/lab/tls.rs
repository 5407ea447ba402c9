//! The lab's private CA and the server certificate it signs (SAN IP 127.0.0.1 and DNS localhost),
//! kept in the lab's directory so a restarted lab keeps them: DIR/ca.pem (the CA, beside
//! clouds.yaml, which clients trust) and, mode 0600, DIR/tls/{ca-key,server,server-key}.pem.
//! A CA is never served as the server's certificate: rustls refuses that (`CaUsedAsEndEntity`).

use super::persist::write_private;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// The CA certificate clients are pointed at (clouds.yaml `cacert`, the array's `ca_file`).
pub fn ca_path(dir: &Path) -> PathBuf {
    dir.join("ca.pem")
}

struct Files {
    ca: PathBuf,
    ca_key: PathBuf,
    server: PathBuf,
    server_key: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Self {
        let tls = dir.join("tls");
        Self {
            ca: ca_path(dir),
            ca_key: tls.join("ca-key.pem"),
            server: tls.join("server.pem"),
            server_key: tls.join("server-key.pem"),
        }
    }

    fn all_exist(&self) -> bool {
        [&self.ca, &self.ca_key, &self.server, &self.server_key]
            .iter()
            .all(|p| p.is_file())
    }
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("lab TLS: {what}: {e}"))
}

/// The acceptor for the lab's listeners: the kept certificate, or a new CA and certificate when
/// the directory has none (or only part of them).
pub fn acceptor(dir: &Path) -> io::Result<TlsAcceptor> {
    let files = Files::in_dir(dir);
    if !files.all_exist() {
        create(&files)?;
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.server)
        .map_err(|e| tls_err("cannot read the server certificate", e))?
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err("the server certificate is not PEM", e))?;
    let key = PrivateKeyDer::from_pem_file(&files.server_key)
        .map_err(|e| tls_err("cannot read the server key", e))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| tls_err("the server certificate and key do not match", e))?;
    // The lab's listeners speak HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A new CA and a server certificate it signs, written atomically (keys mode 0600).
fn create(files: &Files) -> io::Result<()> {
    let ca_key = KeyPair::generate().map_err(|e| tls_err("cannot make the CA key", e))?;
    let mut ca =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_err("CA parameters", e))?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "drconsole lab CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca
        .self_signed(&ca_key)
        .map_err(|e| tls_err("cannot sign the CA", e))?;
    let issuer = Issuer::new(ca, &ca_key);

    let server_key = KeyPair::generate().map_err(|e| tls_err("cannot make the server key", e))?;
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .map_err(|e| tls_err("server parameters", e))?;
    server
        .distinguished_name
        .push(DnType::CommonName, "drconsole lab");
    server.use_authority_key_identifier_extension = true;
    server.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .map_err(|e| tls_err("cannot sign the server certificate", e))?;

    if let Some(tls_dir) = files.ca_key.parent() {
        std::fs::create_dir_all(tls_dir)?;
    }
    write_private(&files.ca_key, ca_key.serialize_pem().as_bytes())?;
    write_private(&files.server_key, server_key.serialize_pem().as_bytes())?;
    write_private(&files.server, server_cert.pem().as_bytes())?;
    // Written last: its presence with the others means a complete set.
    write_public(&files.ca, ca_cert.pem().as_bytes())
}

/// The CA certificate is public: mode 0644, so any local client may read it.
fn write_public(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    write_private(path, bytes)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        acceptor(dir.path()).expect("first start makes a CA");
        let first = std::fs::read(ca_path(dir.path())).expect("ca.pem");
        acceptor(dir.path()).expect("second start");
        assert_eq!(std::fs::read(ca_path(dir.path())).expect("ca.pem"), first);
        let server = std::fs::read_to_string(dir.path().join("tls/server.pem")).expect("leaf");
        assert_ne!(
            server.as_bytes(),
            first.as_slice(),
            "the CA is not the leaf"
        );
    }
}
