import BackgroundTasks
import SentraFFI
import SentraKit
import SwiftUI
import UserNotifications

/// The iOS app: SwiftUI screens over the Rust core, background sync with BGTaskScheduler.
@main
struct SentraMain: App {
    @StateObject private var model = AppModel()

    init() {
        BackgroundSync.register()
    }

    var body: some Scene {
        WindowGroup {
            NavigationStack {
                if model.device != nil {
                    HomeView()
                } else {
                    // A cold start never reopens the last account without its PIN.
                    switch model.coldStart {
                    case .signIn: LoginView()
                    case .choose: SwitchAccountView(preselect: nil)
                    case .askPin(let login): SwitchAccountView(preselect: login)
                    }
                }
            }
            .environmentObject(model)
            .onAppear {
                BackgroundSync.schedule()
                UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
            }
        }
    }
}

/// The open account and the shared phone's accounts. Every rule is in the core.
@MainActor
final class AppModel: ObservableObject {
    let accounts = AccountBook(directory: FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        .appendingPathComponent("accounts"))
    @Published private(set) var device: SentraDevice?
    @Published private(set) var login: String?
    /// Goes up on every change, so screens reload.
    @Published private(set) var version = 0
    @Published var syncProgress: SyncProgress?
    @Published var syncProblem: String?
    let lang = Lang.current
    private var cancel: SyncCancel?

    /// What shows before any account is open (see `AccountBook.coldStart`).
    let coldStart: ColdStart

    init() {
        coldStart = accounts.coldStart(activeLogin: UserDefaults.standard.string(forKey: "active_login"))
    }

    /// Opens a login's file after the switch screen checked its PIN (or signed in).
    func openChecked(_ login: String) -> SentraDevice? { openOrRecover(login) }

    /// Opens the login's database; a damaged one is rebuilt (the unsent work still readable is
    /// kept, the rest comes back with the next sync) and its token forgotten, so the home screen
    /// asks to sign in again.
    private func openOrRecover(_ login: String) -> SentraDevice? {
        do {
            let device = try SentraDevice.open(path: accounts.databaseFor(login).path)
            _ = try device.account()
            return device
        } catch let error as SentraError where error.code == .databaseCorrupt {
            return try? accounts.recover(login: login).device
        } catch {
            return nil
        }
    }

    func use(login: String, device: SentraDevice) {
        UserDefaults.standard.set(login, forKey: "active_login")
        device.setChangeListener(listener: Changes { [weak self] change in
            Task { @MainActor in
                self?.version += 1
                if change != .synced { BackgroundSync.scheduleSoon() }
            }
        })
        self.login = login
        self.device = device
        version += 1
    }

    var session: Session? { login.flatMap(Keychain.load) }

    /// Runs one sync now, with progress on the status card.
    func syncNow() async {
        guard let device, let session else { return }
        let cancel = SyncCancel()
        self.cancel = cancel
        defer { self.cancel = nil; syncProgress = nil }
        do {
            let settings = PhotoPolicy.syncNow(unmetered: await NetworkPath.isUnmetered(),
                                               allowMobileData: UserDefaults.standard.bool(forKey: "allow_mobile_data"))
            if let login { _ = try? PhotoPolicy.retryIfDue(device, login: login, clock: DefaultsPhotoRetryClock(), now: Date.nowMs) }
            let report = try await device.sync(serverUrl: session.serverUrl, token: session.token, settings: settings,
                                               listener: ProgressRelay { [weak self] p in Task { @MainActor in self?.syncProgress = p } },
                                               cancel: cancel)
            syncProblem = ErrorText.syncStopped(report.stoppedBy, lang)
            if SyncPolicy.mustSignInAgain(report), let login { Keychain.clear(login) }
        } catch let error as SentraError {
            syncProblem = ErrorText.of(error, lang).text
        } catch {
            syncProblem = error.localizedDescription
        }
    }

    func stopSync() { cancel?.cancel() }
}

/// Passes the core's change notifications on (they arrive on the thread that wrote).
final class Changes: ChangeListener, @unchecked Sendable {
    private let handler: @Sendable (Change) -> Void
    init(_ handler: @escaping @Sendable (Change) -> Void) { self.handler = handler }
    func onChange(change: Change) { handler(change) }
}
