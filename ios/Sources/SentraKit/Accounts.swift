import Foundation
import SentraFFI

/// The accounts of a shared phone: one database file each, named by a hash of the login. The
/// first sign-in is online; after it, switching asks for the account's PIN, checked offline by
/// the core against the hash kept in that account's own file (AccountSwitching.swift).
public struct AccountBook: Sendable {
    public let directory: URL
    /// Where each login's session (server and token) is kept: the Keychain in the app.
    public let sessions: any SessionStore

    public init(directory: URL, sessions: any SessionStore) {
        self.directory = directory
        self.sessions = sessions
    }

    #if canImport(Security)
    /// The app's book: sessions in the Keychain.
    public init(directory: URL) { self.init(directory: directory, sessions: Keychain()) }
    #endif

    /// The login's database file: `account-<16 hex digits>.db`, the same for "0812-3456-7890" and
    /// "081234567890", and no phone number in a file name. The name only has to be stable and
    /// distinct (accounts.tsv beside it lists the logins), so a 64-bit FNV-1a hash of the login
    /// serves, in plain Swift on every platform.
    public func databaseFor(_ login: String) -> URL {
        let key = login.filter { !$0.isWhitespace && $0 != "-" }.lowercased()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digest = String(hash, radix: 16)
        return directory.appendingPathComponent("account-\(String(repeating: "0", count: 16 - digest.count))\(digest).db")
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
    /// A producer's 6-digit PIN then also guards their file on this phone, for switching offline;
    /// staff sign in with a password and may choose a `phonePin` for this phone instead.
    public func signIn(serverUrl: String, login: String, secret: String, phonePin: String? = nil) async throws -> SentraDevice {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let device = try SentraDevice.open(path: databaseFor(login).path)
        do {
            return try await signIn(device, serverUrl: serverUrl, login: login, secret: secret, phonePin: phonePin)
        } catch {
            device.closeDatabase()
            throw error
        }
    }

    private func signIn(_ device: SentraDevice, serverUrl: String, login: String, secret: String,
                        phonePin: String?) async throws -> SentraDevice {
        let signed = try await device.signIn(serverUrl: serverUrl, login: login, secret: secret)
        sessions.save(Session(serverUrl: serverUrl, token: signed.token, userId: signed.userId, role: roleCode(signed.role),
                              producerId: signed.producerId), for: login)
        if isPin(secret) {
            try device.setUnlockPin(pin: secret)
        } else if let phonePin {
            try device.setUnlockPin(pin: phonePin)
        }
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
        if recovered.report.signInAgain { sessions.clear(login) }
        return recovered
    }
}

/// Whether a secret is a producer's 6-digit PIN (rather than a staff password).
public func isPin(_ secret: String) -> Bool { secret.count == 6 && secret.allSatisfy { $0.isASCII && $0.isNumber } }

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
