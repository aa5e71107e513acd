package id.sentra.app.logic

import id.sentra.ffi.Quarantined
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException

/** One refused change as the refusals screen draws it. */
data class RefusalLine(
    /** Its number, to send it again or discard it. */
    val seq: Long,
    /** "Produk baru", "Penjualan", … : what was refused. */
    val what: String,
    /** Why, in the user's language. */
    val why: String,
    /** The thing's id (a product opens in the editor to be fixed). */
    val entityId: String,
    /** The kind of thing (`product`, `sale`, …). */
    val entity: String,
    /** Whether fixing it in the product editor can help (a product, variant or photo). */
    val fixInEditor: Boolean,
)

/** The refusals screen: every change the server refused, and what to do about each. */
data class RefusalsView(
    val lines: List<RefusalLine> = emptyList(),
    val message: UserMessage? = null,
)

/** How a refusal reads: what was refused, and why, in the user's language. */
object RefusalText {
    /** What the refused change was. */
    fun what(q: Quarantined, lang: Lang): String {
        val thing = when (q.entity) {
            "producer" -> lang.pick("Data usaha", "Business details")
            "product" -> lang.pick("Produk", "Product")
            "variant" -> lang.pick("Varian produk", "Product variant")
            "photo" -> lang.pick("Foto produk", "Product photo")
            "stock_movement" -> lang.pick("Perubahan stok", "Stock change")
            "sale" -> lang.pick("Penjualan langsung", "Direct sale")
            "sale_void" -> lang.pick("Pembatalan penjualan", "Sale void")
            "order" -> lang.pick("Pesanan", "Order")
            "organisation", "organisation_member", "organisation_admin" ->
                lang.pick("Kelompok / koperasi", "Cluster / cooperative")
            else -> lang.pick("Perubahan", "Change")
        }
        val action = when (q.op) {
            "create" -> lang.pick(" baru", " (new)")
            "update" -> lang.pick(" (diubah)", " (edited)")
            "delete" -> lang.pick(" (dihapus)", " (deleted)")
            else -> ""
        }
        return thing + action
    }

    /** Why the server refused it. */
    fun why(q: Quarantined, lang: Lang): String = when (q.code) {
        "forbidden" -> lang.pick(
            "Akun ini tidak berhak mengubah data ini.",
            "This account may not change this data.",
        )
        "unknown_reference" -> lang.pick(
            "Server belum mengenal data yang dirujuk (misalnya produknya ditolak lebih dulu).",
            "The server does not know the data it refers to (its product may have been refused first).",
        )
        "validation" -> lang.pick(
            "Isinya tidak memenuhi aturan: periksa lalu kirim lagi.",
            "Its content breaks a rule: check it, then send it again.",
        )
        "clock_ahead" -> lang.pick(
            "Jam ponsel terlalu cepat. Betulkan tanggal dan jam, lalu kirim lagi.",
            "The phone's clock is too far ahead. Set the date and time right, then send again.",
        )
        "malformed" -> lang.pick(
            "Server tidak memahami perubahan ini.",
            "The server did not understand this change.",
        )
        else -> lang.pick("Server menolak perubahan ini.", "The server refused this change.")
    }

    /** The line for one refusal. */
    fun line(q: Quarantined, lang: Lang) = RefusalLine(
        seq = q.seq,
        what = what(q, lang),
        why = why(q, lang),
        entityId = q.entityId,
        entity = q.entity,
        fixInEditor = q.entity in setOf("product", "variant", "photo"),
    )
}

/**
 * The refusals screen's state: the list from `quarantined()`, and the two ways out of each:
 * send again (after fixing the thing), or discard and take the server's state.
 */
class RefusalsState(private val device: SentraDevice, private val lang: Lang) {
    /** The current view; call [refresh] to fill it. */
    var view: RefusalsView = RefusalsView()
        private set

    /** Reads the refusals again. */
    fun refresh(): RefusalsView {
        view = view.copy(lines = device.quarantined().map { RefusalText.line(it, lang) })
        return view
    }

    /** Sends a refusal again with the thing's current values; `false` with a message when not. */
    fun sendAgain(seq: Long): Boolean = act { device.resendRefused(seq) }

    /**
     * Discards a refusal: this phone takes the server's state. When the server's copy must be
     * pulled again, [view]'s message says the next sync will bring it.
     */
    fun discard(seq: Long): Boolean {
        var repull = false
        val done = act { repull = device.discardRefused(seq) }
        if (done && repull) {
            view = view.copy(
                message = UserMessage(
                    lang.pick(
                        "Data dari server dipakai lagi pada sinkronisasi berikutnya.",
                        "The server's copy comes back on the next sync.",
                    ),
                ),
            )
        }
        return done
    }

    private fun act(call: () -> Unit): Boolean = try {
        call()
        view = view.copy(message = null)
        refresh()
        true
    } catch (e: SentraException) {
        view = view.copy(message = ErrorText.of(e, lang))
        false
    }
}
