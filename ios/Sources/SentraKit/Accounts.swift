import CryptoKit
import Foundation
import Security
import SentraFFI

/// A signed-in account's server and token.
public struct Session: Codable, Equatable, Sendable {
    public let serverUrl: String
    public let token: String
    public let userId: String
    public let role: String
    public let producerId: String?
}

/// Tokens in the Keychain, one item per account login; never in the database or a log.
public enum Keychain {
    private static let service = "id.sentra.session"

    public static func load(_ login: String) -> Session? {
        let query: [String: Any] = [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service,
                                    kSecAttrAccount as String: login, kSecReturnData as String: true]
        var item: CFTypeRef?
        guard SecItemCopyMatching(query as CFDictionary, &item) == errSecSuccess, let data = item as? Data else { return nil }
        return try? JSONDecoder().decode(Session.self, from: data)
    }

    public static func save(_ session: Session, for login: String) {
        guard let data = try? JSONEncoder().encode(session) else { return }
        clear(login)
        let item: [String: Any] = [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service,
                                   kSecAttrAccount as String: login, kSecValueData as String: data,
                                   kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly]
        SecItemAdd(item as CFDictionary, nil)
    }

    public static func clear(_ login: String) {
        let query: [String: Any] = [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service,
                                    kSecAttrAccount as String: login]
        SecItemDelete(query as CFDictionary)
    }
}

/// The accounts of a shared phone: one database file each, named by a hash of the login. The
/// server checks the PIN when switching (the core has no offline PIN check yet).
public struct AccountBook: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public func databaseFor(_ login: String) -> URL {
        let key = login.filter { !$0.isWhitespace && $0 != "-" }.lowercased()
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return directory.appendingPathComponent("account-\(digest).db")
    }

    /// Logins that signed in on this phone, with their roles.
    public func known() -> [(login: String, role: String)] {
        let index = directory.appendingPathComponent("accounts.tsv")
        guard let text = try? String(contentsOf: index, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    /// Opens the login's database, signs in (the server checks the secret), keeps the token.
    public func signIn(serverUrl: String, login: String, secret: String) async throws -> SentraDevice {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let device = try SentraDevice.open(path: databaseFor(login).path)
        let signed = try await device.signIn(serverUrl: serverUrl, login: login, secret: secret)
        Keychain.save(Session(serverUrl: serverUrl, token: signed.token, userId: signed.userId, role: roleCode(signed.role),
                              producerId: signed.producerId), for: login)
        if !known().contains(where: { $0.login == login }) {
            let index = directory.appendingPathComponent("accounts.tsv")
            let line = Data("\(login)\t\(roleCode(signed.role))\n".utf8)
            if let handle = try? FileHandle(forWritingTo: index) {
                handle.seekToEndOfFile()
                handle.write(line)
                try? handle.close()
            } else {
                try line.write(to: index)
            }
        }
        return device
    }

    /// Rebuilds the login's database after a call failed with `DatabaseCorrupt` (close it
    /// first): the unsent work still readable, the PIN and the photos are kept, the damaged file
    /// is set aside, and the rest comes back with the next sync. The rebuilt file is a new device
    /// to the server, so the token is forgotten and the account signs in again.
    public func recover(login: String) throws -> Recovered {
        let recovered = try recoverDevice(path: databaseFor(login).path)
        if recovered.report.signInAgain { Keychain.clear(login) }
        return recovered
    }
}

/// A role's stable code, as sessions and the accounts index keep it (`cooperative_admin`).
public func roleCode(_ role: Role) -> String {
    switch role {
    case .producer: return "producer"
    case .facilitator: return "facilitator"
    case .cooperativeAdmin: return "cooperative_admin"
    case .official: return "official"
    case .admin: return "admin"
    }
}
