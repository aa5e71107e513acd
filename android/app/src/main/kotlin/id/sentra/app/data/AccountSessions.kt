package id.sentra.app.data

import android.content.Context
import androidx.security.crypto.EncryptedSharedPreferences
import androidx.security.crypto.MasterKey
import id.sentra.app.logic.PhotoRetryClock
import id.sentra.app.logic.Session
import id.sentra.app.logic.SessionStore

/**
 * Each account's token in EncryptedSharedPreferences (its key lives in the Android Keystore),
 * and which account is in use. A token never goes into the database or a log.
 */
class AccountSessions(context: Context) {
    private val prefs = EncryptedSharedPreferences.create(
        context,
        "sentra-sessions",
        MasterKey.Builder(context).setKeyScheme(MasterKey.KeyScheme.AES256_GCM).build(),
        EncryptedSharedPreferences.PrefKeyEncryptionScheme.AES256_SIV,
        EncryptedSharedPreferences.PrefValueEncryptionScheme.AES256_GCM,
    )

    /** The login in use, if any. */
    fun activeLogin(): String? = prefs.getString("active", null)

    /** Sets the login in use. */
    fun setActiveLogin(login: String?) {
        prefs.edit().apply { if (login == null) remove("active") else putString("active", login) }.apply()
    }

    /** Whether the user lets display photos go over mobile data. */
    var allowMobileData: Boolean
        get() = prefs.getBoolean("allow_mobile_data", false)
        set(value) = prefs.edit().putBoolean("allow_mobile_data", value).apply()

    /** When each account last put its failed photos back in the queue. */
    val photoRetries: PhotoRetryClock = object : PhotoRetryClock {
        override fun last(login: String): Long? =
            prefs.getLong("$login.photo_retry", -1L).takeIf { it >= 0 }

        override fun record(login: String, atMs: Long) {
            prefs.edit().putLong("$login.photo_retry", atMs).apply()
        }
    }

    /** The producer a facilitator ([login]) last added a product for, to start the picker there. */
    fun lastPickedProducer(login: String): String? = prefs.getString("$login.picked_producer", null)

    /** Remembers the producer [login] picked. */
    fun setLastPickedProducer(login: String, producerId: String) {
        prefs.edit().putString("$login.picked_producer", producerId).apply()
    }

    /** The session store of one account. */
    fun of(login: String): SessionStore = object : SessionStore {
        override fun load(): Session? {
            val token = prefs.getString("$login.token", null) ?: return null
            return Session(
                serverUrl = prefs.getString("$login.server", null) ?: return null,
                token = token,
                userId = prefs.getString("$login.user", "") ?: "",
                role = prefs.getString("$login.role", "") ?: "",
                producerId = prefs.getString("$login.producer", null),
            )
        }

        override fun save(session: Session) {
            prefs.edit()
                .putString("$login.server", session.serverUrl)
                .putString("$login.token", session.token)
                .putString("$login.user", session.userId)
                .putString("$login.role", session.role)
                .putString("$login.producer", session.producerId)
                .apply()
        }

        override fun clear() {
            prefs.edit().remove("$login.token").apply()
        }
    }
}
