package id.sentra.app

import android.app.Application
import id.sentra.app.data.AccountSessions
import id.sentra.app.logic.AccountBook
import id.sentra.app.logic.ColdStart
import id.sentra.app.logic.Lang
import id.sentra.app.logic.PhotoPolicy
import id.sentra.app.sync.Network
import id.sentra.app.sync.SyncScheduler
import id.sentra.ffi.Change
import id.sentra.ffi.ChangeListener
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.SyncSettings
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import java.io.File
import java.util.Locale

/**
 * The process: the shared phone's accounts, the one open database, and background sync.
 * Every rule lives in the Rust core; this class only opens, switches and schedules.
 */
class SentraApp : Application() {
    /** Accounts on this phone, one database file each. */
    lateinit var accounts: AccountBook
        private set

    /** Tokens, in Keystore-backed encrypted storage. */
    lateinit var sessions: AccountSessions
        private set

    private val open = MutableStateFlow<OpenAccount?>(null)

    /** The account in use, if any. */
    val current: StateFlow<OpenAccount?> = open.asStateFlow()

    /** The user's language: Indonesian unless the phone is set to English. */
    val lang: Lang get() = Lang.of(Locale.getDefault().toLanguageTag())

    /**
     * What the first screen is after a cold start. The last account is never reopened without
     * its PIN: a shared phone's next user must not land in someone else's shop.
     */
    lateinit var coldStart: ColdStart
        private set

    override fun onCreate() {
        super.onCreate()
        accounts = AccountBook(File(filesDir, "accounts"))
        sessions = AccountSessions(this)
        coldStart = runCatching { accounts.coldStart(sessions.activeLogin()) }.getOrDefault(ColdStart.Choose)
        SyncScheduler.schedulePeriodic(this)
    }

    /** The settings of "Sync now": display photos on mobile data only with the user's switch on. */
    fun syncNowSettings(): SyncSettings =
        PhotoPolicy.syncNow(unmetered = Network.isUnmetered(this), allowMobileData = sessions.allowMobileData)

    /**
     * Opens [login]'s database after its PIN was checked (the switch screen's [AccountBook.switchTo]
     * opens it; this is for a file the PIN screen already unlocked), rebuilding a damaged one.
     */
    fun openChecked(login: String): SentraDevice = openOrRecover(login)

    /**
     * Opens [login]'s database; a damaged one is rebuilt (the unsent work still readable is
     * kept, the rest comes back with the next sync) and its session forgotten, so the home
     * screen asks to sign in again.
     */
    private fun openOrRecover(login: String): SentraDevice {
        val device = try {
            SentraDevice.open(accounts.databaseFor(login).path)
        } catch (e: SentraException.DatabaseCorrupt) {
            return accounts.recover(login, sessions.of(login)).device
        }
        // No full page check here (it would cost every cold start). A later call that meets a
        // damaged page shows the DatabaseCorrupt message; a recovery button there is not built.
        return try {
            device.account()
            device
        } catch (e: SentraException.DatabaseCorrupt) {
            device.close()
            accounts.recover(login, sessions.of(login)).device
        }
    }

    /** Makes [device] (signed in as [login]) the account in use, closing the previous one. */
    fun use(login: String, device: SentraDevice) {
        open.value?.device?.takeIf { it !== device }?.close()
        sessions.setActiveLogin(login)
        device.setChangeListener(object : ChangeListener {
            override fun onChange(change: Change) {
                if (change != Change.SYNCED) SyncScheduler.afterLocalChange(this@SentraApp)
                open.value = open.value?.let { it.copy(version = it.version + 1) }
            }
        })
        open.value = OpenAccount(login, device, 0)
    }

    /** Closes the account in use (before switching or signing out). */
    fun closeCurrent() {
        open.value?.device?.close()
        open.value = null
        sessions.setActiveLogin(null)
    }
}

/** The open account; [version] goes up on every change, so screens know to refresh. */
data class OpenAccount(val login: String, val device: SentraDevice, val version: Long)
