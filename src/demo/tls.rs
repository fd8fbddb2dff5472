//! TLS for the demo API server. kubectl sends a bearer token only over TLS
//! (kubernetes/kubectl#744), so each run makes its own CA and a server certificate for
//! 127.0.0.1 and localhost; the CA goes into the kubeconfig as `certificate-authority-data`.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct Tls {
    /// The per-run CA, PEM-encoded, for the kubeconfig.
    pub ca_pem: String,
    /// The same CA in DER, for in-process clients.
    pub ca_der: Vec<u8>,
    pub acceptor: TlsAcceptor,
    /// What it is made of, to serve the same certificate after a restart (`--state-dir`).
    pub parts: TlsParts,
}

/// A server certificate chain and its key, in DER, with the CA's PEM.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TlsParts {
    pub ca_pem: String,
    pub ca_der: Vec<u8>,
    /// The server's certificate, then the CA's.
    pub chain: Vec<Vec<u8>>,
    /// The server's PKCS#8 key.
    pub key: Vec<u8>,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{what}: {e}"))
}

pub fn generate() -> std::io::Result<Tls> {
    let cert_error = |e: rcgen::Error| io_error("cannot make the demo certificate", e);
    let ca_key = KeyPair::generate().map_err(cert_error)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(cert_error)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "podscope demo CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(cert_error)?;

    let server_key = KeyPair::generate().map_err(cert_error)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(cert_error)?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    params
        .distinguished_name
        .push(DnType::CommonName, "podscope demo API server");
    let cert = params.signed_by(&server_key, &ca).map_err(cert_error)?;

    from_parts(TlsParts {
        ca_pem: ca.pem(),
        ca_der: ca.der().to_vec(),
        chain: vec![cert.der().to_vec(), ca.der().to_vec()],
        key: server_key.serialize_der(),
    })
}

/// Serve with a certificate made before.
pub fn from_parts(parts: TlsParts) -> std::io::Result<Tls> {
    let chain: Vec<CertificateDer<'static>> = parts
        .chain
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(parts.key.clone()));
    let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| io_error("TLS setup", e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| io_error("TLS setup", e))?;
    // HTTP/1.1 only: exec and attach upgrade the connection to a WebSocket.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        ca_pem: parts.ca_pem.clone(),
        ca_der: parts.ca_der.clone(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
        parts,
    })
}
