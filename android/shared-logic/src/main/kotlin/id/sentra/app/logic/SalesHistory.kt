package id.sentra.app.logic

import id.sentra.ffi.SaleEntry
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import java.time.LocalDate

/** One past sale as the history list draws it. */
data class SaleLine(
    val id: String,
    /** "Celana Jeans · 30". */
    val title: String,
    /** "2 × Rp 150.000". */
    val detail: String,
    /** "Rp 300.000". */
    val total: String,
    /** "Lapak pasar". */
    val channel: String,
    /** `YYYY-MM-DD`. */
    val day: String,
    /** Voided: drawn struck out, no longer in any total. */
    val voided: Boolean,
    /** "Dibatalkan: salah ketik" when voided. */
    val voidText: String?,
)

/** What the sales history screen shows. */
data class SalesHistoryView(
    val from: LocalDate,
    val to: LocalDate,
    val lines: List<SaleLine> = emptyList(),
    /** The counted sales' revenue over the range ("Rp 1.250.000"). */
    val total: String = Rupiah.format(0),
    val message: UserMessage? = null,
)

/**
 * Past direct sales (the last 30 days unless the user picks a range), newest first, and the
 * void of a mistyped one: the void syncs as its own entry, the sale leaves every total on every
 * phone and on the dashboard, and its units come back to stock.
 */
class SalesHistory(private val device: SentraDevice, private val lang: Lang, today: LocalDate = LocalDate.now()) {
    /** The current view; call [load] to fill it. */
    var view: SalesHistoryView = SalesHistoryView(today.minusDays(30), today)
        private set

    /** Reads the sales between [from] and [to] (inclusive). */
    fun load(from: LocalDate = view.from, to: LocalDate = view.to): SalesHistoryView {
        view = try {
            val entries = device.salesHistory(from.toString(), to.toString(), 500)
            val counted = entries.filter { it.voidedAtMs == null }
            view.copy(
                from = from,
                to = to,
                lines = entries.map(::line),
                total = Rupiah.format(counted.sumOf { it.sale.quantity * it.sale.unitPrice }),
                message = null,
            )
        } catch (e: SentraException) {
            view.copy(message = ErrorText.of(e, lang))
        }
        return view
    }

    /** Voids a sale, saying why (may be blank); `false` with the reason in [view] when refused. */
    fun void(saleId: String, reason: String): Boolean = try {
        device.voidSale(saleId, reason)
        load()
        true
    } catch (e: SentraException) {
        view = view.copy(message = ErrorText.of(e, lang))
        false
    }

    private fun line(e: SaleEntry): SaleLine {
        val channel = SaleChannel.entries.first { it.core == e.sale.channel }
        val name = e.productName.ifBlank { lang.pick("(produk dihapus)", "(product deleted)") }
        val voided = e.voidedAtMs != null
        return SaleLine(
            id = e.sale.id,
            title = (listOf(name) + e.options).joinToString(" \u00b7 "),
            detail = "${e.sale.quantity} \u00d7 ${Rupiah.format(e.sale.unitPrice)}",
            total = Rupiah.format(e.sale.quantity * e.sale.unitPrice),
            channel = channel.label(lang),
            day = e.sale.soldOn,
            voided = voided,
            voidText = if (!voided) {
                null
            } else {
                val head = lang.pick("Dibatalkan", "Voided")
                e.voidReason?.takeIf { it.isNotBlank() }?.let { "$head: $it" } ?: head
            },
        )
    }
}
