import SentraKit
import XCTest

final class RupiahTests: XCTestCase {
    func testRupiahIsWrittenAsTheCoreWritesIt() {
        let amounts: [Int64] = [0, 5, 950, 1_000, 15_000, 99_999, 100_000, 1_250_000, 30_000_000_000,
                                -2_500, -1_000_000, Int64.max, Int64.min + 1]
        for amount in amounts {
            XCTAssertEqual(Rupiah.format(amount), formatRupiah(amount: amount), "\(amount)")
        }
        XCTAssertEqual(Rupiah.format(15_000), "Rp 15.000")
        XCTAssertEqual(Rupiah.format(-2_500), "-Rp 2.500")
    }

    func testWhatASellerTypesIsReadAsWholeRupiah() {
        XCTAssertEqual(Rupiah.parse("Rp 15.000"), 15_000)
        XCTAssertEqual(Rupiah.parse("rp15.000"), 15_000)
        XCTAssertEqual(Rupiah.parse(" 1.250.000 "), 1_250_000)
        XCTAssertEqual(Rupiah.parse("15000"), 15_000)
        XCTAssertEqual(Rupiah.parse("0"), 0)
    }

    func testAnythingButWholeRupiahIsRefused() {
        for typed in ["", "Rp", "15,5", "15.000,00", "-5.000", "lima ribu", "١٥٠٠٠", "99999999999999999999"] {
            XCTAssertNil(Rupiah.parse(typed), typed)
        }
    }

    func testAParsedAmountWritesBackTheSame() {
        for amount: Int64 in [0, 7, 1_000, 150_000, 1_250_000] {
            XCTAssertEqual(Rupiah.parse(Rupiah.format(amount)), amount)
        }
    }
}
