package id.sentra.app.logic

import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.SyncReport
import id.sentra.ffi.SyncSettings

/** What one account's background sync did. */
data class AccountRun(
    val login: String,
    /** `null` when the sync could not run (see [problem]). */
    val report: SyncReport?,
    /** Notifications to post now and reminders to schedule for this account. */
    val alerts: OrderWatch.Alerts,
    /** Failed photos put back in the queue before the sync. */
    val photosRequeued: Long,
    /** Why it did not run or stopped, worded for the user. */
    val problem: String? = null,
)

/** When this account last put its failed photos back in the queue (Unix ms). */
interface PhotoRetryClock {
    fun last(login: String): Long?
    fun record(login: String, atMs: Long)
}

/**
 * Background sync of every account on a shared phone, not only the open one: each producer's
 * sales and orders reach the server, and each new order is announced, whoever is using the phone.
 * Each account syncs with its own file and token; the open account's handle is reused (one
 * handle per file in a process), the others are opened and closed around their sync. No PIN is
 * needed: nothing is shown, and each account's notifications name the account so the phone's
 * owner knows whose order it is. An account whose session is gone (signed out, or the server
 * refused the token) is skipped until it signs in again.
 */
class EveryAccountSync(
    private val book: AccountBook,
    private val sessions: (String) -> SessionStore,
    private val retries: PhotoRetryClock,
    private val lang: Lang,
    private val now: () -> Long = System::currentTimeMillis,
) {
    /** The accounts a background run syncs: every one on the phone with a session. */
    fun targets(): List<KnownAccount> = book.known().filter { sessions(it.login).load() != null }

    /**
     * Syncs every target in turn with [settings] (one deadline each: the caller divides its
     * window). [open] is the account in use and its handle, if any.
     */
    suspend fun run(settings: SyncSettings, open: Pair<String, SentraDevice>? = null): List<AccountRun> =
        targets().map { account ->
            val reuse = open?.takeIf { it.first == account.login }?.second
            val device = reuse ?: SentraDevice.open(account.file.path)
            try {
                one(account, device, settings)
            } catch (e: SentraException) {
                AccountRun(account.login, null, OrderWatch.Alerts(emptyList(), emptyList()), 0, ErrorText.of(e, lang).text)
            } finally {
                if (reuse == null) device.close()
            }
        }

    private suspend fun one(account: KnownAccount, device: SentraDevice, settings: SyncSettings): AccountRun {
        val store = sessions(account.login)
        val at = now()
        val failed = device.syncStatus().photosFailed
        val requeued = if (PhotoPolicy.retryDue(failed, retries.last(account.login), at)) {
            retries.record(account.login, at)
            device.retryFailedPhotoUploads()
        } else {
            0L
        }
        val report = SyncController(device, store, lang).syncNow(settings)
        val name = store.load()?.producerId?.let { id -> runCatching { device.producer(id).businessName }.getOrNull() }
            ?: account.login
        val alerts = OrderWatch(device, FileSeenOrders.beside(account.file), account.login, name, lang, now).check()
        val problem = report?.takeIf { !it.completed }?.let { ErrorText.syncStopped(it.stoppedBy, lang) }
        return AccountRun(account.login, report, alerts, requeued, problem)
    }
}
