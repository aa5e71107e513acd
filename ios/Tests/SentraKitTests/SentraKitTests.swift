import SentraFFI
@testable import SentraKit
import XCTest

/// Runs in Xcode or `swift test` on a Mac after build-xcframework.sh (not on the Linux CI).
final class SentraKitTests: XCTestCase {
    func testRupiahMatchesTheCore() {
        for amount: Int64 in [0, 5, 950, 1_000, 15_000, 1_250_000, -2_500, Int64.max] {
            XCTAssertEqual(Rupiah.format(amount), formatRupiah(amount: amount))
        }
        XCTAssertEqual(Rupiah.parse("Rp 15.000"), 15_000)
        XCTAssertNil(Rupiah.parse("15,5"))
    }

    func testShareTextAndLinkMatchTheStorefront() {
        let url = Share.productUrl(serverUrl: "https://sentra.id/", productId: "1")
        let text = Share.productText(name: "Gula Kristal & Aren", minPrice: 15_000, maxPrice: 15_000, unit: "kg",
                                     url: url, lang: .id)
        XCTAssertEqual(text, "Lihat Gula Kristal & Aren — Rp 15.000 / kg di Sentra: https://sentra.id/p/1")
        XCTAssertEqual(Share.whatsappUrl("Rp 15.000 * 2 = 100% ✓ ~"),
                       "https://wa.me/?text=Rp%2015.000%20%2A%202%20%3D%20100%25%20%E2%9C%93%20~")
        XCTAssertEqual(Share.shopText(shop: "Gula Kristal Bu Sri", url: "http://127.0.0.1:8080/toko/01a2", lang: .id),
                       "Lihat produk Gula Kristal Bu Sri di Sentra: http://127.0.0.1:8080/toko/01a2")
    }

    func testEveryErrorCodeArrivesTyped() {
        for code in allErrorCodes() {
            XCTAssertThrowsError(try failWith(code: code)) { error in
                let e = error as! SentraError
                XCTAssertEqual(e.code, code)
                XCTAssertEqual(ErrorText.of(e, .id).text, errorMessage(code: code, english: false))
                XCTAssertEqual(ErrorText.of(e, .en).text, errorMessage(code: code, english: true))
            }
        }
    }

    func testMeteredNetworksSendThumbnailsOnly() {
        XCTAssertTrue(SyncPolicy.settings(windowMs: 30_000, unmetered: false, allowMobileData: false).thumbnailsOnly)
        XCTAssertFalse(SyncPolicy.settings(windowMs: 30_000, unmetered: true, allowMobileData: false).thumbnailsOnly)
    }

    func testAPageOfProductsComesInOneCall() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let device = try SentraDevice.open(path: dir.appendingPathComponent("a.db").path)
        let producer = try device.registerProducer(input: NewProducerInput(
            businessName: "Konveksi Rowosari Jaya", ownerName: "Siti Aminah", phone: "0812-3456-7890",
            regionCode: "3327", sector: "fashion_textiles"))
        for i in 0..<60 {
            _ = try device.createProduct(input: NewProductInput(
                producerId: producer, name: "Celana Jeans \(i)", category: "Celana", unit: "pcs", price: 150_000,
                status: .listed, variants: [NewVariantInput(initialStock: 3)]))
        }
        XCTAssertEqual(try device.listProducts(query: ProductPageQuery(limit: 50)).count, 50)
    }
}
