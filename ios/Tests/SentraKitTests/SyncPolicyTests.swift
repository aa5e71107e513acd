import SentraKit
import XCTest

final class SyncPolicyTests: XCTestCase {
    func testDisplayPhotosWaitForWiFiUnlessMobileDataIsAllowed() {
        XCTAssertTrue(SyncPolicy.settings(windowMs: 30_000, unmetered: false, allowMobileData: false).thumbnailsOnly)
        XCTAssertFalse(SyncPolicy.settings(windowMs: 30_000, unmetered: false, allowMobileData: true).thumbnailsOnly)
        XCTAssertFalse(SyncPolicy.settings(windowMs: 30_000, unmetered: true, allowMobileData: false).thumbnailsOnly)
    }

    func testTheDeadlineLeavesAMarginInsideTheSchedulersWindow() {
        XCTAssertEqual(SyncPolicy.settings(windowMs: 30_000, unmetered: true, allowMobileData: false).deadlineMs, 25_000)
        XCTAssertEqual(SyncPolicy.settings(windowMs: 600_000, unmetered: true, allowMobileData: false).deadlineMs, 595_000)
        // A tiny window still gives the sync ten seconds.
        XCTAssertEqual(SyncPolicy.settings(windowMs: 2_000, unmetered: true, allowMobileData: false).deadlineMs, 10_000)
        let settings = SyncPolicy.settings(windowMs: 30_000, unmetered: true, allowMobileData: false)
        XCTAssertNil(settings.byteBudget)
        XCTAssertNil(settings.pushBatchBytes)
    }

    /// A token the server does not know ends the sync with `unauthorized`: the app must ask the
    /// person to sign in again, and says why.
    func testARevokedTokenMeansSignInAgain() async throws {
        let server = try TestServer.running()
        let book = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let device = try await book.signIn(serverUrl: server.url, login: server.facilitator, secret: server.facilitatorSecret)
        let settings = SyncPolicy.settings(windowMs: 30_000, unmetered: true, allowMobileData: false)

        let good = try await device.sync(serverUrl: server.url, token: book.sessions.load(server.facilitator)!.token,
                                         settings: settings, listener: nil, cancel: nil)
        XCTAssertTrue(good.completed, "\(good)")
        XCTAssertFalse(SyncPolicy.mustSignInAgain(good))

        let refused = try await device.sync(serverUrl: server.url, token: "not-a-token", settings: settings,
                                            listener: nil, cancel: nil)
        XCTAssertFalse(refused.completed)
        XCTAssertEqual(refused.stoppedBy, .refused(code: "unauthorized"))
        XCTAssertTrue(SyncPolicy.mustSignInAgain(refused))
        XCTAssertEqual(ErrorText.syncStopped(refused.stoppedBy, .id), "Sesi berakhir. Silakan masuk lagi.")
        XCTAssertEqual(ErrorText.syncStopped(refused.stoppedBy, .en), "Your session ended. Please sign in again.")
    }

    /// With no server to reach, the sync stops on its own and is retried later; no sign-in asked.
    func testNoSignalIsNotASignInProblem() async throws {
        let device = try SentraDevice.open(path: try temporaryDirectory().appendingPathComponent("a.db").path)
        let settings = SyncSettings(deadlineMs: 1_500, byteBudget: nil, thumbnailsOnly: true, pushBatchBytes: nil)
        let report = try await device.sync(serverUrl: "http://127.0.0.1:9", token: "t", settings: settings,
                                           listener: nil, cancel: nil)
        XCTAssertFalse(report.completed)
        XCTAssertNotNil(report.stoppedBy)
        XCTAssertFalse(SyncPolicy.mustSignInAgain(report))
        XCTAssertGreaterThan(report.nextAttemptInMs, 0)
    }

    /// A sync cancelled through SyncCancel stops between requests and says so.
    func testACancelledSyncSaysItWasCancelled() async throws {
        let server = try TestServer.running()
        let book = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let device = try await book.signIn(serverUrl: server.url, login: server.facilitator, secret: server.facilitatorSecret)
        let cancel = SyncCancel()
        cancel.cancel()
        let report = try await device.sync(serverUrl: server.url, token: book.sessions.load(server.facilitator)!.token,
                                           settings: SyncPolicy.settings(windowMs: 30_000, unmetered: true, allowMobileData: false),
                                           listener: nil, cancel: cancel)
        XCTAssertEqual(report.stoppedBy, .cancelled)
        XCTAssertEqual(ErrorText.syncStopped(report.stoppedBy, .id), "Sinkronisasi dihentikan.")
        XCTAssertFalse(SyncPolicy.mustSignInAgain(report))
    }
}
