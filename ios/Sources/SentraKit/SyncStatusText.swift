import Foundation
import SentraFFI

/// The sync status card, worded; each optional line is nil when there is nothing to say.
public struct SyncStatusLines: Equatable, Sendable {
    /// "Terakhir sinkron 5 menit lalu" / "Belum pernah sinkron".
    public let lastSync: String
    /// "Foto: 3 menunggu, 1 sedang dikirim 45%".
    public let photos: String?
    /// How far the photo being sent is (0–100), for a progress bar.
    public let photoPercent: Int?
    /// "2 perubahan ditolak server: lihat dan putuskan."
    public let refusals: String?
    /// A warning when the phone's clock is far off the server's.
    public let clock: String?
    /// "Data bulan ini: 12,3 KB".
    public let data: String
}

/// Words for the sync status card, from the core's `syncStatus()`; the same words as the
/// Android app's `SyncStatusText` (shared-logic), Foundation only.
public enum SyncStatusText {
    /// A clock off by more than this is worth a warning (the core corrects its stamps anyway).
    public static let clockWarningMs: Int64 = 10 * 60_000

    /// The card's lines for `status`, as of `nowMs`.
    public static func lines(_ status: SyncStatus, nowMs: Int64, _ lang: Lang) -> SyncStatusLines {
        SyncStatusLines(
            lastSync: lastSync(status.lastSuccessMs, nowMs: nowMs, lang),
            photos: photos(status, lang),
            photoPercent: status.photosUploadingPercent.map { Int(max(0, min(100, $0))) },
            refusals: status.quarantined > 0
                ? lang.pick("\(status.quarantined) perubahan ditolak server: lihat dan putuskan.",
                            "\(status.quarantined) changes refused by the server: see and decide.")
                : nil,
            clock: clock(status.clockOffsetMs, lang),
            data: lang.pick("Data bulan ini: ", "Data this month: ") + bytes(status.dataMonthBytes, lang)
        )
    }

    /// When the phone last synced, relative to now.
    public static func lastSync(_ lastMs: Int64?, nowMs: Int64, _ lang: Lang) -> String {
        guard let lastMs else { return lang.pick("Belum pernah sinkron", "Never synced") }
        let minutes = max(0, nowMs - lastMs) / 60_000
        let ago: String
        if minutes < 1 {
            ago = lang.pick("baru saja", "just now")
        } else if minutes < 60 {
            ago = lang.pick("\(minutes) menit lalu", "\(minutes) min ago")
        } else if minutes < 48 * 60 {
            ago = lang.pick("\(minutes / 60) jam lalu", "\(minutes / 60) h ago")
        } else {
            ago = lang.pick("\(minutes / (24 * 60)) hari lalu", "\(minutes / (24 * 60)) days ago")
        }
        return lang.pick("Terakhir sinkron \(ago)", "Last synced \(ago)")
    }

    /// Photos waiting and the one being sent; failed ones said apart.
    public static func photos(_ s: SyncStatus, _ lang: Lang) -> String? {
        var parts: [String] = []
        if s.photosWaiting > 0 { parts.append(lang.pick("\(s.photosWaiting) menunggu", "\(s.photosWaiting) waiting")) }
        if s.photosUploading > 0 {
            let percent = s.photosUploadingPercent.map { " \($0)%" } ?? ""
            parts.append(lang.pick("\(s.photosUploading) sedang dikirim\(percent)", "\(s.photosUploading) sending\(percent)"))
        }
        if s.photosFailed > 0 { parts.append(lang.pick("\(s.photosFailed) gagal", "\(s.photosFailed) failed")) }
        if parts.isEmpty { return nil }
        return lang.pick("Foto: ", "Photos: ") + parts.joined(separator: ", ")
    }

    /// A warning when the clock is off by more than `clockWarningMs` (offset: server − phone).
    public static func clock(_ offsetMs: Int64, _ lang: Lang) -> String? {
        guard offsetMs.magnitude > UInt64(clockWarningMs) else { return nil }
        let minutes = Int64(offsetMs.magnitude / 60_000)
        let amount: String
        if minutes < 120 {
            amount = lang.pick("\(minutes) menit", "\(minutes) minutes")
        } else if minutes < 48 * 60 {
            amount = lang.pick("\(minutes / 60) jam", "\(minutes / 60) hours")
        } else {
            amount = lang.pick("\(minutes / (24 * 60)) hari", "\(minutes / (24 * 60)) days")
        }
        return offsetMs > 0
            ? lang.pick("Jam ponsel terlambat \(amount). Betulkan tanggal dan jam di Pengaturan.",
                        "The phone's clock is \(amount) behind. Set the date and time in Settings.")
            : lang.pick("Jam ponsel lebih cepat \(amount). Betulkan tanggal dan jam di Pengaturan.",
                        "The phone's clock is \(amount) ahead. Set the date and time in Settings.")
    }

    /// "850 B", "12,3 KB", "3,1 MB": a decimal comma in Indonesian, a point in English.
    public static func bytes(_ n: Int64, _ lang: Lang) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KB", "MB", "GB"]
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10)\(lang.pick(",", "."))\(tenths % 10) \(units[unit])"
    }
}
