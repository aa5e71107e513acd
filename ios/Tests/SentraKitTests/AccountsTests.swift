import Foundation
import SentraKit
import XCTest

final class AccountsTests: XCTestCase {
    func testEachLoginHasItsOwnFileWithoutItsPhoneNumberInTheName() throws {
        let dir = try temporaryDirectory()
        let book = AccountBook(directory: dir, sessions: MemorySessionStore())
        let siti = book.databaseFor("0812-3456-7890")
        XCTAssertEqual(siti, book.databaseFor("081234567890"), "dashes and spaces do not make another account")
        XCTAssertEqual(siti, book.databaseFor(" 0812 3456 7890"))
        XCTAssertEqual(book.databaseFor("Pendamping"), book.databaseFor("pendamping"))
        XCTAssertNotEqual(siti, book.databaseFor("081234567891"))
        XCTAssertEqual(siti.deletingLastPathComponent().standardizedFileURL.path, dir.standardizedFileURL.path)
        let name = siti.lastPathComponent
        XCTAssertTrue(name.hasPrefix("account-") && name.hasSuffix(".db"), name)
        XCTAssertEqual(name.count, "account-".count + 16 + ".db".count, name)
        XCTAssertFalse(name.contains("3456"), name)
        // Stable across runs and builds: the FNV-1a hash of the empty login is its offset basis.
        XCTAssertEqual(book.databaseFor("").lastPathComponent, "account-cbf29ce484222325.db")
    }

    /// The first sign-in is online: the server checks the secret, the session is kept in the
    /// store (the Keychain in the app), and the login is remembered for switching.
    func testSigningInKeepsTheSessionAndRemembersTheLogin() async throws {
        let server = try TestServer.running()
        let sessions = MemorySessionStore()
        let book = AccountBook(directory: try temporaryDirectory(), sessions: sessions)
        let device = try await book.signIn(serverUrl: server.url, login: server.facilitator, secret: server.facilitatorSecret)

        let session = try XCTUnwrap(sessions.load(server.facilitator))
        XCTAssertEqual(session.serverUrl, server.url)
        XCTAssertEqual(session.role, "facilitator")
        XCTAssertNil(session.producerId)
        XCTAssertFalse(session.token.isEmpty)
        XCTAssertEqual(try device.account()?.role, .facilitator)
        XCTAssertEqual(device.path(), book.databaseFor(server.facilitator).path)
        XCTAssertEqual(book.known().map(\.login), [server.facilitator])
        XCTAssertEqual(book.known().map(\.role), ["facilitator"])

        // Signing in again does not list the login twice.
        _ = try await book.signIn(serverUrl: server.url, login: server.facilitator, secret: server.facilitatorSecret)
        XCTAssertEqual(book.known().count, 1)
    }

    func testRoleCodesAreTheServersCodes() {
        XCTAssertEqual(roleCode(.producer), "producer")
        XCTAssertEqual(roleCode(.facilitator), "facilitator")
        XCTAssertEqual(roleCode(.cooperativeAdmin), "cooperative_admin")
        XCTAssertEqual(roleCode(.official), "official")
        XCTAssertEqual(roleCode(.admin), "admin")
    }

    /// A producer's PIN guards her file on a shared phone, checked offline by the core: a wrong
    /// PIN counts down, five lock it for everyone, even the right PIN.
    func testThePinGuardsAProducersFileOffline() throws {
        let book = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let device = try SentraDevice.open(path: book.databaseFor("0812-3456-7890").path)
        XCTAssertFalse(try device.hasUnlockPin())
        XCTAssertEqual(try device.unlock(pin: "000000"), .open, "no PIN set: nothing to unlock")
        try device.setUnlockPin(pin: pin)
        XCTAssertTrue(try device.hasUnlockPin())
        XCTAssertEqual(try device.unlock(pin: pin), .open)
        XCTAssertEqual(try device.unlock(pin: "135790"), .wrong(attemptsLeft: 4))
        for _ in 0..<4 { _ = try device.unlock(pin: "000000") }
        guard case .locked(let until) = try device.unlock(pin: "000000") else { return XCTFail("not locked") }
        XCTAssertGreaterThan(until, Int64(Date().timeIntervalSince1970 * 1000))
        guard case .locked = try device.unlock(pin: pin) else { return XCTFail("the right PIN opened a locked file") }
        XCTAssertThrowsError(try device.setUnlockPin(pin: "12ab")) { error in
            XCTAssertEqual((error as? SentraError)?.code, .validation)
        }
    }

    /// A damaged file is rebuilt with the unsent work and the PIN; the old session belongs to the
    /// old device, so it is forgotten and the account signs in again.
    func testADamagedDatabaseIsRebuiltAndAsksToSignInAgain() throws {
        let sessions = MemorySessionStore()
        let book = AccountBook(directory: try temporaryDirectory(), sessions: sessions)
        let login = "0812-3456-7890"
        let file = book.databaseFor(login)
        do {
            let device = try SentraDevice.open(path: file.path)
            let me = try device.registerProducer(input: siti(phone: login, region: "3327"))
            for i in 0..<200 { _ = try device.createProduct(input: jeans(me, name: "Celana Jeans \(i)")) }
            try device.setUnlockPin(pin: pin)
            device.closeDatabase()
        }
        // A failing card scribbles over the middle of the file.
        let handle = try FileHandle(forUpdating: file)
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        handle.write(Data(repeating: 0xA5, count: 8192))
        try handle.close()
        sessions.save(Session(serverUrl: "https://sentra.example", token: "t", userId: "u", role: "producer", producerId: nil),
                      for: login)

        let recovered = try book.recover(login: login)
        let aside = try XCTUnwrap(recovered.report.damagedFile)
        XCTAssertTrue(FileManager.default.fileExists(atPath: aside), "the damaged file is kept aside")
        XCTAssertTrue(recovered.report.signInAgain)
        XCTAssertNil(sessions.load(login), "the old session belongs to the old device")
        XCTAssertGreaterThan(recovered.report.salvagedChanges, 0)
        XCTAssertEqual(try recovered.device.unlock(pin: pin), .open)
    }
}
