import Foundation

/// A signed-in account's server and token.
public struct Session: Codable, Equatable, Sendable {
    public let serverUrl: String
    public let token: String
    public let userId: String
    public let role: String
    public let producerId: String?

    public init(serverUrl: String, token: String, userId: String, role: String, producerId: String?) {
        self.serverUrl = serverUrl
        self.token = token
        self.userId = userId
        self.role = role
        self.producerId = producerId
    }
}

/// Where the sessions of a shared phone's accounts are kept, one per login: the Keychain in the
/// app (Keychain.swift), never the database or a log.
public protocol SessionStore: Sendable {
    func load(_ login: String) -> Session?
    func save(_ session: Session, for login: String)
    func clear(_ login: String)
}

/// Sessions in memory only, gone when the process ends: for tests, and for platforms without a
/// keychain (SentraKit's tests on Linux).
public final class MemorySessionStore: SessionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [String: Session] = [:]

    public init() {}

    public func load(_ login: String) -> Session? {
        lock.lock()
        defer { lock.unlock() }
        return sessions[login]
    }

    public func save(_ session: Session, for login: String) {
        lock.lock()
        defer { lock.unlock() }
        sessions[login] = session
    }

    public func clear(_ login: String) {
        lock.lock()
        defer { lock.unlock() }
        sessions[login] = nil
    }
}
