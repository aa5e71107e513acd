import Foundation
import SentraFFI

/// Photos on prepaid data (android/shared-logic's PhotoPolicy.kt): display photos go over
/// mobile data only with "use mobile data for photos" on, for "Sync now" and background sync
/// alike (thumbnails always go, so the listing shows); refused photos are put back in the queue at
/// most every `retryEveryMs`, so a photo that keeps failing does not cost data on every sync.
public enum PhotoPolicy {
    public static let retryEveryMs: Int64 = 6 * 3_600_000

    /// The settings of a sync the user started ("Sync now"): no scheduler window to respect.
    public static func syncNow(unmetered: Bool, allowMobileData: Bool) -> SyncSettings {
        SyncSettings(deadlineMs: 540_000, byteBudget: nil, thumbnailsOnly: !(unmetered || allowMobileData), pushBatchBytes: nil)
    }

    /// Whether to put failed photos back in the queue before this sync.
    public static func retryDue(failed: Int64, lastRetryMs: Int64?, now: Int64) -> Bool {
        failed > 0 && (lastRetryMs.map { now - $0 >= retryEveryMs } ?? true)
    }

    /// Before a sync of `login`'s `device`: puts its failed photos back in the queue when a retry
    /// is due, and records when; returns how many went back (0 when none was due).
    public static func retryIfDue(_ device: SentraDevice, login: String, clock: any PhotoRetryClock, now: Int64) throws -> Int64 {
        guard retryDue(failed: try device.syncStatus().photosFailed, lastRetryMs: clock.last(login), now: now) else { return 0 }
        clock.record(login, atMs: now)
        return try device.retryFailedPhotoUploads()
    }

    public static func switchLabel(_ lang: Lang) -> String {
        lang.pick("Pakai data seluler untuk foto", "Use mobile data for photos")
    }

    /// What the switch means, under it.
    public static func switchHint(_ lang: Lang, allowMobileData: Bool) -> String {
        allowMobileData
            ? lang.pick("Foto ukuran penuh juga dikirim lewat data seluler.", "Full-size photos also go over mobile data.")
            : lang.pick("Lewat data seluler hanya foto kecil yang dikirim; foto penuh menunggu Wi-Fi.",
                        "On mobile data only small photos go; full-size photos wait for Wi-Fi.")
    }
}

/// When each account last put its failed photos back in the queue (Unix ms).
public protocol PhotoRetryClock: Sendable {
    func last(_ login: String) -> Int64?
    func record(_ login: String, atMs: Int64)
}

/// The app's clock: UserDefaults, one key per account.
public struct DefaultsPhotoRetryClock: PhotoRetryClock, @unchecked Sendable {
    private let defaults: UserDefaults

    public init(_ defaults: UserDefaults = .standard) { self.defaults = defaults }

    public func last(_ login: String) -> Int64? {
        (defaults.object(forKey: "photo_retry.\(login)") as? NSNumber)?.int64Value
    }

    public func record(_ login: String, atMs: Int64) { defaults.set(NSNumber(value: atMs), forKey: "photo_retry.\(login)") }
}
