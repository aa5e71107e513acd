import Foundation
import SentraKit
import XCTest

final class NoticeTextTests: XCTestCase {
    /// Siti deletes her jeans on her phone while the facilitator, not knowing, renames them on
    /// his: the delete wins, and the facilitator's phone tells him in words, once.
    func testAnEditLostToADeleteOnAnotherPhoneIsToldInBothLanguages() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let settings = SyncPolicy.settings(windowMs: 60_000, unmetered: true, allowMobileData: false)
        let sitiPhone = freshPhone()

        let pendamping = try await phone.signIn(serverUrl: server.url, login: server.facilitator,
                                                secret: server.facilitatorSecret)
        let producer = try pendamping.registerProducer(input: siti(phone: sitiPhone, region: server.region))
        let product = try pendamping.createProduct(input: jeans(producer))
        let facilitatorToken = try XCTUnwrap(phone.sessions.load(server.facilitator)).token
        func syncFacilitator() async throws {
            let report = try await pendamping.sync(serverUrl: server.url, token: facilitatorToken, settings: settings,
                                                   listener: nil, cancel: nil)
            XCTAssertTrue(report.completed && report.rejected == 0, "\(report)")
        }
        try await syncFacilitator()

        // Siti's own phone (another book: another device).
        let hers = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let siti = try await hers.signIn(serverUrl: server.url, login: sitiPhone, secret: pin)
        let sitiToken = try XCTUnwrap(hers.sessions.load(sitiPhone)).token
        func syncSiti() async throws {
            let report = try await siti.sync(serverUrl: server.url, token: sitiToken, settings: settings,
                                             listener: nil, cancel: nil)
            XCTAssertTrue(report.completed && report.rejected == 0, "\(report)")
        }
        try await syncSiti()

        // Offline, Siti deletes the jeans; the facilitator renames them.
        try siti.deleteProduct(id: product)
        try pendamping.editProduct(id: product, changes: ProductChanges(name: "Celana Jeans Biru"))
        try await syncFacilitator()
        try await syncSiti()
        try await syncFacilitator()

        let notice = try XCTUnwrap(try pendamping.notices().first, "no notice on the facilitator's phone")
        XCTAssertEqual(try pendamping.notices().count, 1)
        XCTAssertEqual(notice.kind, .editLostToDelete)
        XCTAssertEqual(NoticeText.of(notice, .id),
                       "Perubahan Anda pada \u{201C}Celana Jeans Biru\u{201D} tidak tersimpan: produk ini sudah dihapus di perangkat lain.")
        XCTAssertEqual(NoticeText.of(notice, .en),
                       "Your change to \u{201C}Celana Jeans Biru\u{201D} was not kept: the product was deleted on another device.")
        XCTAssertTrue(try siti.notices().isEmpty, "the phone that deleted has nothing to hear")
        try pendamping.dismissNotice(id: notice.id)
        XCTAssertTrue(try pendamping.notices().isEmpty)
    }
}
