package id.sentra.app.logic

import id.sentra.ffi.NewSaleInput
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import java.time.LocalDate

/** Where a direct sale happened, with its label. */
enum class SaleChannel(val core: id.sentra.ffi.SaleChannel, private val id: String, private val en: String) {
    MARKET_STALL(id.sentra.ffi.SaleChannel.MARKET_STALL, "Lapak pasar", "Market stall"),
    RESELLER(id.sentra.ffi.SaleChannel.RESELLER, "Reseller", "Reseller"),
    EXHIBITION(id.sentra.ffi.SaleChannel.EXHIBITION, "Pameran / bazar", "Exhibition / bazaar"),
    OTHER_MARKETPLACE(id.sentra.ffi.SaleChannel.OTHER_MARKETPLACE, "Marketplace lain", "Other marketplace"),
    ;

    /** The label in [lang]. */
    fun label(lang: Lang) = lang.pick(id, en)
}

/** The quick direct-sale form, as typed. */
data class SaleDraft(
    val variantId: String = "",
    val quantity: String = "1",
    val channel: SaleChannel = SaleChannel.MARKET_STALL,
    /** The day of the sale; today unless the seller changes it. */
    val soldOn: LocalDate = LocalDate.now(),
    /** A price per unit other than the catalogue's (a discount at the stall), or blank. */
    val unitPrice: String = "",
)

/** The outcome of recording a sale: its id, or what to fix. */
sealed class SaleResult {
    /** Recorded; stock went down. */
    data class Recorded(val id: String) : SaleResult()

    /** Refused, per field and as a sentence. */
    data class Refused(val message: UserMessage) : SaleResult()
}

/** Quick direct-sale entry at the market: one variant, how many, where, which day. */
class SalesEntry(private val device: SentraDevice, private val lang: Lang) {
    /** Records [draft] as a sale; the core takes it out of stock. */
    fun record(draft: SaleDraft): SaleResult {
        val quantity = draft.quantity.trim().toLongOrNull()
            ?: return SaleResult.Refused(
                UserMessage(
                    lang.pick("Jumlah harus angka.", "The quantity must be a number."),
                    mapOf("quantity" to lang.pick("Jumlah harus angka.", "The quantity must be a number.")),
                ),
            )
        val price = if (draft.unitPrice.isBlank()) {
            null
        } else {
            Rupiah.parse(draft.unitPrice) ?: return SaleResult.Refused(
                UserMessage(
                    lang.pick("Tulis harga dalam rupiah, contoh 15.000.", "Write the price in rupiah, e.g. 15.000."),
                    mapOf("unit_price" to lang.pick("Harga tidak valid.", "Not a valid price.")),
                ),
            )
        }
        return try {
            SaleResult.Recorded(
                device.recordSale(
                    NewSaleInput(
                        variantId = draft.variantId,
                        quantity = quantity,
                        channel = draft.channel.core,
                        soldOn = draft.soldOn.toString(),
                        unitPrice = price,
                    ),
                ),
            )
        } catch (e: SentraException) {
            SaleResult.Refused(ErrorText.of(e, lang))
        }
    }

    /** Today's direct sales total, for the home screen ("Rp 300.000 hari ini"). */
    fun todayTotal(today: LocalDate = LocalDate.now()): String {
        val day = today.toString()
        val revenue = device.salesTotals(true, day, day).sumOf { it.revenue }
        return Rupiah.format(revenue)
    }
}
