//! HTTPS on loopback with a certificate made at start: a local CA (its certificate is what
//! clients are told to trust) and a server certificate it signs for `localhost`, `127.0.0.1`
//! and `::1`. The official SDKs refuse plain-http webhooks; with this they run against the
//! emulator unchanged.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The server side of TLS and the CA certificate clients trust.
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    /// The CA certificate, PEM.
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

/// Makes a new CA and server certificate (new keys at every start) and the TLS acceptor.
///
/// # Errors
/// When a key or a certificate cannot be made (a message).
pub(crate) fn generate() -> Result<Tls, String> {
    let failed = |what: &str, e: &dyn std::fmt::Display| format!("TLS: cannot {what}: {e}");
    let ca_key = KeyPair::generate().map_err(|e| failed("make the CA key", &e))?;
    let mut ca =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| failed("describe the CA", &e))?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "b24-emulator local CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca
        .self_signed(&ca_key)
        .map_err(|e| failed("sign the CA certificate", &e))?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(|e| failed("make the server key", &e))?;
    let mut server = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(|e| failed("describe the server certificate", &e))?;
    server
        .distinguished_name
        .push(DnType::CommonName, "b24-emulator");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let server_cert = server
        .signed_by(&key, &issuer)
        .map_err(|e| failed("sign the server certificate", &e))?;

    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed("choose the TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca_cert.der().clone()],
            private,
        )
        .map_err(|e| failed("use the server certificate", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca_cert.pem(),
    })
}
