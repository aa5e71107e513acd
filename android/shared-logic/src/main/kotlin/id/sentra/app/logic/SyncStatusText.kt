package id.sentra.app.logic

import id.sentra.ffi.SyncStatus

/** The sync status card, worded: each line `null` when there is nothing to say. */
data class SyncStatusLines(
    /** "Terakhir sinkron 5 menit lalu" / "Belum pernah sinkron". */
    val lastSync: String,
    /** "Foto: 3 menunggu, 1 terkirim 45%"; `null` when no photo waits. */
    val photos: String?,
    /** How far the photo being sent is (0–100), for a progress bar; `null` when none is. */
    val photoPercent: Int?,
    /** "2 perubahan ditolak server: lihat"; `null` when none was. */
    val refusals: String?,
    /** A warning when the phone's clock is far off the server's; `null` when it is right. */
    val clock: String?,
    /** "Data bulan ini: 12,4 MB". */
    val data: String,
)

/** Words for the sync status card, from the core's `sync_status()`. */
object SyncStatusText {
    /** A clock off by more than this is worth a warning (the core corrects its stamps anyway). */
    const val CLOCK_WARNING_MS = 10 * 60_000L

    /** The card's lines for [status], as of [nowMs]. */
    fun lines(status: SyncStatus, nowMs: Long, lang: Lang) = SyncStatusLines(
        lastSync = lastSync(status.lastSuccessMs, nowMs, lang),
        photos = photos(status, lang),
        photoPercent = status.photosUploadingPercent?.toInt()?.coerceIn(0, 100),
        refusals = status.quarantined.takeIf { it > 0 }?.let {
            lang.pick("$it perubahan ditolak server: lihat dan putuskan.", "$it changes refused by the server: see and decide.")
        },
        clock = clock(status.clockOffsetMs, lang),
        data = lang.pick("Data bulan ini: ", "Data this month: ") + bytes(status.dataMonthBytes, lang),
    )

    /** When the phone last synced, relative to now. */
    fun lastSync(lastMs: Long?, nowMs: Long, lang: Lang): String {
        if (lastMs == null) return lang.pick("Belum pernah sinkron", "Never synced")
        val minutes = maxOf(0L, nowMs - lastMs) / 60_000
        val ago = when {
            minutes < 1 -> lang.pick("baru saja", "just now")
            minutes < 60 -> lang.pick("$minutes menit lalu", "$minutes min ago")
            minutes < 48 * 60 -> lang.pick("${minutes / 60} jam lalu", "${minutes / 60} h ago")
            else -> lang.pick("${minutes / (24 * 60)} hari lalu", "${minutes / (24 * 60)} days ago")
        }
        return lang.pick("Terakhir sinkron $ago", "Last synced $ago")
    }

    /** Photos waiting and the one being sent; failed ones said apart. */
    fun photos(status: SyncStatus, lang: Lang): String? {
        val parts = mutableListOf<String>()
        if (status.photosWaiting > 0) parts += lang.pick("${status.photosWaiting} menunggu", "${status.photosWaiting} waiting")
        if (status.photosUploading > 0) {
            val percent = status.photosUploadingPercent?.let { " $it%" } ?: ""
            parts += lang.pick("${status.photosUploading} sedang dikirim$percent", "${status.photosUploading} sending$percent")
        }
        if (status.photosFailed > 0) parts += lang.pick("${status.photosFailed} gagal", "${status.photosFailed} failed")
        if (parts.isEmpty()) return null
        return lang.pick("Foto: ", "Photos: ") + parts.joinToString(", ")
    }

    /** A warning when the clock is off by more than [CLOCK_WARNING_MS]. */
    fun clock(offsetMs: Long, lang: Lang): String? {
        if (Math.abs(offsetMs) <= CLOCK_WARNING_MS) return null
        val minutes = Math.abs(offsetMs) / 60_000
        val amount = when {
            minutes < 120 -> lang.pick("$minutes menit", "$minutes minutes")
            minutes < 48 * 60 -> lang.pick("${minutes / 60} jam", "${minutes / 60} hours")
            else -> lang.pick("${minutes / (24 * 60)} hari", "${minutes / (24 * 60)} days")
        }
        // The offset is server time minus phone time: positive means the phone is behind.
        return if (offsetMs > 0) {
            lang.pick(
                "Jam ponsel terlambat $amount. Betulkan tanggal dan jam di Pengaturan.",
                "The phone's clock is $amount behind. Set the date and time in Settings.",
            )
        } else {
            lang.pick(
                "Jam ponsel lebih cepat $amount. Betulkan tanggal dan jam di Pengaturan.",
                "The phone's clock is $amount ahead. Set the date and time in Settings.",
            )
        }
    }

    /** "850 B", "12,4 KB", "3,1 MB": a decimal comma in Indonesian, a point in English. */
    fun bytes(n: Long, lang: Lang): String {
        if (n < 1024) return "$n B"
        val units = listOf("KB", "MB", "GB")
        var value = n / 1024.0
        var unit = 0
        while (value >= 1024 && unit < units.size - 1) {
            value /= 1024
            unit++
        }
        val tenths = Math.round(value * 10)
        val text = "${tenths / 10}${lang.pick(",", ".")}${tenths % 10}"
        return "$text ${units[unit]}"
    }
}
