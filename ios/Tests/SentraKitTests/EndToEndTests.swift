import Foundation
// Only SentraKit: it re-exports the generated bindings (Exports.swift), as the app uses them.
import SentraKit
import XCTest

/// A day of Sentra on a shared phone, driven from Swift through SentraKit, against the real
/// library and a real server on loopback.
final class EndToEndTests: XCTestCase {
    @MainActor
    func testAFacilitatorRegistersAProducerWhoReceivesAnOrderShipsItAndTheServerKnows() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let sitiPhone = freshPhone()
        let settings = SyncPolicy.settings(windowMs: 60_000, unmetered: true, allowMobileData: false)

        // The facilitator signs in and, offline from here on, registers Siti with a PIN and lists
        // her jeans in two sizes.
        let pendamping = try await phone.signIn(serverUrl: server.url, login: server.facilitator,
                                                secret: server.facilitatorSecret)
        let producer = try pendamping.registerProducer(input: siti(phone: sitiPhone, region: server.region))
        let product = try pendamping.createProduct(input: jeans(producer))
        let sizes = try pendamping.product(id: product).variants
        XCTAssertEqual(sizes.map { Rupiah.format($0.effectivePrice) }, ["Rp 150.000", "Rp 160.000"])

        // Progress arrives on the main actor through SentraKit's relay.
        let log = ProgressLog()
        let relay = ProgressRelay { progress in
            MainActor.assumeIsolated { log.seen.append(progress) }
        }
        let facilitatorToken = try XCTUnwrap(phone.sessions.load(server.facilitator)).token
        let first = try await pendamping.sync(serverUrl: server.url, token: facilitatorToken, settings: settings,
                                              listener: relay, cancel: nil)
        XCTAssertTrue(first.completed && first.rejected == 0, "\(first)")
        XCTAssertGreaterThanOrEqual(first.pushed, 3, "producer, product, stock: \(first)")
        for _ in 0..<200 where log.seen.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
        XCTAssertFalse(log.seen.isEmpty, "no progress reached the main actor")
        XCTAssertEqual(try pendamping.syncStatus().pending.map(\.count).reduce(0, +), 0)

        // Siti signs in on the same phone (her own database file) with her PIN and finds her
        // catalogue after a sync.
        let own = try await phone.signIn(serverUrl: server.url, login: sitiPhone, secret: pin)
        XCTAssertEqual(phone.known().map(\.login), [server.facilitator, sitiPhone])
        XCTAssertEqual(phone.known().map(\.role), ["facilitator", "producer"])
        XCTAssertNotEqual(phone.databaseFor(sitiPhone), phone.databaseFor(server.facilitator))
        let session = try XCTUnwrap(phone.sessions.load(sitiPhone))
        XCTAssertEqual(session.producerId, producer)
        XCTAssertEqual(session.role, "producer")
        let pulled = try await own.sync(serverUrl: server.url, token: session.token, settings: settings,
                                        listener: nil, cancel: nil)
        XCTAssertTrue(pulled.completed && pulled.pulled > 0, "\(pulled)")
        let catalogue = try own.listProducts(query: ProductPageQuery(producerId: producer))
        XCTAssertEqual(catalogue.map(\.name), ["Celana Jeans Rowosari"])

        // A buyer orders two pairs in size 32 through the server's order API.
        let order = """
            {"key": "\(UUID().uuidString.lowercased())", "producer_id": "\(producer)", "note": "Dibungkus rapi",
             "buyer": {"name": "Budi Santoso", "phone": "0857-1111-4321", "regency_code": "3374",
                       "address": "Jl. Pemuda 12, Semarang"},
             "lines": [{"variant_id": "\(sizes[1].id)", "quantity": 2}]}
            """
        let (status, placed) = try await server.post("/v1/orders", json: order)
        XCTAssertEqual(status, 201, placed)
        let code = try XCTUnwrap(TestServer.field(placed, "code"), placed)

        // It reaches Siti's phone on her next sync; she accepts it and ships it.
        let arrived = try await own.sync(serverUrl: server.url, token: session.token, settings: settings,
                                         listener: nil, cancel: nil)
        XCTAssertTrue(arrived.completed && arrived.pulled > 0, "\(arrived)")
        let incoming = try XCTUnwrap(try own.orders(tab: .toRespond, offset: 0, limit: 10).first)
        XCTAssertEqual(incoming.code, code)
        XCTAssertEqual(Rupiah.format(incoming.total), "Rp 320.000")
        XCTAssertEqual(try own.orderTabs().toRespond, 1)
        try own.transitionOrder(id: incoming.id, change: .accept)
        try own.transitionOrder(id: incoming.id, change: .ship(courier: "JNE", trackingNo: "JNE0012345678"))
        XCTAssertEqual(try own.orders(tab: .shipped, offset: 0, limit: 10).map(\.code), [code])
        let pushed = try await own.sync(serverUrl: server.url, token: session.token, settings: settings,
                                        listener: nil, cancel: nil)
        XCTAssertTrue(pushed.completed && pushed.pushed >= 2 && pushed.rejected == 0, "\(pushed)")

        // The server holds it as shipped; the buyer follows it with their phone's last digits.
        let (seen, body) = try await server.get("/v1/orders/\(code)?phone_last4=4321")
        XCTAssertEqual(seen, 200, body)
        XCTAssertEqual(TestServer.field(body, "status"), "shipped", body)
        let (wrong, _) = try await server.get("/v1/orders/\(code)?phone_last4=0000")
        XCTAssertEqual(wrong, 404)
    }
}
