import Foundation
import SentraFFI

/// When and how background sync runs (the same policy as android/shared-logic's SyncPolicy).
public enum SyncPolicy {
    /// Margin left inside the scheduler's window for the last request.
    public static let marginMs: Int64 = 5_000

    /// Settings for one run: a deadline inside the window (BGAppRefreshTask gives about 30 s,
    /// BGProcessingTask minutes), and display photos only on an unmetered network unless allowed.
    public static func settings(windowMs: Int64, unmetered: Bool, allowMobileData: Bool) -> SyncSettings {
        SyncSettings(deadlineMs: max(10_000, windowMs - marginMs), byteBudget: nil,
                     thumbnailsOnly: !unmetered && !allowMobileData, pushBatchBytes: nil)
    }

    /// Whether the token is no longer valid and the user must sign in again.
    public static func mustSignInAgain(_ report: SyncReport) -> Bool {
        if case .refused(let code) = report.stoppedBy { return code == "unauthorized" || code == "wrong_device" }
        return false
    }
}

/// Relays sync progress (which arrives on a Rust thread) to the main actor.
public final class ProgressRelay: SyncListener, @unchecked Sendable {
    private let onProgress: @Sendable (SyncProgress) -> Void

    public init(_ onProgress: @escaping @Sendable (SyncProgress) -> Void) { self.onProgress = onProgress }

    public func onProgress(progress: SyncProgress) {
        let handler = onProgress
        Task { @MainActor in handler(progress) }
    }
}
