import BackgroundTasks
import Foundation
import Network
import SentraFFI
import SentraKit

/// Background sync with BGTaskScheduler: an app refresh task (about 30 s: changes and
/// thumbnails) and a processing task that needs a network (minutes: display photos, on Wi-Fi
/// unless the user allows mobile data). Identifiers are listed in Info.plist.
enum BackgroundSync {
    static let refresh = "id.sentra.sync.refresh"
    static let photos = "id.sentra.sync.photos"

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: refresh, using: nil) { task in
            run(task, windowMs: 30_000, photos: false)
        }
        BGTaskScheduler.shared.register(forTaskWithIdentifier: photos, using: nil) { task in
            run(task, windowMs: 5 * 60_000, photos: true)
        }
    }

    /// Asks for the next refresh in about 30 minutes, and a processing run for photos.
    static func schedule() {
        let next = BGAppRefreshTaskRequest(identifier: refresh)
        next.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        try? BGTaskScheduler.shared.submit(next)
        let processing = BGProcessingTaskRequest(identifier: photos)
        processing.requiresNetworkConnectivity = true
        try? BGTaskScheduler.shared.submit(processing)
    }

    /// After a local change: a refresh as soon as iOS allows.
    static func scheduleSoon() {
        let soon = BGAppRefreshTaskRequest(identifier: refresh)
        soon.earliestBeginDate = Date(timeIntervalSinceNow: 60)
        try? BGTaskScheduler.shared.submit(soon)
    }

    private static func run(_ task: BGTask, windowMs: Int64, photos: Bool) {
        schedule()
        guard let login = UserDefaults.standard.string(forKey: "active_login"), let session = Keychain.load(login) else {
            task.setTaskCompleted(success: true)
            return
        }
        let book = AccountBook(directory: FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("accounts"))
        let cancel = SyncCancel()
        let work = Task {
            do {
                let device = try SentraDevice.open(path: book.databaseFor(login).path)
                let unmetered = await Network.isUnmetered()
                let allow = UserDefaults.standard.bool(forKey: "allow_mobile_data")
                var settings = SyncPolicy.settings(windowMs: windowMs, unmetered: unmetered, allowMobileData: allow)
                if !photos { settings.thumbnailsOnly = true } // the short refresh leaves display photos to the processing task
                let report = try await device.sync(serverUrl: session.serverUrl, token: session.token, settings: settings,
                                                   listener: nil, cancel: cancel)
                if SyncPolicy.mustSignInAgain(report) { Keychain.clear(login) }
                task.setTaskCompleted(success: report.completed)
            } catch {
                task.setTaskCompleted(success: false)
            }
        }
        // iOS ends the window: stop between two requests; what was sent stays sent.
        task.expirationHandler = {
            cancel.cancel()
            work.cancel()
        }
    }
}

private enum Network {
    /// Whether the current path is neither cellular nor otherwise expensive.
    static func isUnmetered() async -> Bool {
        await withCheckedContinuation { continuation in
            let monitor = NWPathMonitor()
            monitor.pathUpdateHandler = { path in
                monitor.cancel()
                continuation.resume(returning: path.status == .satisfied && !path.isExpensive && !path.isConstrained)
            }
            monitor.start(queue: DispatchQueue(label: "id.sentra.network"))
        }
    }
}
