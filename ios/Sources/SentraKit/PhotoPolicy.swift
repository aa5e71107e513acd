import Foundation
import SentraFFI

/// Photos on prepaid data (android/shared-logic's PhotoPolicy.kt): display photos go over
/// mobile data only with "use mobile data for photos" on, for "Sync now" and background sync
/// alike; refused photos are put back in the queue at most every `retryEveryMs`.
public enum PhotoPolicy {
    public static let retryEveryMs: Int64 = 6 * 3_600_000

    public static func syncNow(unmetered: Bool, allowMobileData: Bool) -> SyncSettings {
        SyncSettings(deadlineMs: 540_000, byteBudget: nil, thumbnailsOnly: !(unmetered || allowMobileData), pushBatchBytes: nil)
    }

    public static func retryDue(failed: Int64, lastRetryMs: Int64?, now: Int64) -> Bool {
        failed > 0 && (lastRetryMs.map { now - $0 >= retryEveryMs } ?? true)
    }

    public static func switchLabel(_ lang: Lang) -> String {
        lang.pick("Pakai data seluler untuk foto", "Use mobile data for photos")
    }
}
