package id.sentra.app.logic

import id.sentra.ffi.SyncSettings

/**
 * Photos on prepaid data: display photos (1280 px) go over mobile data only when the user
 * switched "use mobile data for photos" on; thumbnails always go, so the listing shows. The same
 * rule for "Sync now" and the background worker. Photos the server refused are put back in the
 * queue, at most every [RETRY_EVERY_MS], so a photo the server keeps refusing does not cost data
 * on every sync.
 */
object PhotoPolicy {
    /** How often failed photo uploads are retried. */
    const val RETRY_EVERY_MS = 6 * 3_600_000L

    /** Whether display photos may go on this network. */
    fun sendsDisplayPhotos(unmetered: Boolean, allowMobileData: Boolean) = unmetered || allowMobileData

    /** The settings of a sync the user started ("Sync now"): no scheduler window to respect. */
    fun syncNow(unmetered: Boolean, allowMobileData: Boolean): SyncSettings =
        SyncSettings(
            deadlineMs = 540_000L,
            byteBudget = null,
            thumbnailsOnly = !sendsDisplayPhotos(unmetered, allowMobileData),
            pushBatchBytes = null,
        )

    /** Whether to put failed photos back in the queue before this sync. */
    fun retryDue(failed: Long, lastRetryMs: Long?, now: Long): Boolean =
        failed > 0 && (lastRetryMs == null || now - lastRetryMs >= RETRY_EVERY_MS)

    /** The switch's label and what it means, for the settings screen. */
    fun switchLabel(lang: Lang) = lang.pick("Pakai data seluler untuk foto", "Use mobile data for photos")

    fun switchHint(lang: Lang, allowMobileData: Boolean) = if (allowMobileData) {
        lang.pick("Foto ukuran penuh juga dikirim lewat data seluler.", "Full-size photos also go over mobile data.")
    } else {
        lang.pick("Lewat data seluler hanya foto kecil yang dikirim; foto penuh menunggu Wi-Fi.",
            "On mobile data only small photos go; full-size photos wait for Wi-Fi.")
    }
}
