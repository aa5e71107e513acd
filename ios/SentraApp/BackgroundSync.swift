import BackgroundTasks
import Foundation
import Network
import SentraFFI
import SentraKit
import UserNotifications

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

    /// Syncs every account on the phone with a token (not only the open one), then posts each
    /// account's new-order notifications and schedules its respond reminders (SentraKit's
    /// OrderWatch decides the text and the times).
    private static func run(_ task: BGTask, windowMs: Int64, photos: Bool) {
        schedule()
        let book = AccountBook(directory: FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("accounts"))
        let every = EveryAccountSync(book: book, session: Keychain.load, retries: DefaultsPhotoRetryClock(), lang: Lang.current)
        let count = every.targets().count
        guard count > 0 else {
            task.setTaskCompleted(success: true)
            return
        }
        let cancel = SyncCancel()
        let work = Task {
            let unmetered = await NetworkPath.isUnmetered()
            let allow = UserDefaults.standard.bool(forKey: "allow_mobile_data")
            var settings = SyncPolicy.settings(windowMs: windowMs / Int64(count), unmetered: unmetered, allowMobileData: allow)
            if !photos { settings.thumbnailsOnly = true } // the short refresh leaves display photos to the processing task
            let runs = await every.run(settings: settings, open: nil, cancel: cancel, now: { Date.nowMs })
            for run in runs {
                if let report = run.report, SyncPolicy.mustSignInAgain(report) { Keychain.clear(run.login) }
                OrderNotifications.deliver(account: run.login, now: run.alerts, reminders: run.reminders)
            }
            task.setTaskCompleted(success: runs.allSatisfy { $0.report?.completed == true })
        }
        // iOS ends the window: stop between two requests; what was sent stays sent.
        task.expirationHandler = {
            cancel.cancel()
            work.cancel()
        }
    }
}

/// Posts SentraKit's order alerts with UNUserNotificationCenter.
enum OrderNotifications {
    static func deliver(account: String, now: [OrderAlert], reminders: [OrderAlert]) {
        let center = UNUserNotificationCenter.current()
        center.getPendingNotificationRequests { pending in
            let old = pending.map(\.identifier).filter { $0.hasPrefix("\(account):\(AlertKind.respondReminder.rawValue):") }
            center.removePendingNotificationRequests(withIdentifiers: old)
            for alert in now + reminders {
                let content = UNMutableNotificationContent()
                content.title = alert.title
                content.body = alert.text
                let delay = max(1, Double(alert.atMs - Date.nowMs) / 1000)
                let trigger = UNTimeIntervalNotificationTrigger(timeInterval: delay, repeats: false)
                center.add(UNNotificationRequest(identifier: alert.key, content: content, trigger: trigger))
            }
        }
    }
}

enum NetworkPath {
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
