import Foundation
import SentraKit
import XCTest

/// The facilitator in the field, through SentraKit as the app uses it, against the real library
/// and a real server: the region found by its name, consent to publish recorded on the phone
/// (and the storefront without it), a producer put into a cluster and out again, and a new
/// product that goes to the producer picked, not to the alphabetically first one.
final class FacilitatorInTheFieldTests: XCTestCase {
    func testTheRegionIsFoundByNameAndTheCodeIsWhatIsStored() throws {
        let device = try SentraDevice.open(path: try temporaryDirectory().appendingPathComponent("a.db").path)
        let found = RegionSearch.find("pemalang")
        XCTAssertEqual(found, [RegionChoice(code: "3327", label: "Kabupaten Pemalang, Jawa Tengah")])
        XCTAssertEqual(RegionSearch.find("kab pemalang").map(\.code), ["3327"], "the word Kabupaten/Kab is ignored")
        XCTAssertTrue(RegionSearch.find("kota semarang").contains { $0.label == "Kota Semarang, Jawa Tengah" })
        XCTAssertEqual(RegionSearch.find("banyumas", limit: 0).count, 1, "a limit below one still finds one")
        XCTAssertTrue(RegionSearch.find("zzzz tidak ada").isEmpty)
        XCTAssertEqual(RegionSearch.label("33.27.05"), "Kabupaten Pemalang, Jawa Tengah", "a district's code names its regency")
        XCTAssertNil(RegionSearch.label("9999"))

        // The form keeps the code of the region picked by name; the list shows its name.
        let directory = ProducerDirectory(device: device, lang: .id)
        var form = draft("Gula Kristal Makmur", phone: freshPhone(), region: found[0].code)
        form.sector = .foodBeverage
        form.address = "  Desa Rowosari RT 02  "
        form.workforce = " 4 "
        let id = try value(directory.register(form))
        XCTAssertEqual(try device.producer(id: id).regionCode, "3327")
        XCTAssertEqual(try device.producer(id: id).sector, "food_beverage")
        XCTAssertEqual(try device.producer(id: id).address, "Desa Rowosari RT 02")
        XCTAssertEqual(try device.producer(id: id).workforce, 4)
        let card = try XCTUnwrap(try directory.producers().first { $0.id == id })
        XCTAssertEqual(card.region, "Kabupaten Pemalang, Jawa Tengah")
        XCTAssertEqual(card.sector, "Makanan & minuman")
        XCTAssertEqual(try ProducerDirectory(device: device, lang: .en).producers().first?.sector, "Food & drink")

        // A code typed by hand that names no region is refused by the core, with the field named.
        guard case .failure(let refused) = directory.register(draft("Batik Salah Kode", phone: freshPhone(), region: "9999")) else {
            return XCTFail("an unknown region code was registered")
        }
        XCTAssertNotNil(refused.fields["region_code"], "\(refused)")
        // Workers typed as words, or too many, are refused on their own field, and nothing is saved.
        let before = try directory.producers().count
        for typed in ["empat", "100001"] {
            var workers = draft("Batik Pekerja", phone: freshPhone(), region: "3327")
            workers.workforce = typed
            guard case .failure(let refusal) = directory.register(workers) else {
                return XCTFail("\(typed) workers were registered")
            }
            XCTAssertNotNil(refusal.fields["workforce"], "\(typed): \(refusal)")
        }
        XCTAssertEqual(try directory.producers().count, before)
        var mismatch = draft("Batik PIN", phone: freshPhone(), region: "3327")
        mismatch.pinAgain = "135790"
        guard case .failure(let pins) = directory.register(mismatch) else { return XCTFail("mismatched PINs registered") }
        XCTAssertEqual(pins.text, "PIN tidak sama.")
        XCTAssertEqual(pins.fields["activation_pin"], "PIN tidak sama.")
    }

    /// Registered without consent, a producer's listed product stays off the storefront; the
    /// facilitator records consent on the phone later, it syncs, and the page appears.
    func testConsentRecordedOnThePhonePutsTheProductOnTheStorefront() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let directory = ProducerDirectory(device: pendamping.device, lang: .id)
        var form = draft("Anyaman Ani", phone: freshPhone(), region: RegionSearch.find("pemalang")[0].code, consent: false)
        form.consent(true, on: "2026-12-01")
        form.consent(false)
        XCTAssertNil(form.consentDate, "consent taken back before saving")
        let ani = try value(directory.register(form))
        XCTAssertNil(try directory.producers().first { $0.id == ani }?.consent)
        let product = try pendamping.device.createProduct(input: jeans(ani, name: "Tas Anyaman Pandan"))
        let first = try await pendamping.sync()
        XCTAssertTrue(first.completed && first.rejected == 0, "\(first)")
        let hidden = try await server.status("/p/\(product)")
        XCTAssertEqual(hidden, 404, "no consent: not on the storefront")
        let noShop = try await server.status("/toko/\(ani)")
        XCTAssertEqual(noShop, 404, "no consent: no shop page")
        let variant = try pendamping.device.product(id: product).variants[0].id
        let (refusedOrder, body) = try await server.post("/v1/orders", json: """
            {"key": "\(UUID().uuidString.lowercased())", "producer_id": "\(ani)", "note": "",
             "buyer": {"name": "Budi Santoso", "phone": "0857-1111-4321", "regency_code": "3374", "address": "Jl. Pemuda 12"},
             "lines": [{"variant_id": "\(variant)", "quantity": 1}]}
            """)
        XCTAssertEqual(refusedOrder, 404, "no consent: no orders either: \(body)")

        // Consent needs its day: the core refuses it without, naming the field.
        XCTAssertThrowsError(try pendamping.device.editProducer(id: ani, changes: ProducerChanges(consentPublish: true))) { error in
            guard let e = error as? SentraError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .validation)
            XCTAssertFalse(ErrorText.of(e, .id).fields.isEmpty, "\(e)")
        }
        try value(directory.recordConsent(ani, given: true, on: "2026-12-02"))
        XCTAssertEqual(try directory.producers().first { $0.id == ani }?.consent, "2026-12-02")
        XCTAssertEqual(try pendamping.device.producer(id: ani).consentPublish, true)
        let second = try await pendamping.sync()
        XCTAssertTrue(second.completed && second.rejected == 0 && second.pushed >= 1, "\(second)")
        let shown = try await server.status("/p/\(product)")
        XCTAssertEqual(shown, 200, "consent given: the storefront shows the product")
        let shop = try await server.get("/toko/\(ani)")
        XCTAssertEqual(shop.0, 200)
        XCTAssertTrue(shop.1.contains("Tas Anyaman Pandan"), "the shop lists the product")

        // Withdrawn again, the page goes.
        try value(directory.recordConsent(ani, given: false))
        XCTAssertNil(try pendamping.device.producer(id: ani).consentDate)
        let third = try await pendamping.sync()
        XCTAssertTrue(third.completed && third.rejected == 0, "\(third)")
        let gone = try await server.status("/p/\(product)")
        XCTAssertEqual(gone, 404, "consent withdrawn: off the storefront")
        let shopGone = try await server.status("/toko/\(ani)")
        XCTAssertEqual(shopGone, 404)
    }

    /// Into a new cluster, a second producer joins, the first leaves; the server accepts each
    /// change and another phone of the facilitator sees the cluster as it ended.
    func testAProducerIsPutIntoAClusterFromThePhoneAndTheServerAgrees() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let directory = ProducerDirectory(device: pendamping.device, lang: .id)
        let ani = try value(directory.register(draft("Anyaman Ani", phone: freshPhone(), region: server.region)))
        let budi = try value(directory.register(draft("Batik Budi", phone: freshPhone(), region: server.region)))
        let name = "Sentra Anyaman \(UUID().uuidString.prefix(8))"

        let anis = Clusters(device: pendamping.device, lang: .id, producerId: ani)
        let cluster = try value(anis.create(kind: "cluster", name: name, regionCode: server.region))
        let card = try XCTUnwrap(try anis.cards().first { $0.id == cluster })
        XCTAssertEqual(card.name, name)
        XCTAssertEqual(card.kindText, "Sentra/klaster")
        XCTAssertTrue(card.member)
        XCTAssertEqual(try Clusters(device: pendamping.device, lang: .en, producerId: ani).cards().first?.kindText, "Cluster")
        XCTAssertEqual(try pendamping.device.organisationsOf(producerId: ani).map(\.name), [name])

        let budis = Clusters(device: pendamping.device, lang: .id, producerId: budi)
        XCTAssertEqual(try budis.cards().first { $0.id == cluster }?.member, false)
        try value(budis.join(cluster))
        XCTAssertEqual(try budis.cards().first?.id, cluster, "the producer's own clusters come first")
        try value(anis.leave(cluster))
        XCTAssertEqual(try anis.cards().first { $0.id == cluster }?.member, false)
        guard case .failure(let notMember) = anis.leave(cluster) else { return XCTFail("left a cluster twice") }
        XCTAssertFalse(notMember.text.isEmpty)
        guard case .failure(let english) = Clusters(device: pendamping.device, lang: .en, producerId: ani).leave(cluster) else {
            return XCTFail("left a cluster twice")
        }
        XCTAssertNotEqual(notMember.text, english.text, "worded in both languages")
        guard case .failure(let badKind) = anis.create(kind: "arisan", name: "Arisan RT 3", regionCode: server.region) else {
            return XCTFail("an unknown kind of organisation was created")
        }
        XCTAssertFalse(badKind.text.isEmpty)

        let report = try await pendamping.sync()
        XCTAssertTrue(report.completed && report.rejected == 0, "\(report)")
        XCTAssertTrue(try pendamping.device.quarantined().isEmpty)

        // The facilitator's tablet (another device) pulls the cluster with Budi alone in it.
        let tablet = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let other = try await tablet.signed(server, server.facilitator, server.facilitatorSecret)
        let pulled = try await other.sync()
        XCTAssertTrue(pulled.completed, "\(pulled)")
        let seen = try XCTUnwrap(try other.device.organisations().first { $0.id == cluster })
        XCTAssertEqual(seen.members, [budi])
        XCTAssertEqual(seen.kind, "cluster")
        XCTAssertEqual(seen.regionCode, server.region)
    }

    /// With several producers on the phone, a new product goes to the one picked (and the picker
    /// starts from the last pick, never silently from the first name); each producer's own phone
    /// finds it in the right shop.
    func testANewProductGoesToTheProducerPicked() async throws {
        let server = try TestServer.running()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let directory = ProducerDirectory(device: pendamping.device, lang: .id)
        let aniPhone = freshPhone()
        let budiPhone = freshPhone()
        let ani = try value(directory.register(draft("Anyaman Ani", phone: aniPhone, region: server.region)))
        let budi = try value(directory.register(draft("Batik Budi", phone: budiPhone, region: server.region)))

        let picker = ProducerPicker(device: pendamping.device, lang: .id)
        XCTAssertEqual(try picker.choices().map(\.name), ["Anyaman Ani", "Batik Budi"])
        XCTAssertNil(picker.initial(ownProducerId: nil, lastPicked: nil), "no silent default")
        XCTAssertEqual(picker.initial(ownProducerId: nil, lastPicked: budi), budi)
        XCTAssertNil(picker.initial(ownProducerId: nil, lastPicked: UUID().uuidString.lowercased()), "not one of mine")
        XCTAssertEqual(picker.initial(ownProducerId: ani, lastPicked: budi), ani, "a producer's own account adds to her shop")
        guard case .failure(let none) = picker.owner(ownProducerId: nil, picked: nil) else {
            return XCTFail("a product without a producer")
        }
        XCTAssertEqual(none.text, "Pilih produsen pemilik produk ini.")
        XCTAssertEqual(none.fields["producer_id"], none.text)
        guard case .failure(let english) = ProducerPicker(device: pendamping.device, lang: .en).owner(ownProducerId: nil, picked: "") else {
            return XCTFail("a product without a producer")
        }
        XCTAssertEqual(english.text, "Choose the producer this product belongs to.")

        // Budi picked (not Ani, first by name): the batik is his.
        let owner = try value(picker.owner(ownProducerId: nil, picked: budi))
        let batik = try pendamping.device.createProduct(input: jeans(owner, name: "Batik Tulis Pekalongan"))
        XCTAssertEqual(try pendamping.device.product(id: batik).producerId, budi)
        let pushed = try await pendamping.sync()
        XCTAssertTrue(pushed.completed && pushed.rejected == 0, "\(pushed)")

        for (login, producer, expected) in [(budiPhone, budi, ["Batik Tulis Pekalongan"]), (aniPhone, ani, [String]())] {
            let own = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
            let theirs = try await own.signed(server, login, pin)
            XCTAssertEqual(own.sessions.load(login)?.producerId, producer)
            let pulled = try await theirs.sync()
            XCTAssertTrue(pulled.completed, "\(pulled)")
            XCTAssertEqual(try theirs.device.listProducts(query: ProductPageQuery(producerId: producer)).map(\.name), expected)
        }
    }
}
