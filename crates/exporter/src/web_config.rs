//! `--web.config.file`: the Prometheus exporter toolkit's web configuration, the parts that
//! matter to a metrics endpoint: TLS (`tls_server_config.cert_file`/`key_file`, and
//! `min_version`/`max_version`) and `basic_auth_users` with bcrypt hashes. Any other key is
//! refused by name, so that a setting this exporter does not implement (client certificates,
//! say) is never silently ignored.
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: /etc/netstat_exporter/tls.crt   # relative paths are relative to this file
//!   key_file: /etc/netstat_exporter/tls.key
//! basic_auth_users:
//!   prometheus: $2y$10$...                     # htpasswd -nBC 10 "" | tr -d ':\n'
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tls_server_config: Option<TlsFile>,
    #[serde(default)]
    basic_auth_users: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    cert_file: Option<String>,
    key_file: Option<String>,
    min_version: Option<String>,
    max_version: Option<String>,
}

/// The loaded configuration.
#[derive(Clone, Default)]
pub struct WebConfig {
    pub tls: Option<Arc<ServerConfig>>,
    /// User name → bcrypt hash; empty means no authentication.
    pub users: BTreeMap<String, String>,
}

/// Reads and checks the file: the YAML, the certificate and key, each hash's format.
pub fn load(path: &str) -> Result<WebConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let dir = Path::new(path).parent().unwrap_or(Path::new("."));
    parse(&text, dir).map_err(|e| format!("{path}: {e}"))
}

fn parse(text: &str, dir: &Path) -> Result<WebConfig, String> {
    let file: File = if text.trim().is_empty() {
        File::default()
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?
    };
    for (user, hash) in &file.basic_auth_users {
        hash.parse::<bcrypt::HashParts>()
            .map_err(|e| format!("basic_auth_users: the hash of {user:?} is not bcrypt: {e}"))?;
    }
    let tls = match file.tls_server_config {
        Some(tls) => Some(Arc::new(tls_config(&tls, dir)?)),
        None => None,
    };
    Ok(WebConfig {
        tls,
        users: file.basic_auth_users,
    })
}

fn tls_config(tls: &TlsFile, dir: &Path) -> Result<ServerConfig, String> {
    let (Some(cert_file), Some(key_file)) = (&tls.cert_file, &tls.key_file) else {
        return Err("tls_server_config needs both cert_file and key_file".to_string());
    };
    let cert_path = relative_to(dir, cert_file);
    let key_path = relative_to(dir, key_file);
    let certs = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cert_file {}: {e}", cert_path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cert_file {}: no certificate in it",
            cert_path.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| format!("key_file {}: {e}", key_path.display()))?;
    let versions = protocol_versions(tls.min_version.as_deref(), tls.max_version.as_deref())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| format!("tls_server_config: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("tls_server_config: the key does not fit the certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// TLS versions between `min` and `max` (`TLS12`, `TLS13`; older ones are not offered).
fn protocol_versions(
    min: Option<&str>,
    max: Option<&str>,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, String> {
    let rank = |name: Option<&str>, default: u8, key: &str| match name {
        None => Ok(default),
        Some("TLS12") => Ok(12),
        Some("TLS13") => Ok(13),
        Some(other) => Err(format!(
            "tls_server_config.{key}: {other:?} is not supported (TLS12 or TLS13)"
        )),
    };
    let (min, max) = (rank(min, 12, "min_version")?, rank(max, 13, "max_version")?);
    let versions: Vec<_> = [(12, &rustls::version::TLS12), (13, &rustls::version::TLS13)]
        .into_iter()
        .filter(|(v, _)| (min..=max).contains(v))
        .map(|(_, version)| version)
        .collect();
    if versions.is_empty() {
        return Err("tls_server_config: min_version is above max_version".to_string());
    }
    Ok(versions)
}

fn relative_to(dir: &Path, file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<WebConfig, String> {
        parse(text, Path::new("/nonexistent"))
    }

    #[test]
    fn users_and_empty_files() {
        let hash = bcrypt::hash("secret", 4).unwrap();
        let config = parse_text(&format!("basic_auth_users:\n  alice: {hash}\n")).unwrap();
        assert_eq!(config.users.get("alice"), Some(&hash));
        assert!(config.tls.is_none());
        let empty = parse_text("\n").unwrap();
        assert!(empty.users.is_empty() && empty.tls.is_none());
    }

    #[test]
    fn mistakes_are_named() {
        let err = parse_text("tls_server_config:\n  client_auth_type: RequireAnyClientCert\n")
            .err()
            .unwrap();
        assert!(err.contains("unknown field `client_auth_type`"), "{err}");
        let err = parse_text("basic_auth_users:\n  bob: plaintext\n")
            .err()
            .unwrap();
        assert!(err.contains("\"bob\" is not bcrypt"), "{err}");
        let err = parse_text("tls_server_config:\n  cert_file: a.crt\n")
            .err()
            .unwrap();
        assert!(err.contains("both cert_file and key_file"), "{err}");
        let err = parse_text("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n")
            .err()
            .unwrap();
        assert!(err.contains("cert_file /nonexistent/a.crt"), "{err}");
        let err = parse_text("basic_auth_users: [1, 2]\n").err().unwrap();
        assert!(err.contains("basic_auth_users"), "{err}");
        assert!(parse_text(": : :\n\t").is_err());
    }

    #[test]
    fn versions() {
        assert_eq!(protocol_versions(None, None).unwrap().len(), 2);
        assert_eq!(protocol_versions(Some("TLS13"), None).unwrap().len(), 1);
        assert!(protocol_versions(Some("TLS10"), None).is_err());
        assert!(protocol_versions(Some("TLS13"), Some("TLS12")).is_err());
    }
}
