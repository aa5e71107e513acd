import SentraKit
import XCTest

final class ShareTests: XCTestCase {
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
}
