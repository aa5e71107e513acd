import SentraFFI
@testable import SentraKit
import XCTest

/// SentraKit's delivery and payment decisions, worded as android/shared-logic's `Selling` and
/// `PaidMark` word them (that suite runs them against the real library on the JVM).
final class SellingTests: XCTestCase {
    func testAFeeThatIsNotRupiahIsCaughtByTheForm() {
        var draft = SellingDraft()
        draft.courierMode = .flat
        draft.flatFee = "15,5"
        let (settings, errors) = Selling.settings(of: draft, .id)
        XCTAssertNil(settings)
        XCTAssertEqual(errors["delivery_courier"], "Isi dengan angka rupiah, mis. 15.000.")
    }

    func testTheTermsAndThePaymentLineReadAsTheStorefrontWritesThem() {
        let courier = CourierFee.perKg(regency: 7_000, province: 12_000, national: nil)
        XCTAssertEqual(Selling.courierTerms(courier, .id),
                       "Rp 7.000/kg dalam kabupaten/kota, Rp 12.000/kg dalam provinsi")
        let order = OrderSelling(delivery: .courier, deliveryFee: 12_000, payment: .qris, paidAt: nil)
        let line = Selling.paymentLine(order, closed: false, .id)
        XCTAssertEqual(line.text, "Dikirim kurir · Ongkir Rp 12.000 · QRIS · Belum dibayar")
        XCTAssertTrue(line.canMarkPaid)
        XCTAssertFalse(Selling.paymentLine(order, closed: true, .id).canMarkPaid)
    }
}
