//! A TLS client for the demo cluster that trusts only the run's CA.

use std::sync::Arc;

use podscope::demo::DemoCluster;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

pub fn connector(cluster: &DemoCluster) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(cluster.ca_der.clone()))
        .unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// A fresh TLS connection to the cluster.
pub async fn connect(cluster: &DemoCluster) -> TlsStream<TcpStream> {
    let addr = cluster.url.trim_start_matches("https://");
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    connector(cluster)
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the run's CA")
}
