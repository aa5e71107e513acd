package id.sentra.app.logic

import id.sentra.ffi.Notice
import id.sentra.ffi.NoticeKind
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.SyncCancel
import id.sentra.ffi.SyncListener
import id.sentra.ffi.SyncProgress
import id.sentra.ffi.SyncReport
import id.sentra.ffi.SyncSettings
import id.sentra.ffi.SyncStop
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** A signed-in account's server and token. */
data class Session(
    val serverUrl: String,
    val token: String,
    val userId: String,
    val role: String,
    val producerId: String?,
)

/** Where the token is kept: Android's Keystore-backed storage in the app, memory in tests. */
interface SessionStore {
    /** The session, if signed in. */
    fun load(): Session?

    /** Keeps the session. */
    fun save(session: Session)

    /** Forgets it (signed out, or the server said the token is no longer valid). */
    fun clear()
}

/** A session kept in memory. */
class MemorySessionStore(private var session: Session? = null) : SessionStore {
    override fun load() = session
    override fun save(session: Session) {
        this.session = session
    }
    override fun clear() {
        session = null
    }
}

/** What the sync status line shows. */
data class SyncView(
    val running: Boolean = false,
    val progress: SyncProgress? = null,
    /** Changes waiting to be sent. */
    val waiting: Long = 0,
    /** Photo files waiting to be sent. */
    val photosWaiting: Long = 0,
    /** When the last sync completed (Unix ms). */
    val lastSuccessMs: Long? = null,
    /** Why the last sync stopped early, worded for the user. */
    val problem: String? = null,
    /** Changes the server refused. */
    val refused: Long = 0,
    /** What syncs did to the user's own work, worded for the user, until dismissed. */
    val notices: List<NoticeLine> = emptyList(),
    /** The status card's lines: last sync, photos, refusals, clock, data this month. */
    val status: SyncStatusLines? = null,
)

/** One notice as the home screen shows it. */
data class NoticeLine(val id: Long, val text: String)

/** What a sync did to the user's own work, in the user's language. */
object NoticeText {
    fun of(notice: Notice, lang: Lang): String = when (notice.kind) {
        NoticeKind.EDIT_LOST_TO_DELETE -> lang.pick(
            "Perubahan Anda pada \u201c${notice.name}\u201d tidak tersimpan: produk ini sudah dihapus di perangkat lain.",
            "Your change to \u201c${notice.name}\u201d was not kept: the product was deleted on another device.",
        )
        NoticeKind.OTHER -> lang.pick(
            "Ada kabar tentang \u201c${notice.name}\u201d dari sinkronisasi.",
            "A sync left a notice about \u201c${notice.name}\u201d.",
        )
    }
}

/** When and how background sync runs: the policy WorkManager and BGTaskScheduler follow. */
object SyncPolicy {
    /** Margin left inside the scheduler's window for the last request to finish. */
    const val MARGIN_MS = 60_000L

    /**
     * Settings for one background run: a deadline inside the scheduler's window, and display
     * photos only on an unmetered network unless the user allows mobile data.
     */
    fun settings(windowMs: Long, unmetered: Boolean, allowMobileData: Boolean): SyncSettings =
        SyncSettings(
            deadlineMs = maxOf(10_000L, windowMs - MARGIN_MS),
            byteBudget = null,
            thumbnailsOnly = !unmetered && !allowMobileData,
            pushBatchBytes = null,
        )

    /** Whether the token must be dropped and the user asked to sign in again. */
    fun mustSignInAgain(report: SyncReport): Boolean =
        (report.stoppedBy as? SyncStop.Refused)?.code in setOf("unauthorized", "wrong_device")
}

/**
 * Runs syncs for the status screen and the background worker: progress arrives on a tokio
 * thread and lands in [view]; [cancel] stops a running sync between two requests.
 */
class SyncController(
    private val device: SentraDevice,
    private val sessions: SessionStore,
    private val lang: Lang,
) {
    private val state = MutableStateFlow(SyncView())
    @Volatile private var running: SyncCancel? = null

    /** The current view. */
    val view: StateFlow<SyncView> = state.asStateFlow()

    /** Reads the status from the database. */
    fun refresh() {
        val status = device.syncStatus()
        state.value = state.value.copy(
            waiting = status.pending.sumOf { it.count },
            photosWaiting = status.photosWaiting + status.photosUploading,
            lastSuccessMs = status.lastSuccessMs,
            problem = ErrorText.syncStopped(status.lastError, lang),
            refused = status.quarantined,
            notices = device.notices().map { NoticeLine(it.id, NoticeText.of(it, lang)) },
            status = SyncStatusText.lines(status, System.currentTimeMillis(), lang),
        )
    }

    /** The user has read a notice: it goes. */
    fun dismiss(notice: Long) {
        device.dismissNotice(notice)
        refresh()
    }

    /**
     * Runs one sync now; `null` when nobody is signed in. A refused token is forgotten, so
     * the app asks the user to sign in again.
     */
    suspend fun syncNow(settings: SyncSettings = SyncSettings()): SyncReport? {
        val session = sessions.load() ?: return null
        val cancel = SyncCancel()
        running = cancel
        state.value = state.value.copy(running = true, progress = null)
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                state.update { it.copy(progress = progress) } // from a tokio thread: atomically
            }
        }
        try {
            val report = device.sync(session.serverUrl, session.token, settings, listener, cancel)
            if (SyncPolicy.mustSignInAgain(report)) sessions.clear()
            return report
        } catch (e: SentraException) {
            state.value = state.value.copy(problem = ErrorText.of(e, lang).text)
            throw e
        } finally {
            running = null
            cancel.close()
            state.value = state.value.copy(running = false)
            refresh()
        }
    }

    /** Stops the running sync, if any, between two requests. */
    fun cancel() {
        running?.cancel()
    }
}
