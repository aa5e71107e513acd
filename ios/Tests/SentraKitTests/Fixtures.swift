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
