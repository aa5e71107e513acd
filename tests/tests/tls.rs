//! The phone's HTTPS, as deployed: the real server on loopback behind a TLS proxy (as Caddy or
//! nginx would sit in front of it), reached through the core's `HttpTransport`, which verifies
//! certificates with bundled roots and never asks the platform (`core/src/sync/tls.rs` says why:
//! on Android the platform verifier needs JNI initialisation that nothing here could test).
//!
//! The certificates come from a test CA made for each run; the transport is told to trust it the
//! way a private deployment would (`ExtraRoots`). A certificate from another CA, or for another
//! host name, is refused before a byte of the sign-in leaves the phone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use sentra_core::sync::engine::TransportError;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::tls::ExtraRoots;
use sentra_core::{Account, Role, Sentra};
use sentra_server::AppState;
use sentra_server::store::SqliteStore;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const LOGIN: &str = "pendamping";
const SECRET: &str = "rahasia-kuat";

/// A certificate authority made for this run.
struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        TestCa {
            issuer: CertifiedIssuer::self_signed(params, key).unwrap(),
        }
    }

    fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    /// A server certificate for `host` (a name or an IP address) and its key.
    fn server_certificate(&self, host: &str) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec![host.to_owned()]).unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (cert.der().clone(), key)
    }
}

/// The real server on a plain loopback port, with a facilitator account.
async fn server() -> (SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("server.db")).unwrap());
    let state = AppState::new(store, dir.path().join("photos"));
    let setup = state.clone();
    tokio::task::spawn_blocking(move || {
        setup.create_account(LOGIN, SECRET, Role::Facilitator, None)
    })
    .await
    .unwrap()
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = sentra_server::app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (address, dir)
}

/// A TLS proxy in front of `upstream` presenting `certificate`; counts the connections whose
/// handshake succeeded (only those are forwarded).
async fn tls_proxy(
    upstream: SocketAddr,
    (certificate, key): (CertificateDer<'static>, PrivateKeyDer<'static>),
) -> (u16, Arc<AtomicUsize>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = handshakes.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (port, handshakes)
}

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_signs_in_and_syncs_over_https_to_a_server_whose_ca_it_trusts() {
    let (upstream, _server) = server().await;
    let ca = TestCa::new("Sentra Test CA");
    let (port, handshakes) = tls_proxy(upstream, ca.server_certificate("localhost")).await;
    let url = format!("https://localhost:{port}");
    let trusted = ExtraRoots::none().with(ca.der());

    let dir = tempfile::tempdir().unwrap();
    let phone = Sentra::open(&dir.path().join("phone.db")).unwrap();
    let (transport, signed_in) =
        HttpTransport::sign_in_trusting(&url, &trusted, phone.device_id(), LOGIN, SECRET)
            .await
            .unwrap();
    assert_eq!(signed_in.role, Role::Facilitator);
    phone
        .set_account(Account {
            user_id: signed_in.user_id,
            role: signed_in.role,
        })
        .unwrap();
    let maker = phone
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    phone
        .create_product(&sentra_tests::jeans(&maker.to_string()))
        .unwrap();

    let report = phone
        .sync(
            &transport,
            &SyncOptions::default(),
            None::<&Quiet>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(report.completed, "stopped by {:?}", report.stopped_by);
    assert_eq!(report.rejected, 0);
    assert!(
        report.pushed >= 3,
        "producer, product and variants: {report:?}"
    );
    assert!(handshakes.load(Ordering::SeqCst) >= 1);
}

/// What a sign-in through `transport_roots` to a proxy presenting `certificate` ends with, and
/// how many TLS handshakes the proxy completed.
async fn sign_in_to(
    certificate: (CertificateDer<'static>, PrivateKeyDer<'static>),
    host: &str,
    roots: &ExtraRoots,
) -> (Result<(), TransportError>, usize) {
    let (upstream, _server) = server().await;
    let (port, handshakes) = tls_proxy(upstream, certificate).await;
    let dir = tempfile::tempdir().unwrap();
    let phone = Sentra::open(&dir.path().join("phone.db")).unwrap();
    let url = format!("https://{host}:{port}");
    let outcome = HttpTransport::sign_in_trusting(&url, roots, phone.device_id(), LOGIN, SECRET)
        .await
        .map(|_| ());
    (outcome, handshakes.load(Ordering::SeqCst))
}

/// A refusal for a bad certificate: a network problem (retried later: on a hotel or café Wi-Fi
/// whose login page intercepts HTTPS, the next network may be fine), never a sign-in.
fn assert_certificate_refused(outcome: Result<(), TransportError>, handshakes: usize, why: &str) {
    match outcome {
        Err(TransportError::Transient(message)) => assert!(
            message.contains("certificate") && message.contains(why),
            "{message}"
        ),
        other => panic!("expected a refused certificate ({why}), got {other:?}"),
    }
    assert_eq!(
        handshakes, 0,
        "nothing reaches the server after a refused certificate"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_a_ca_the_phone_does_not_trust_is_refused() {
    let ours = TestCa::new("Sentra Test CA");
    let stranger = TestCa::new("Someone Else's CA");
    let (outcome, handshakes) = sign_in_to(
        stranger.server_certificate("localhost"),
        "localhost",
        &ExtraRoots::none().with(ours.der()),
    )
    .await;
    assert_certificate_refused(outcome, handshakes, "UnknownIssuer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_roots_alone_do_not_trust_a_private_ca() {
    let ca = TestCa::new("Sentra Test CA");
    let (outcome, handshakes) = sign_in_to(
        ca.server_certificate("localhost"),
        "localhost",
        &ExtraRoots::none(),
    )
    .await;
    assert_certificate_refused(outcome, handshakes, "UnknownIssuer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_certificate_for_another_host_is_refused() {
    let ca = TestCa::new("Sentra Test CA");
    let (outcome, handshakes) = sign_in_to(
        ca.server_certificate("sentra.example"),
        "localhost",
        &ExtraRoots::none().with(ca.der()),
    )
    .await;
    assert_certificate_refused(outcome, handshakes, "not valid for name");
}
