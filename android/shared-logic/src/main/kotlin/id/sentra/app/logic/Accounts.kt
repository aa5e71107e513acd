package id.sentra.app.logic

import id.sentra.ffi.SentraDevice
import java.io.File
import java.security.MessageDigest

/** An account known on this phone. */
data class KnownAccount(val login: String, val role: String, val file: File)

/**
 * The accounts of a shared phone: each has its own database file (and photo folder beside
 * it) in [dir], so one producer never sees another's data. Switching to an account asks for
 * its PIN or password, checked by the server at sign-in.
 *
 * The core has no offline PIN check yet, so switching needs a connection; until it has one
 * the app keeps the last account open and asks for the PIN when the network is back.
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
    suspend fun signIn(serverUrl: String, login: String, secret: String, store: SessionStore): SentraDevice {
        dir.mkdirs()
        val device = SentraDevice.open(databaseFor(login).path)
        try {
            val signed = device.signIn(serverUrl, login, secret)
            store.save(Session(serverUrl, signed.token, signed.userId, signed.role, signed.producerId))
            if (known().none { it.login == login }) index.appendText("$login\t${signed.role}\n")
            return device
        } catch (e: Throwable) {
            device.close()
            throw e
        }
    }
}
