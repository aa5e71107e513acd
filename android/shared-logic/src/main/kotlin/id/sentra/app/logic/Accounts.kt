package id.sentra.app.logic

import id.sentra.ffi.Recovered
import id.sentra.ffi.Role
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.Unlock
import id.sentra.ffi.recoverDevice
import java.io.File
import java.security.MessageDigest

/** An account known on this phone. */
data class KnownAccount(val login: String, val role: String, val file: File)

/** What became of switching to an account on a shared phone. */
sealed interface Switch {
    /** The PIN was right: the account's own database, open. */
    data class Opened(val device: SentraDevice) : Switch
    /** A wrong PIN; [attemptsLeft] more before a 15-minute lock. */
    data class WrongPin(val attemptsLeft: Long) : Switch
    /** Too many wrong PINs: try again after [untilMs] (Unix ms). */
    data class Locked(val untilMs: Long) : Switch
    /** This account never signed in here with a PIN: sign in (online) instead. */
    data object NeedsSignIn : Switch
}

/**
 * The accounts of a shared phone: each has its own database file (and photo folder beside
 * it) in [dir], so one producer never sees another's data. The first sign-in is online; after
 * it, switching to a producer's account asks for their 6-digit PIN, checked offline by the
 * core against a hash kept in that account's own file.
 */
class AccountBook(private val dir: File) {
    private val index = File(dir, "accounts.tsv")

    /** The database file of [login] (named by a hash: no phone number in a file name). */
    fun databaseFor(login: String): File {
        val key = login.filter { !it.isWhitespace() && it != '-' }.lowercase()
        val digest = MessageDigest.getInstance("SHA-256").digest(key.toByteArray())
        val name = digest.take(8).joinToString("") { "%02x".format(it) }
        return File(dir, "account-$name.db")
    }

    /** The accounts that signed in on this phone, in the order they first did. */
    fun known(): List<KnownAccount> {
        if (!index.exists()) return emptyList()
        return index.readLines().mapNotNull { line ->
            val parts = line.split('\t')
            if (parts.size == 2) KnownAccount(parts[0], parts[1], databaseFor(parts[0])) else null
        }
    }

    /**
     * Opens [login]'s database and signs in with [secret] (the producer's PIN or the staff
     * password); the server checks it. Records the account and keeps the session in [store].
     */
    suspend fun signIn(
        serverUrl: String,
        login: String,
        secret: String,
        store: SessionStore,
        phonePin: String? = null,
    ): SentraDevice {
        dir.mkdirs()
        val device = SentraDevice.open(databaseFor(login).path)
        try {
            val signed = device.signIn(serverUrl, login, secret)
            store.save(Session(serverUrl, signed.token, signed.userId, signed.role.code, signed.producerId))
            // A producer's PIN also guards their file on this phone, for switching offline.
            if (isPin(secret)) device.setUnlockPin(secret)
            // Staff sign in with a password; the PIN they choose for this phone guards their file.
            else if (phonePin != null) device.setUnlockPin(phonePin)
            if (known().none { it.login == login }) index.appendText("$login\t${signed.role.code}\n")
            return device
        } catch (e: Throwable) {
            device.close()
            throw e
        }
    }

    /**
     * Rebuilds [login]'s database after a call failed with `DatabaseCorrupt` (close it first):
     * the unsent work still readable, the PIN and the photos are kept, the damaged file is set
     * aside, and the rest comes back with the next sync. The rebuilt file is a new device to the
     * server, so the session in [store] is forgotten and the account signs in again.
     */
    fun recover(login: String, store: SessionStore): Recovered {
        val recovered = recoverDevice(databaseFor(login).path)
        if (recovered.report.signInAgain) store.clear()
        return recovered
    }

    /**
     * What a cold start shows for the account that was in use ([activeLogin]): never its data
     * without its PIN. An account with a PIN asks for it; one without (a staff account that set
     * none) goes to the list of accounts, where it signs in again.
     */
    fun coldStart(activeLogin: String?): ColdStart {
        val accounts = known()
        if (accounts.isEmpty()) return ColdStart.SignIn
        val last = accounts.firstOrNull { it.login == activeLogin } ?: return ColdStart.Choose
        if (!last.file.exists()) return ColdStart.Choose
        val guarded = SentraDevice.open(last.file.path).use { it.hasUnlockPin() }
        return if (guarded) ColdStart.AskPin(last.login) else ColdStart.Choose
    }

    /** Switches to [login]'s database with their [pin], offline. */
    fun switchTo(login: String, pin: String): Switch {
        val file = databaseFor(login)
        if (!file.exists()) return Switch.NeedsSignIn
        val device = SentraDevice.open(file.path)
        val outcome = if (!device.hasUnlockPin()) {
            Switch.NeedsSignIn
        } else {
            when (val result = device.unlock(pin)) {
                is Unlock.Open -> return Switch.Opened(device)
                is Unlock.Wrong -> Switch.WrongPin(result.attemptsLeft)
                is Unlock.Locked -> Switch.Locked(result.untilMs)
            }
        }
        device.close()
        return outcome
    }
}

/** What the app opens on a cold start. */
sealed interface ColdStart {
    /** No account on this phone yet: the online sign-in. */
    data object SignIn : ColdStart
    /** The list of accounts on this phone. */
    data object Choose : ColdStart
    /** The PIN of the account that was in use, then its data. */
    data class AskPin(val login: String) : ColdStart
}

/** Whether a secret is a producer's 6-digit PIN (rather than a staff password). */
fun isPin(secret: String) = secret.length == 6 && secret.all { it.isDigit() }

/** The role's stable code, as sessions and the accounts index keep it (`cooperative_admin`). */
val Role.code: String get() = name.lowercase()
