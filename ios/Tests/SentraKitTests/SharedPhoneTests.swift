import Foundation
import SentraKit
import XCTest

/// Photo retries remembered in memory, for the tests (UserDefaults in the app).
final class RememberedRetries: PhotoRetryClock, @unchecked Sendable {
    private let lock = NSLock()
    private var at: [String: Int64] = [:]

    func last(_ login: String) -> Int64? {
        lock.lock()
        defer { lock.unlock() }
        return at[login]
    }

    func record(_ login: String, atMs: Int64) {
        lock.lock()
        defer { lock.unlock() }
        at[login] = atMs
    }
}

/// The shared phone, through SentraKit as the app uses it, against the real library and a real
/// server: switching accounts with the PIN and no network, background sync of every account on
/// the phone, and the notifications of a new order and of its respond deadline.
final class SharedPhoneTests: XCTestCase {
    /// Two producers signed in once on the facilitator's phone; from then on, switching to each
    /// needs only her PIN, checked on the phone: no server is asked.
    func testSwitchingAccountNeedsThePinAndNoNetwork() async throws {
        let server = try TestServer.running()
        let directory = try temporaryDirectory()
        let phone = AccountBook(directory: directory, sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let sitiPhone = freshPhone()
        _ = try value(ProducerDirectory(device: pendamping.device, lang: .id)
            .register(draft("Konveksi Rowosari Jaya", phone: sitiPhone, region: server.region)))
        let pushed = try await pendamping.sync()
        XCTAssertTrue(pushed.completed && pushed.rejected == 0, "\(pushed)")
        pendamping.device.closeDatabase()
        // Her first sign-in on this phone is online; her PIN then guards her file here.
        try await phone.signIn(serverUrl: server.url, login: sitiPhone, secret: pin).closeDatabase()

        // Later, with no network: a book over the same files whose sessions know no server.
        let offline = AccountBook(directory: directory, sessions: MemorySessionStore())
        XCTAssertEqual(offline.coldStart(activeLogin: sitiPhone), .askPin(login: sitiPhone), "never her data without her PIN")
        XCTAssertEqual(offline.coldStart(activeLogin: server.facilitator), .choose, "no phone PIN chosen: the list")
        XCTAssertEqual(offline.coldStart(activeLogin: "0899-0000-0000"), .choose)

        let wrong = try offline.switchTo(sitiPhone, pin: "000000")
        guard case .wrongPin(let left) = wrong else { return XCTFail("a wrong PIN gave \(wrong)") }
        XCTAssertEqual(left, 4)
        XCTAssertEqual(wrong.problem(.id), "PIN salah. Sisa 4 kali coba.")
        XCTAssertEqual(wrong.problem(.en), "Wrong PIN. 4 tries left.")

        let right = try offline.switchTo(sitiPhone, pin: pin)
        guard case .opened(let own) = right else { return XCTFail("her PIN gave \(right)") }
        XCTAssertNil(right.problem(.id))
        XCTAssertEqual(try own.account()?.role, .producer)
        XCTAssertEqual(try own.account()?.userId, phone.sessions.load(sitiPhone)?.userId, "her own file")
        XCTAssertEqual(own.path(), offline.databaseFor(sitiPhone).path)
        own.closeDatabase()

        // The facilitator chose no PIN for this phone: switching to him means signing in again.
        guard case .needsSignIn = try offline.switchTo(server.facilitator, pin: pin) else {
            return XCTFail("the facilitator's file opened with a producer's PIN")
        }
        guard case .needsSignIn = try offline.switchTo("0899-0000-0000", pin: pin) else {
            return XCTFail("an account never signed in here opened")
        }

        // Five wrong PINs lock her file for a while, even against the right one.
        for _ in 0..<5 { _ = try offline.switchTo(sitiPhone, pin: "000000") }
        let locked = try offline.switchTo(sitiPhone, pin: pin)
        guard case .locked(let until) = locked else { return XCTFail("five wrong PINs gave \(locked)") }
        XCTAssertEqual(locked.problem(.id, now: until - 15 * 60_000), "Terlalu banyak PIN salah. Coba lagi 15 menit lagi.")
        XCTAssertEqual(locked.problem(.en, now: until - 15 * 60_000), "Too many wrong PINs. Try again in 15 minutes.")

        // A staff account may choose a PIN for this phone when it signs in.
        try await phone.signIn(serverUrl: server.url, login: server.facilitator, secret: server.facilitatorSecret,
                               phonePin: "135790").closeDatabase()
        XCTAssertEqual(offline.coldStart(activeLogin: server.facilitator), .askPin(login: server.facilitator))
        guard case .opened(let staff) = try offline.switchTo(server.facilitator, pin: "135790") else {
            return XCTFail("the facilitator's phone PIN did not open his file")
        }
        staff.closeDatabase()
    }

    /// Background sync covers every account on the phone, not only the open one: a buyer's order
    /// for the producer whose account is closed is announced in her name, with a reminder before
    /// the 24-hour respond deadline; both go once, and the reminder goes when she has answered.
    func testBackgroundSyncCoversEveryAccountAndAnnouncesANewOrderOfTheOneNotOpen() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let directory = ProducerDirectory(device: pendamping.device, lang: .id)
        let sitiPhone = freshPhone()
        let darsihPhone = freshPhone()
        _ = try value(directory.register(draft("Konveksi Rowosari Jaya", phone: sitiPhone, region: server.region)))
        let darsih = try value(directory.register(draft("Gula Kristal Darsih", phone: darsihPhone, region: server.region)))
        let product = try pendamping.device.createProduct(input: jeans(darsih, name: "Gula Kristal 1 kg"))
        let variant = try pendamping.device.product(id: product).variants[0].id
        let pushed = try await pendamping.sync()
        XCTAssertTrue(pushed.completed && pushed.rejected == 0, "\(pushed)")
        pendamping.device.closeDatabase() // one handle per file: the background run opens it

        // Both producers sign in on this phone; Siti's account is the one in use.
        try await phone.signIn(serverUrl: server.url, login: sitiPhone, secret: pin).closeDatabase()
        try await phone.signIn(serverUrl: server.url, login: darsihPhone, secret: pin).closeDatabase()
        guard case .opened(let open) = try phone.switchTo(sitiPhone, pin: pin) else { return XCTFail("Siti's PIN") }

        // A buyer orders from Darsih, whose account is not open.
        let code = try await server.order(from: darsih, variant: variant, quantity: 3)
        let now = nowMs()
        let retries = RememberedRetries()
        let every = EveryAccountSync(book: phone, session: { phone.sessions.load($0) }, retries: retries, lang: .id)
        XCTAssertEqual(every.targets(), [server.facilitator, sitiPhone, darsihPhone])
        let settings = SyncPolicy.settings(windowMs: 30_000, unmetered: false, allowMobileData: false)
        let runs = await every.run(settings: settings, open: (sitiPhone, open), cancel: nil, now: { now })
        XCTAssertEqual(runs.map(\.login), [server.facilitator, sitiPhone, darsihPhone])
        for run in runs {
            XCTAssertEqual(run.report?.completed, true, "\(run.login): \(String(describing: run.report)) \(run.problem ?? "")")
            XCTAssertNil(run.problem)
            XCTAssertEqual(run.photosRequeued, 0)
        }
        XCTAssertNoThrow(try open.account(), "the open account's handle is reused, not closed")

        let darsihRun = try XCTUnwrap(runs.first { $0.login == darsihPhone })
        XCTAssertEqual(darsihRun.alerts.count, 1, "\(darsihRun.alerts)")
        let alert = try XCTUnwrap(darsihRun.alerts.first)
        XCTAssertEqual(alert.kind, .newOrder)
        XCTAssertEqual(alert.account, darsihPhone)
        XCTAssertEqual(alert.title, "Pesanan baru untuk Gula Kristal Darsih")
        XCTAssertEqual(alert.text, "Budi Santoso memesan 3 barang, Rp 450.000 (\(code)). Respon dalam 23 jam.")
        XCTAssertEqual(alert.atMs, now)
        XCTAssertEqual(alert.key, "\(darsihPhone):new_order:\(alert.orderId)")
        let reminder = try XCTUnwrap(darsihRun.reminders.first)
        XCTAssertEqual(darsihRun.reminders.count, 1)
        XCTAssertEqual(reminder.kind, .respondReminder)
        XCTAssertEqual(reminder.orderId, alert.orderId)
        XCTAssertEqual(reminder.title, "Segera tanggapi pesanan \(code)")
        XCTAssertEqual(reminder.text,
                       "Batas respon 3 jam lagi. Terima atau tolak pesanan Budi Santoso, agar pembeli tidak menunggu.")
        XCTAssertTrue(runs.first { $0.login == sitiPhone }?.alerts.isEmpty == true, "nothing new for Siti")
        // The facilitator's account hears of Darsih's order too.
        XCTAssertTrue(runs.first { $0.login == server.facilitator }?.alerts.contains { $0.text.contains("(\(code))") } == true)

        // The next run announces nothing again; the reminder is still due.
        let again = await every.run(settings: settings, open: (sitiPhone, open), cancel: nil, now: { now + 60_000 })
        XCTAssertTrue(again.allSatisfy { $0.alerts.isEmpty }, "\(again.map(\.alerts))")
        XCTAssertEqual(again.first { $0.login == darsihPhone }?.reminders.map(\.orderId), [alert.orderId])

        // Darsih opens her account: the same order, its deadline, and the words in English.
        guard case .opened(let hers) = try phone.switchTo(darsihPhone, pin: pin) else { return XCTFail("Darsih's PIN") }
        let order = try XCTUnwrap(try hers.orders(tab: .toRespond, offset: 0, limit: 5).first)
        let due = try XCTUnwrap(order.dueAt)
        XCTAssertEqual(reminder.atMs, due - OrderAlerts.remindBeforeMs)
        let english = OrderAlerts.arrived(order, account: darsihPhone, accountName: "Gula Kristal Darsih", now: now, lang: .en)
        XCTAssertEqual(english.title, "New order for Gula Kristal Darsih")
        XCTAssertEqual(english.text, "Budi Santoso ordered 3 items, Rp 450.000 (\(code)). Respond within 23 h.")
        XCTAssertEqual(OrderAlerts.reminder(order, account: darsihPhone, accountName: "", now: now, lang: .en)?.text,
                       "3 h left to respond. Accept or reject Budi Santoso's order so the buyer is not left waiting.")
        let late = OrderAlerts.arrived(order, account: darsihPhone, accountName: "", now: due + 2 * 3_600_000, lang: .id)
        XCTAssertTrue(late.text.hasSuffix(" Terlambat 2 jam."), late.text)
        XCTAssertNil(OrderAlerts.reminder(order, account: darsihPhone, accountName: "", now: due + 1, lang: .id),
                     "no reminder once the deadline has passed")
        let close = try XCTUnwrap(OrderAlerts.reminder(order, account: darsihPhone, accountName: "", now: due - 40 * 60_000, lang: .id))
        XCTAssertEqual(close.atMs, due - 40 * 60_000, "inside the last three hours: remind now")
        XCTAssertTrue(close.text.hasPrefix("Batas respon 40 menit lagi."), close.text)

        // She rejects it with a reason picked from the list; no reminder is left for it.
        XCTAssertNil(RejectReason.other.text(typed: "   "))
        XCTAssertEqual(RejectReason.missing(.id), "Tulis alasan penolakan untuk pembeli.")
        XCTAssertEqual(RejectReason.outOfStock.label(.en), "Out of stock")
        try hers.transitionOrder(id: order.id, change: .reject(reason: try XCTUnwrap(RejectReason.outOfStock.text(typed: ""))))
        hers.closeDatabase()
        let after = await every.run(settings: settings, open: (sitiPhone, open), cancel: nil, now: { now + 120_000 })
        XCTAssertEqual(after.first { $0.login == darsihPhone }?.report?.completed, true)
        XCTAssertEqual(after.first { $0.login == darsihPhone }?.reminders, [])
        let (_, seen) = try await server.get("/v1/orders/\(code)?phone_last4=4321")
        XCTAssertEqual(TestServer.field(seen, "status"), "rejected", seen)
        XCTAssertEqual(TestServer.field(seen, "reason"), "Stok habis", seen)

        // A signed-out account is left alone.
        phone.sessions.clear(darsihPhone)
        XCTAssertEqual(every.targets(), [server.facilitator, sitiPhone])
        open.closeDatabase()
    }
}
