import SentraKit
import XCTest

final class ErrorTextTests: XCTestCase {
    /// Every stable code of the core arrives in Swift as its own typed error, and reads as the
    /// core's own sentence in both languages.
    func testEveryErrorCodeArrivesTypedWithTheCoresWords() {
        let codes = allErrorCodes()
        XCTAssertGreaterThan(codes.count, 10)
        for code in codes {
            XCTAssertThrowsError(try failWith(code: code)) { error in
                guard let e = error as? SentraError else { return XCTFail("\(error) is not a SentraError") }
                XCTAssertEqual(e.code, code)
                XCTAssertEqual(ErrorText.of(e, .id).text, errorMessage(code: code, english: false))
                XCTAssertEqual(ErrorText.of(e, .en).text, errorMessage(code: code, english: true))
                XCTAssertNotEqual(ErrorText.of(e, .id).text, ErrorText.of(e, .en).text, "\(code)")
            }
        }
    }

    /// A product the core refuses names each field with a hint, in the user's language.
    func testAValidationFailureHintsAtEachField() throws {
        let device = try SentraDevice.open(path: try temporaryDirectory().appendingPathComponent("a.db").path)
        XCTAssertThrowsError(try device.createProduct(input: NewProductInput(
            producerId: UUID().uuidString.lowercased(), name: " ", category: "Celana", unit: "pcs", price: -5,
            status: .listed, variants: [NewVariantInput(initialStock: 1)]))) { error in
            guard let e = error as? SentraError else { return XCTFail("\(error)") }
            let id = ErrorText.of(e, .id)
            let en = ErrorText.of(e, .en)
            XCTAssertFalse(id.fields.isEmpty, "\(e)")
            XCTAssertEqual(Set(id.fields.keys), Set(en.fields.keys))
            for (field, hint) in id.fields {
                XCTAssertFalse(hint.isEmpty)
                XCTAssertNotEqual(hint, en.fields[field], field)
            }
        }
    }

    /// The server's refusals that reach a person have words of their own; unknown codes fall back
    /// to the core's sentence.
    func testTheServersRefusalsAreWordedInBothLanguages() {
        let codes = ["bad_credentials", "locked_out", "too_many_attempts", "unauthorized",
                     "unsupported_version", "wrong_device", "rate_limited"]
        for code in codes {
            let id = ErrorText.server(code, .id)
            let en = ErrorText.server(code, .en)
            XCTAssertNotNil(id, code)
            XCTAssertNotNil(en, code)
            XCTAssertNotEqual(id, en, code)
        }
        XCTAssertNil(ErrorText.server("something_new", .id))
    }

    /// Why a sync stopped, for every way it can stop.
    func testWhyASyncStoppedReadsInBothLanguages() {
        XCTAssertNil(ErrorText.syncStopped(nil, .id))
        let stops: [SyncStop] = [.cancelled, .deadline, .byteBudget, .network, .refused(code: "unauthorized"),
                                 .refused(code: "something_new")]
        for stop in stops {
            let id = ErrorText.syncStopped(stop, .id)
            let en = ErrorText.syncStopped(stop, .en)
            XCTAssertNotNil(id)
            XCTAssertNotEqual(id, en, "\(stop)")
        }
        XCTAssertEqual(ErrorText.syncStopped(.refused(code: "unauthorized"), .id), "Sesi berakhir. Silakan masuk lagi.")
        XCTAssertEqual(ErrorText.syncStopped(.refused(code: "something_new"), .en), "The server refused the request.")
    }

    /// A wrong password at sign-in reaches the app as the server's code, worded for the person.
    func testAWrongPasswordReadsAsWrongCredentials() async throws {
        let server = try TestServer.running()
        let book = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        do {
            _ = try await book.signIn(serverUrl: server.url, login: server.facilitator, secret: "salah-\(UUID())")
            XCTFail("signed in with a wrong password")
        } catch let e as SentraError {
            XCTAssertEqual(e.code, .signInRefused)
            XCTAssertEqual(ErrorText.of(e, .id).text, "Nomor HP, nama, atau PIN salah.")
            XCTAssertEqual(ErrorText.of(e, .en).text, "Wrong phone number, name or PIN.")
        }
        XCTAssertTrue(book.known().isEmpty, "a refused sign-in is not remembered")
        XCTAssertNil(book.sessions.load(server.facilitator))
    }
}
