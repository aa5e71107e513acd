import Foundation
import SentraKit
import XCTest

/// A producer's own phone, through SentraKit as the app uses it, against the real library and a
/// real server: a mistyped sale voided in the sales history reaches the facilitator's phone; a
/// change the server refuses is shown with its reason in both languages, and "send again" and
/// "discard" do what they say; the sync card tells when, what and how much.
final class RefusalsTests: XCTestCase {
    func testARefusedChangeIsShownWithItsReasonSentAgainAndDiscarded() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let sitiPhone = freshPhone()
        let producer = try value(ProducerDirectory(device: pendamping.device, lang: .id)
            .register(draft("Konveksi Rowosari Jaya", phone: sitiPhone, region: server.region)))
        let product = try pendamping.device.createProduct(input: jeans(producer))
        let size30 = try pendamping.device.product(id: product).variants[0].id
        let first = try await pendamping.sync()
        XCTAssertTrue(first.completed && first.rejected == 0, "\(first)")

        // Siti, on her own phone, sells at the market and types 20 pairs instead of 2.
        let own = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let siti = try await own.signed(server, sitiPhone, pin)
        let pulled = try await siti.sync()
        XCTAssertTrue(pulled.completed && pulled.pulled > 0, "\(pulled)")
        let today = Day.today()
        let typo = try siti.device.recordSale(input: NewSaleInput(variantId: size30, quantity: 8, channel: .marketStall, soldOn: today))
        _ = try siti.device.recordSale(input: NewSaleInput(variantId: size30, quantity: 2, channel: .marketStall, soldOn: today))
        XCTAssertEqual(SalesHistoryText.total(try siti.device.salesHistory(from: today, to: today, limit: 10)), "Rp 1.500.000")
        _ = try siti.device.voidSale(saleId: typo, reason: "salah ketik")
        let history = try siti.device.salesHistory(from: today, to: today, limit: 10)
        XCTAssertEqual(SalesHistoryText.total(history), "Rp 300.000")
        let struck = try XCTUnwrap(history.first { $0.sale.id == typo })
        XCTAssertEqual(SalesHistoryText.line(struck, .id).voidText, "Dibatalkan: salah ketik")
        XCTAssertEqual(SalesHistoryText.line(struck, .en).voidText, "Voided: salah ketik")
        XCTAssertEqual(SalesHistoryText.line(struck, .id).detail, "8 \u{00d7} Rp 150.000")
        let sold = try await siti.sync()
        XCTAssertTrue(sold.completed && sold.rejected == 0, "\(sold)")
        let heard = try await pendamping.sync()
        XCTAssertTrue(heard.completed, "\(heard)")
        let theirs = try pendamping.device.salesHistory(from: today, to: today, limit: 10)
        XCTAssertEqual(SalesHistoryText.total(theirs), "Rp 300.000", "the facilitator's phone agrees")
        XCTAssertEqual(theirs.filter { SalesHistoryText.line($0, .id).voided }.map(\.sale.id), [typo])
        XCTAssertEqual(try pendamping.device.product(id: product).variants[0].stock, 8, "the voided pairs are back")

        // Her phone (a producer's account) registers her neighbour's shop and lists a product
        // for it: the server refuses both and says why.
        let neighbour = try value(ProducerDirectory(device: siti.device, lang: .id).register({
            var d = draft("Batik Tetangga", phone: freshPhone(), region: server.region)
            d.pin = ""
            d.pinAgain = ""
            return d
        }()))
        let batik = try siti.device.createProduct(input: jeans(neighbour, name: "Batik Tulis Tetangga"))
        let refused = try await siti.sync()
        XCTAssertGreaterThanOrEqual(refused.rejected, 2, "\(refused)")
        XCTAssertEqual(try siti.device.refusedProducts(), [batik])

        let refusals = Refusals(device: siti.device, lang: .id)
        let lines = try refusals.lines()
        XCTAssertEqual(lines.count, Int(refused.rejected), "\(lines)")
        let productLine = try XCTUnwrap(lines.first { $0.entity == "product" })
        XCTAssertEqual(productLine.entityId, batik)
        XCTAssertEqual(productLine.what, "Produk baru")
        XCTAssertEqual(productLine.why, "Akun ini tidak berhak mengubah data ini.")
        XCTAssertTrue(productLine.fixInEditor)
        let producerLine = try XCTUnwrap(lines.first { $0.entity == "producer" })
        XCTAssertEqual(producerLine.what, "Data usaha baru")
        XCTAssertFalse(producerLine.fixInEditor)
        let english = try XCTUnwrap(try Refusals(device: siti.device, lang: .en).lines().first { $0.entity == "product" })
        XCTAssertEqual(english.what, "Product (new)")
        XCTAssertEqual(english.why, "This account may not change this data.")

        // The sync card says so, with when and how much.
        let status = try siti.device.syncStatus()
        let card = SyncStatusText.lines(status, nowMs: nowMs(), .id)
        XCTAssertEqual(card.lastSync, "Terakhir sinkron baru saja")
        XCTAssertEqual(card.refusals, "\(lines.count) perubahan ditolak server: lihat dan putuskan.")
        XCTAssertEqual(SyncStatusText.lines(status, nowMs: nowMs(), .en).refusals,
                       "\(lines.count) changes refused by the server: see and decide.")
        XCTAssertNil(card.clock, "this phone's clock agrees with the server's")
        XCTAssertEqual(SyncStatusText.clock(-3 * 86_400_000, .id),
                       "Jam ponsel lebih cepat 3 hari. Betulkan tanggal dan jam di Pengaturan.")
        XCTAssertEqual(SyncStatusText.clock(-90 * 60_000, .en),
                       "The phone's clock is 90 minutes ahead. Set the date and time in Settings.")
        XCTAssertGreaterThan(status.dataMonthBytes, 0)
        XCTAssertEqual(card.data, "Data bulan ini: " + SyncStatusText.bytes(status.dataMonthBytes, .id))
        XCTAssertEqual(SyncStatusText.lines(status, nowMs: nowMs() + 2 * 3_600_000, .en).lastSync, "Last synced 2 h ago")

        // Sent again unchanged, the product is refused again (and listed once, under a new number).
        try value(refusals.sendAgain(productLine.seq))
        XCTAssertFalse(try refusals.lines().contains { $0.seq == productLine.seq })
        let again = try await siti.sync()
        XCTAssertEqual(again.rejected, 1, "\(again)")
        let now = try refusals.lines()
        XCTAssertEqual(now.filter { $0.entity == "product" }.count, 1, "\(now)")
        XCTAssertEqual(now.count, lines.count)

        // She lets them go: her phone takes the server's state, and her own shop stays.
        for line in now.sorted(by: { $0.seq > $1.seq }) {
            _ = try value(refusals.discard(line.seq))
        }
        XCTAssertEqual(try refusals.lines(), [])
        XCTAssertEqual(try siti.device.refusedProducts(), [])
        XCTAssertThrowsError(try siti.device.product(id: batik)) { error in
            XCTAssertEqual((error as? SentraError)?.code, .notFound)
        }
        XCTAssertEqual(try siti.device.listProducts(query: ProductPageQuery()).map(\.id), [product])
        XCTAssertNil(SyncStatusText.lines(try siti.device.syncStatus(), nowMs: nowMs(), .id).refusals)
        guard case .failure(let gone) = refusals.sendAgain(productLine.seq) else {
            return XCTFail("a discarded refusal was sent again")
        }
        XCTAssertFalse(gone.text.isEmpty)
        let clean = try await siti.sync()
        XCTAssertTrue(clean.completed && clean.rejected == 0, "\(clean)")
    }
}
