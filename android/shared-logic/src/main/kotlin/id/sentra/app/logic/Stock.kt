package id.sentra.app.logic

import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.StockMovement

/** The outcome of a stock change: done, or what to fix. */
sealed class StockResult {
    /** Recorded; [stock] is the variant's stock now. */
    data class Done(val stock: Long) : StockResult()

    /** Refused, per field and as a sentence. */
    data class Refused(val message: UserMessage) : StockResult()
}

/** One line of a variant's stock history. */
data class MovementLine(val text: String, val delta: String, val atMs: Long)

/**
 * Stock on the product screen: add what arrived (restock), or set the stock to what was
 * counted, with a reason (broken, lost, counted again). Both are counted movements that sync;
 * the stock of a saved product never changes by typing over it.
 */
class StockActions(private val device: SentraDevice, private val lang: Lang) {
    /** Adds [quantityText] units that arrived or were made. */
    fun restock(productId: String, variantId: String, quantityText: String): StockResult {
        val quantity = whole(quantityText) ?: return notANumber("quantity")
        return run(productId, variantId) { device.restock(variantId, quantity) }
    }

    /**
     * Sets the stock to what the producer counted ([countedText]), saying why ([reason], may be
     * blank): the difference is recorded as one correction.
     */
    fun correctTo(productId: String, variantId: String, countedText: String, reason: String): StockResult {
        val counted = whole(countedText) ?: return notANumber("delta")
        val now = stockOf(productId, variantId)
        if (counted == now) {
            val same = lang.pick("Stok sudah $now; tidak ada yang diubah.", "Stock is already $now; nothing changed.")
            return StockResult.Refused(UserMessage(same, mapOf("delta" to same)))
        }
        return run(productId, variantId) { device.adjustStockWithReason(variantId, counted - now, reason) }
    }

    /** The variant's last [limit] movements, newest first, worded. */
    fun history(variantId: String, limit: Long = 20): List<MovementLine> =
        device.stockHistory(variantId, limit).map { line(it) }

    /** One movement, worded: "Stok masuk", "Koreksi: rusak kena air", … */
    fun line(m: StockMovement): MovementLine {
        val what = when (m.kind) {
            "restock" -> lang.pick("Stok masuk", "Restocked")
            "sale" -> lang.pick("Terjual langsung", "Direct sale")
            "reserve" -> lang.pick("Disisihkan untuk pesanan", "Held for an order")
            "release" -> lang.pick("Pesanan batal, stok kembali", "Order cancelled, stock back")
            "adjust" -> lang.pick("Koreksi hitung", "Count correction")
            "void" -> lang.pick("Penjualan dibatalkan, stok kembali", "Sale voided, stock back")
            else -> lang.pick("Perubahan stok", "Stock change")
        }
        val text = m.reason?.takeIf { it.isNotBlank() }?.let { "$what: $it" } ?: what
        val delta = if (m.delta > 0) "+${m.delta}" else "\u2212${-m.delta}"
        return MovementLine(text, delta, m.atMs)
    }

    private fun stockOf(productId: String, variantId: String): Long =
        device.product(productId).variants.first { it.id == variantId }.stock

    private fun run(productId: String, variantId: String, call: () -> Unit): StockResult = try {
        call()
        StockResult.Done(stockOf(productId, variantId))
    } catch (e: SentraException) {
        StockResult.Refused(ErrorText.of(e, lang))
    }

    private fun whole(text: String): Long? = text.trim().toLongOrNull()

    private fun notANumber(field: String): StockResult {
        val text = lang.pick("Jumlah harus angka bulat.", "The amount must be a whole number.")
        return StockResult.Refused(UserMessage(text, mapOf(field to text)))
    }
}
