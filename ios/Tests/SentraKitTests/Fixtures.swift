import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SentraKit
import XCTest

/// The real sentra-server that scripts/test-swift starts on loopback (with one facilitator
/// account), named by environment variables. Without them (`swift test` on a Mac with no server)
/// the tests that need it are skipped, and say so.
struct TestServer {
    let url: String
    let facilitator: String
    let facilitatorSecret: String
    let region: String

    static func running() throws -> TestServer {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["SENTRA_SERVER_URL"], let login = env["SENTRA_FACILITATOR"],
              let secret = env["SENTRA_FACILITATOR_SECRET"], let region = env["SENTRA_REGION"] else {
            throw XCTSkip("no sentra-server: SENTRA_SERVER_URL is not set (scripts/test-swift sets it)")
        }
        return TestServer(url: url, facilitator: login, facilitatorSecret: secret, region: region)
    }

    /// (status, body) of a GET.
    func get(_ path: String) async throws -> (Int, String) {
        try await send(URLRequest(url: URL(string: url + path)!))
    }

    /// (status, body) of a JSON POST.
    func post(_ path: String, json: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = Data(json.utf8)
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> (Int, String) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    continuation.resume(returning: (status, String(decoding: data ?? Data(), as: UTF8.self)))
                }
            }.resume()
        }
    }

    /// The status of a GET (a storefront page, say).
    func status(_ path: String) async throws -> Int { try await get(path).0 }

    /// A buyer orders `quantity` of `variant` from `producer` through the server's order API;
    /// returns the order's code.
    func order(from producer: String, variant: String, quantity: Int) async throws -> String {
        let order = """
            {"key": "\(UUID().uuidString.lowercased())", "producer_id": "\(producer)", "note": "",
             "buyer": {"name": "Budi Santoso", "phone": "0857-1111-4321", "regency_code": "3374",
                       "address": "Jl. Pemuda 12, Semarang"},
             "lines": [{"variant_id": "\(variant)", "quantity": \(quantity)}]}
            """
        let (status, placed) = try await post("/v1/orders", json: order)
        XCTAssertEqual(status, 201, placed)
        return try XCTUnwrap(TestServer.field(placed, "code"), placed)
    }

    /// A string field of a flat JSON answer.
    static func field(_ json: String, _ name: String) -> String? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object[name] as? String
    }
}

/// The PIN a facilitator sets for a producer.
let pin = "246810"

/// A fresh directory for a test's databases.
func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sentrakit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A producer phone number no other test uses (logins are unique on the shared server).
func freshPhone() -> String {
    "0812-\(Int.random(in: 1000...9999))-\(Int.random(in: 1000...9999))"
}

/// Siti's garment business, registered with an activation PIN and consent to publish.
func siti(phone: String, region: String) -> NewProducerInput {
    NewProducerInput(businessName: "Konveksi Rowosari Jaya", ownerName: "Siti Aminah", phone: phone,
                     regionCode: region, sector: "fashion_textiles", consentPublish: true,
                     consentDate: "2026-11-01", activationPin: pin)
}

/// The facilitator's registration form for a producer with a PIN, filled in.
func draft(_ businessName: String, phone: String, region: String, consent: Bool = true) -> ProducerDraft {
    var d = ProducerDraft()
    d.businessName = businessName
    d.ownerName = "Siti Aminah"
    d.phone = phone
    d.regionCode = region
    d.pin = pin
    d.pinAgain = pin
    if consent { d.consent(true, on: "2026-11-01") }
    return d
}

/// The value of a Result, or the test fails with the user's message.
func value<T>(_ result: Result<T, UserMessage>, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let message):
        XCTFail(message.text, file: file, line: line)
        throw message
    }
}

/// A phone's login and token, to sync it the way the app does.
struct Signed {
    let device: SentraDevice
    let server: String
    let token: String

    /// One sync with the given settings (a minute, display photos too unless told).
    func sync(_ settings: SyncSettings = SyncPolicy.settings(windowMs: 60_000, unmetered: true, allowMobileData: false))
        async throws -> SyncReport {
        try await device.sync(serverUrl: server, token: token, settings: settings, listener: nil, cancel: nil)
    }
}

extension AccountBook {
    /// Signs `login` in on this phone and keeps what a sync needs.
    func signed(_ server: TestServer, _ login: String, _ secret: String) async throws -> Signed {
        let device = try await signIn(serverUrl: server.url, login: login, secret: secret)
        return Signed(device: device, server: server.url, token: try XCTUnwrap(sessions.load(login)).token)
    }
}

/// The real phone JPEG the suites add as a product photo (SENTRA_PHOTO, set by scripts/test-swift).
func phonePhoto() throws -> String {
    guard let path = ProcessInfo.processInfo.environment["SENTRA_PHOTO"] else {
        throw XCTSkip("no photo: SENTRA_PHOTO is not set (scripts/test-swift sets it)")
    }
    return path
}

/// Now, in Unix ms.
func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// Jeans in two sizes, the second dearer.
func jeans(_ producerId: String, name: String = "Celana Jeans Rowosari") -> NewProductInput {
    NewProductInput(producerId: producerId, name: name, category: "Celana", unit: "pcs", price: 150_000,
                    status: .listed, tiers: ["Ukuran"],
                    variants: [NewVariantInput(options: ["30"], initialStock: 10),
                               NewVariantInput(options: ["32"], price: 160_000, initialStock: 5)])
}

/// Collects the progress a sync reports (through SentraKit's ProgressRelay, on the main actor).
@MainActor
final class ProgressLog {
    var seen: [SyncProgress] = []
}
