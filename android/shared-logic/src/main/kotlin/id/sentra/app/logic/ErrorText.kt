package id.sentra.app.logic

import id.sentra.ffi.ErrorCode
import id.sentra.ffi.FieldProblem
import id.sentra.ffi.SentraException
import id.sentra.ffi.SyncStop

/** The stable code every variant of [SentraException] carries. */
val SentraException.code: ErrorCode
    get() = when (this) {
        is SentraException.Validation -> code
        is SentraException.NotFound -> code
        is SentraException.InvalidTransition -> code
        is SentraException.NotSentraDatabase -> code
        is SentraException.DatabaseCorrupt -> code
        is SentraException.SchemaTooNew -> code
        is SentraException.StorageFull -> code
        is SentraException.Storage -> code
        is SentraException.NotAnImage -> code
        is SentraException.HeicNotSupported -> code
        is SentraException.TruncatedImage -> code
        is SentraException.TooManyPixels -> code
        is SentraException.FileTooLarge -> code
        is SentraException.UnreadableFile -> code
        is SentraException.UnsupportedImage -> code
        is SentraException.Network -> code
        is SentraException.SignInRefused -> code
        is SentraException.Internal -> code
    }

/** The core's message in Bahasa Indonesia. */
private val SentraException.messageIdText: String
    get() = when (this) {
        is SentraException.Validation -> messageId
        is SentraException.NotFound -> messageId
        is SentraException.InvalidTransition -> messageId
        is SentraException.NotSentraDatabase -> messageId
        is SentraException.DatabaseCorrupt -> messageId
        is SentraException.SchemaTooNew -> messageId
        is SentraException.StorageFull -> messageId
        is SentraException.Storage -> messageId
        is SentraException.NotAnImage -> messageId
        is SentraException.HeicNotSupported -> messageId
        is SentraException.TruncatedImage -> messageId
        is SentraException.TooManyPixels -> messageId
        is SentraException.FileTooLarge -> messageId
        is SentraException.UnreadableFile -> messageId
        is SentraException.UnsupportedImage -> messageId
        is SentraException.Network -> messageId
        is SentraException.SignInRefused -> messageId
        is SentraException.Internal -> messageId
    }

/** The core's message in English. */
private val SentraException.messageEnText: String
    get() = when (this) {
        is SentraException.Validation -> messageEn
        is SentraException.NotFound -> messageEn
        is SentraException.InvalidTransition -> messageEn
        is SentraException.NotSentraDatabase -> messageEn
        is SentraException.DatabaseCorrupt -> messageEn
        is SentraException.SchemaTooNew -> messageEn
        is SentraException.StorageFull -> messageEn
        is SentraException.Storage -> messageEn
        is SentraException.NotAnImage -> messageEn
        is SentraException.HeicNotSupported -> messageEn
        is SentraException.TruncatedImage -> messageEn
        is SentraException.TooManyPixels -> messageEn
        is SentraException.FileTooLarge -> messageEn
        is SentraException.UnreadableFile -> messageEn
        is SentraException.UnsupportedImage -> messageEn
        is SentraException.Network -> messageEn
        is SentraException.SignInRefused -> messageEn
        is SentraException.Internal -> messageEn
    }

/** The field problems of a validation failure; empty otherwise. */
val SentraException.fieldProblems: List<FieldProblem>
    get() = (this as? SentraException.Validation)?.fields ?: emptyList()

/** The server's code for a refused request (`bad_credentials`...), if any. */
val SentraException.serverCode: String?
    get() = when (this) {
        is SentraException.Network -> serverCode
        is SentraException.SignInRefused -> serverCode
        else -> null
    }

/** What the user reads about a failure: a sentence, and one hint per field to fix. */
data class UserMessage(val text: String, val fields: Map<String, String> = emptyMap())

/**
 * Turns failures into what the user reads, in their language. The core's codes carry the
 * core's own messages; what only the app knows (the server's refusal codes, why a sync
 * stopped) is worded here.
 */
object ErrorText {
    /** The message for a failed call. */
    fun of(e: SentraException, lang: Lang): UserMessage {
        val text = e.serverCode?.let { server(it, lang) }
            ?: lang.pick(e.messageIdText, e.messageEnText)
        val fields = e.fieldProblems.associate { it.field to lang.pick(it.messageId, it.messageEn) }
        return UserMessage(text, fields)
    }

    /** A server refusal code as a sentence; `null` for a code the app has no words for. */
    fun server(code: String, lang: Lang): String? = when (code) {
        "bad_credentials" -> lang.pick("Nomor HP, nama, atau PIN salah.", "Wrong phone number, name or PIN.")
        "locked_out" -> lang.pick(
            "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
            "Too many attempts. Wait a little and try again.",
        )
        "too_many_attempts" -> lang.pick(
            "Terlalu banyak PIN salah dari ponsel ini. Tunggu 15 menit lalu coba lagi.",
            "Too many wrong PINs from this phone. Wait 15 minutes and try again.",
        )
        "unauthorized" -> lang.pick("Sesi berakhir. Silakan masuk lagi.", "Your session ended. Please sign in again.")
        "unsupported_version" -> lang.pick(
            "Versi aplikasi terlalu lama. Perbarui aplikasi.",
            "This app version is too old. Please update.",
        )
        "wrong_device" -> lang.pick(
            "Akun ini masuk dari ponsel lain. Silakan masuk lagi.",
            "This account signed in on another phone. Please sign in again.",
        )
        "rate_limited" -> lang.pick("Server sedang sibuk. Coba lagi nanti.", "The server is busy. Try again later.")
        else -> null
    }

    /**
     * Why a sync stopped early (the report's `stoppedBy`), for the status line; `null` for a
     * sync that completed.
     */
    fun syncStopped(stoppedBy: SyncStop?, lang: Lang): String? = when (stoppedBy) {
        null -> null
        is SyncStop.Cancelled -> lang.pick("Sinkronisasi dihentikan.", "Sync stopped.")
        is SyncStop.Deadline -> lang.pick(
            "Waktu habis; sisanya dikirim nanti.",
            "Out of time; the rest goes later.",
        )
        is SyncStop.ByteBudget -> lang.pick(
            "Batas kuota tercapai; sisanya dikirim nanti.",
            "Data limit reached; the rest goes later.",
        )
        is SyncStop.Network -> lang.pick(
            "Tidak ada sinyal. Dicoba lagi otomatis.",
            "No signal. Retrying automatically.",
        )
        is SyncStop.Refused -> server(stoppedBy.code, lang)
            ?: lang.pick("Server menolak permintaan.", "The server refused the request.")
    }
}
