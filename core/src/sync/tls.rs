//! Which servers the phone trusts: rustls with the *ring* crypto provider and the Mozilla root
//! certificates bundled into the library (`webpki-roots`), plus any root a private deployment
//! adds. Nothing here asks the operating system.
//!
//! Why not the platform's certificate store (reqwest's default, `rustls-platform-verifier`): on
//! Android that verifier must be initialised from the app with a JNI context and needs its Kotlin
//! component in the Gradle build, or the first certificate check panics; neither can be built or
//! run on the machines this project is tested on. Bundled roots verify the same way on Android,
//! iOS and Linux, need nothing from the app, and are what the TLS suite here exercises
//! (`tests/tests/tls.rs`). ring rather than aws-lc-rs: a smaller library on the phone. The costs
//! (roots change only with an app update; a root the user installs on the phone is not trusted;
//! no revocation checks) are weighed in docs/SECURITY.md.

use rustls::pki_types::CertificateDer;
use std::sync::Arc;

/// Certificate authorities a transport trusts besides the bundled Mozilla roots: a private
/// deployment's own CA, or a test CA. Empty by default.
#[derive(Debug, Clone, Default)]
pub struct ExtraRoots(Vec<CertificateDer<'static>>);

impl ExtraRoots {
    /// No roots besides the bundled ones.
    pub fn none() -> Self {
        ExtraRoots::default()
    }

    /// Also trusts the CA whose certificate is `der` (DER-encoded X.509).
    pub fn with(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.0.push(CertificateDer::from(der.into()));
        self
    }
}

/// The TLS settings of the phone's HTTP client: TLS 1.2 and 1.3 through ring, certificates
/// checked against the bundled roots and `extra` (a root that does not parse is an error).
pub fn client_config(extra: &ExtraRoots) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // The process's default too, so that any other reqwest client of this build (the server's
    // tests, the benchmarks) finds a provider; a default installed earlier stays.
    let _ = rustls::crypto::CryptoProvider::install_default((*provider).clone());
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for root in &extra.0 {
        roots.add(root.clone())?;
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The HTTP client a transport uses: the TLS settings above, the given timeouts. `None` when
/// `extra` holds a root that does not parse.
pub(crate) fn http_client(
    extra: &ExtraRoots,
    connect_timeout: std::time::Duration,
    timeout: std::time::Duration,
) -> Option<reqwest::Client> {
    let tls = client_config(extra).ok()?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The roots that the CAs most HTTPS servers use chain to are in the bundle, so a server
    /// behind an ordinary ACME certificate verifies on every phone without the platform's store.
    #[test]
    fn the_bundle_holds_the_roots_public_servers_chain_to() {
        let subjects: Vec<String> = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|root| String::from_utf8_lossy(root.subject.as_ref()).into_owned())
            .collect();
        for name in [
            "ISRG Root X1",
            "ISRG Root X2",
            "GTS Root R1",
            "DigiCert Global Root G2",
        ] {
            assert!(
                subjects.iter().any(|s| s.contains(name)),
                "{name} is missing from the bundled roots"
            );
        }
        assert!(subjects.len() > 100, "{} roots", subjects.len());
    }

    #[test]
    fn a_root_that_does_not_parse_is_refused() {
        let garbage = ExtraRoots::none().with(b"not a certificate".to_vec());
        assert!(client_config(&garbage).is_err());
        assert!(client_config(&ExtraRoots::none()).is_ok());
    }
}
