#if canImport(Security)
import Foundation
import Security

/// Tokens in the Keychain, one item per account login; never in the database or a log. Apple
/// platforms only: SentraKit's tests on Linux use `MemorySessionStore`.
public struct Keychain: SessionStore {
    private static let service = "id.sentra.session"

    public init() {}

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

    public func load(_ login: String) -> Session? { Keychain.load(login) }
    public func save(_ session: Session, for login: String) { Keychain.save(session, for: login) }
    public func clear(_ login: String) { Keychain.clear(login) }
}
#endif
