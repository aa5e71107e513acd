import Foundation
import SentraFFI

/// What became of switching to an account on a shared phone (android/shared-logic's Switch).
public enum Switch {
    /// The PIN was right: the account's own database, open.
    case opened(SentraDevice)
    /// A wrong PIN; this many tries before a 15-minute lock.
    case wrongPin(attemptsLeft: Int64)
    /// Too many wrong PINs: try again after this instant (Unix ms).
    case locked(untilMs: Int64)
    /// This account never set a PIN here: sign in online instead.
    case needsSignIn
}

extension Switch {
    /// What the switch screen says when the PIN did not open the account (nil when it did, or
    /// when the account signs in online instead).
    public func problem(_ lang: Lang, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String? {
        switch self {
        case .opened, .needsSignIn:
            return nil
        case .wrongPin(let left):
            return lang.pick("PIN salah. Sisa \(left) kali coba.", "Wrong PIN. \(left) tries left.")
        case .locked(let until):
            let minutes = max(1, (until - now + 59_999) / 60_000)
            return lang.pick("Terlalu banyak PIN salah. Coba lagi \(minutes) menit lagi.",
                             "Too many wrong PINs. Try again in \(minutes) minutes.")
        }
    }
}

/// What the app opens on a cold start: never the last account's data without its PIN.
public enum ColdStart: Equatable {
    case signIn
    case choose
    case askPin(login: String)
}

extension AccountBook {
    /// Switches to `login`'s database with their PIN, offline: the core checks it against the
    /// hash kept in that account's own file.
    public func switchTo(_ login: String, pin: String) throws -> Switch {
        let file = databaseFor(login)
        guard FileManager.default.fileExists(atPath: file.path) else { return .needsSignIn }
        let device = try SentraDevice.open(path: file.path)
        guard try device.hasUnlockPin() else {
            device.closeDatabase()
            return .needsSignIn
        }
        switch try device.unlock(pin: pin) {
        case .open:
            return .opened(device)
        case .wrong(let attemptsLeft):
            device.closeDatabase()
            return .wrongPin(attemptsLeft: attemptsLeft)
        case .locked(let untilMs):
            device.closeDatabase()
            return .locked(untilMs: untilMs)
        }
    }

    /// The first screen after a cold start for the account that was in use.
    public func coldStart(activeLogin: String?) -> ColdStart {
        let accounts = known()
        if accounts.isEmpty { return .signIn }
        guard let login = activeLogin, accounts.contains(where: { $0.login == login }) else { return .choose }
        let file = databaseFor(login)
        guard FileManager.default.fileExists(atPath: file.path),
              let device = try? SentraDevice.open(path: file.path) else { return .choose }
        defer { device.closeDatabase() }
        return (try? device.hasUnlockPin()) == true ? .askPin(login: login) : .choose
    }
}

/// What one account's background sync did.
public struct AccountRun {
    public let login: String
    /// nil when the sync could not run (see `problem`).
    public let report: SyncReport?
    /// Notifications to post now for orders this sync brought.
    public let alerts: [OrderAlert]
    /// Respond reminders to schedule (replacing the account's earlier ones).
    public let reminders: [OrderAlert]
    /// Failed photos put back in the queue before the sync.
    public let photosRequeued: Int64
    /// Why it did not run or stopped, worded for the user.
    public let problem: String?
}

/// Background sync of every account on the phone with a session (android/shared-logic's
/// EveryAccountSync): the open account's handle is reused, the others opened and closed.
public struct EveryAccountSync {
    public let book: AccountBook
    public let session: (String) -> Session?
    public let retries: any PhotoRetryClock
    public let lang: Lang

    public init(book: AccountBook, session: @escaping (String) -> Session?, retries: any PhotoRetryClock, lang: Lang) {
        self.book = book
        self.session = session
        self.retries = retries
        self.lang = lang
    }

    public func targets() -> [String] { book.known().map(\.login).filter { session($0) != nil } }

    public func run(settings: SyncSettings, open: (login: String, device: SentraDevice)?, cancel: SyncCancel?,
                    now: () -> Int64) async -> [AccountRun] {
        var runs: [AccountRun] = []
        for login in targets() {
            guard let session = session(login) else { continue }
            let reuse = open?.login == login ? open?.device : nil
            guard let device = reuse ?? (try? SentraDevice.open(path: book.databaseFor(login).path)) else { continue }
            defer { if reuse == nil { device.closeDatabase() } }
            do {
                let requeued = try PhotoPolicy.retryIfDue(device, login: login, clock: retries, now: now())
                let report = try await device.sync(serverUrl: session.serverUrl, token: session.token, settings: settings,
                                                   listener: nil, cancel: cancel)
                let name = session.producerId.flatMap { try? device.producer(id: $0).businessName } ?? login
                let watch = OrderWatch(device: device, seen: SeenOrders(beside: book.databaseFor(login)), account: login,
                                       accountName: name, lang: lang)
                let alerts = try watch.check(now: now())
                runs.append(AccountRun(login: login, report: report, alerts: alerts.now, reminders: alerts.reminders,
                                       photosRequeued: requeued,
                                       problem: report.completed ? nil : ErrorText.syncStopped(report.stoppedBy, lang)))
            } catch let error as SentraError {
                runs.append(AccountRun(login: login, report: nil, alerts: [], reminders: [], photosRequeued: 0,
                                       problem: ErrorText.of(error, lang).text))
            } catch {
                runs.append(AccountRun(login: login, report: nil, alerts: [], reminders: [], photosRequeued: 0,
                                       problem: "\(error)"))
            }
        }
        return runs
    }
}
