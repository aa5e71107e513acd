package id.sentra.app.logic

import id.sentra.ffi.BankAccount
import id.sentra.ffi.CourierFee
import id.sentra.ffi.DeliveryChoice
import id.sentra.ffi.OrderSelling
import id.sentra.ffi.PaymentChoice
import id.sentra.ffi.SellingSettings
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** How the producer charges for a courier delivery, as chosen on the settings screen. */
enum class CourierMode {
    /** No courier delivery. */
    NONE,

    /** One fee per order. */
    FLAT,

    /** A rate per kg by zone (own regency, own province, elsewhere). */
    PER_KG,
}

/**
 * The "Pengiriman & pembayaran" form as typed: every amount is text until it is saved, so a
 * half-typed fee never throws.
 */
data class SellingDraft(
    val pickup: Boolean = false,
    val pickupPlace: String = "",
    val courierMode: CourierMode = CourierMode.NONE,
    val flatFee: String = "",
    val rateRegency: String = "",
    val rateProvince: String = "",
    val rateNational: String = "",
    val bank: Boolean = false,
    val bankName: String = "",
    val accountNumber: String = "",
    val accountHolder: String = "",
    val cod: Boolean = false,
    val whatsapp: String = "",
    /** The QRIS image's hash, set by taking a photo of the code. */
    val qrisHash: String? = null,
)

/** What the settings screen shows. */
data class SellingView(
    val draft: SellingDraft = SellingDraft(),
    /** One hint per field to fix, keyed by the core's field names (`delivery_courier`, …). */
    val errors: Map<String, String> = emptyMap(),
    val message: UserMessage? = null,
    /** What a buyer will read on the product page, one line each; empty until something is set. */
    val summary: List<String> = emptyList(),
    /** What is still missing for a buyer to order and pay (no delivery, no payment). */
    val warnings: List<String> = emptyList(),
    val saved: Boolean = false,
)

/**
 * The producer's delivery, payment and contact settings ("Pengiriman & pembayaran"): load,
 * edit, check what only the form knows (a fee that is not a number), save through the core
 * (which checks the rest, the same rules the server keeps), and take the QRIS photo.
 */
class SellingSettingsState(
    private val device: SentraDevice,
    private val lang: Lang,
    private val producerId: String,
) {
    private val state = MutableStateFlow(SellingView())

    /** The current view. */
    val view: StateFlow<SellingView> = state.asStateFlow()

    /** Reads the saved settings. */
    fun load() {
        state.value = try {
            val saved = device.selling(producerId)
            SellingView(draft = draftOf(saved), summary = Selling.summary(saved, lang), warnings = Selling.warnings(saved, lang))
        } catch (e: SentraException) {
            state.value.copy(message = ErrorText.of(e, lang))
        }
    }

    /** Changes the draft; nothing is saved until [save]. */
    fun edit(change: (SellingDraft) -> SellingDraft) {
        state.value = state.value.copy(draft = change(state.value.draft), saved = false)
    }

    /** Saves the draft; `false` with what to fix in [view]. */
    fun save(): Boolean {
        val draft = state.value.draft
        val (settings, formErrors) = Selling.settingsOf(draft, lang)
        if (settings == null) {
            state.value = state.value.copy(errors = formErrors, message = UserMessage(Selling.checkForm(lang), formErrors), saved = false)
            return false
        }
        return try {
            device.setSelling(producerId, settings)
            val saved = device.selling(producerId)
            state.value = SellingView(
                draft = draftOf(saved),
                summary = Selling.summary(saved, lang),
                warnings = Selling.warnings(saved, lang),
                saved = true,
            )
            true
        } catch (e: SentraException) {
            val text = ErrorText.of(e, lang)
            state.value = state.value.copy(errors = text.fields, message = text, saved = false)
            false
        }
    }

    /** Takes the photo of the QRIS code at [path] through the photo pipeline; `false` with why. */
    suspend fun setQrisPhoto(path: String): Boolean = try {
        val photo = device.setQrisPhoto(producerId, path)
        state.value = state.value.copy(draft = state.value.draft.copy(qrisHash = photo.hash), message = null)
        load()
        true
    } catch (e: SentraException) {
        state.value = state.value.copy(message = ErrorText.of(e, lang))
        false
    }

    private fun draftOf(s: SellingSettings): SellingDraft {
        val courier = s.courier
        return SellingDraft(
            pickup = s.pickupPlace != null,
            pickupPlace = s.pickupPlace.orEmpty(),
            courierMode = when (courier) {
                null -> CourierMode.NONE
                is CourierFee.Flat -> CourierMode.FLAT
                is CourierFee.PerKg -> CourierMode.PER_KG
            },
            flatFee = (courier as? CourierFee.Flat)?.fee?.let(Rupiah::format).orEmpty(),
            rateRegency = (courier as? CourierFee.PerKg)?.regency?.let(Rupiah::format).orEmpty(),
            rateProvince = (courier as? CourierFee.PerKg)?.province?.let(Rupiah::format).orEmpty(),
            rateNational = (courier as? CourierFee.PerKg)?.national?.let(Rupiah::format).orEmpty(),
            bank = s.bank != null,
            bankName = s.bank?.bank.orEmpty(),
            accountNumber = s.bank?.number.orEmpty(),
            accountHolder = s.bank?.holder.orEmpty(),
            cod = s.cod,
            whatsapp = s.whatsapp.orEmpty(),
            qrisHash = s.qrisHash,
        )
    }
}

/** The decisions about delivery and payment that screens share: texts, form checks, labels. */
object Selling {
    /** "Periksa isian yang ditandai." */
    fun checkForm(lang: Lang) = lang.pick("Periksa isian yang ditandai.", "Check the marked fields.")

    /**
     * The settings a draft means, or `null` with a hint per field the form alone can tell is
     * wrong (an amount that is not a whole number of rupiah). Everything else the core checks.
     */
    fun settingsOf(d: SellingDraft, lang: Lang): Pair<SellingSettings?, Map<String, String>> {
        val errors = mutableMapOf<String, String>()
        val notAmount = lang.pick("Isi dengan angka rupiah, mis. 15.000.", "Enter an amount in rupiah, e.g. 15.000.")
        fun amount(text: String): Long? {
            if (text.isBlank()) return null
            return Rupiah.parse(text) ?: run { errors["delivery_courier"] = notAmount; null }
        }
        val courier = when (d.courierMode) {
            CourierMode.NONE -> null
            CourierMode.FLAT -> {
                val fee = amount(d.flatFee)
                if (fee == null && d.flatFee.isBlank()) {
                    errors["delivery_courier"] = lang.pick("Isi ongkir per pesanan.", "Enter the fee per order.")
                }
                fee?.let { CourierFee.Flat(it) }
            }
            CourierMode.PER_KG -> {
                val rates = listOf(amount(d.rateRegency), amount(d.rateProvince), amount(d.rateNational))
                if (rates.all { it == null } && "delivery_courier" !in errors) {
                    errors["delivery_courier"] = lang.pick(
                        "Isi ongkir per kg untuk minimal satu wilayah.",
                        "Enter a rate per kg for at least one zone.",
                    )
                }
                CourierFee.PerKg(regency = rates[0], province = rates[1], national = rates[2])
            }
        }
        if (errors.isNotEmpty()) return null to errors
        return SellingSettings(
            pickupPlace = if (d.pickup) d.pickupPlace else null,
            courier = courier,
            bank = if (d.bank) BankAccount(bank = d.bankName, number = d.accountNumber, holder = d.accountHolder) else null,
            qrisHash = d.qrisHash,
            cod = d.cod,
            whatsapp = d.whatsapp.ifBlank { null },
        ) to emptyMap()
    }

    /** A courier's charge in words, as the storefront writes it. */
    fun courierTerms(courier: CourierFee, lang: Lang): String = when (courier) {
        is CourierFee.Flat -> "${Rupiah.format(courier.fee)} ${lang.pick("per pesanan", "per order")}"
        is CourierFee.PerKg -> listOfNotNull(
            courier.regency?.let { "${Rupiah.format(it)}/kg ${lang.pick("dalam kabupaten/kota", "within the regency or city")}" },
            courier.province?.let { "${Rupiah.format(it)}/kg ${lang.pick("dalam provinsi", "within the province")}" },
            courier.national?.let { "${Rupiah.format(it)}/kg ${lang.pick("luar provinsi", "outside the province")}" },
        ).joinToString(", ")
    }

    /** What a buyer reads on the product page, one line per way to deliver, pay or reach. */
    fun summary(s: SellingSettings, lang: Lang): List<String> = listOfNotNull(
        s.pickupPlace?.let { "${lang.pick("Ambil sendiri", "Pick up")}: $it" },
        s.courier?.let { "${lang.pick("Ongkir", "Delivery fee")}: ${courierTerms(it, lang)}" },
        s.bank?.let { "${lang.pick("Transfer bank", "Bank transfer")}: ${it.bank} ${it.number} a.n. ${it.holder}" },
        s.qrisHash?.let { "QRIS" },
        if (s.cod) lang.pick("Bayar di tempat (COD)", "Cash on delivery (COD)") else null,
        s.whatsapp?.let { "WhatsApp: $it" },
    )

    /** What a buyer would miss: no way to deliver, or no way to pay. */
    fun warnings(s: SellingSettings, lang: Lang): List<String> = listOfNotNull(
        if (s.pickupPlace == null && s.courier == null) {
            lang.pick(
                "Belum ada cara pengiriman: pembeli harus menghubungi Anda dulu.",
                "No way to deliver yet: buyers must contact you first.",
            )
        } else {
            null
        },
        if (s.bank == null && s.qrisHash == null && !s.cod) {
            lang.pick("Belum ada cara pembayaran.", "No way to be paid yet.")
        } else {
            null
        },
    )

    /** A payment choice's name. */
    fun paymentLabel(p: PaymentChoice, lang: Lang) = when (p) {
        PaymentChoice.BANK_TRANSFER -> lang.pick("Transfer bank", "Bank transfer")
        PaymentChoice.QRIS -> "QRIS"
        PaymentChoice.COD -> lang.pick("Bayar di tempat (COD)", "Cash on delivery (COD)")
    }

    /** A delivery choice's name. */
    fun deliveryLabel(d: DeliveryChoice, lang: Lang) = when (d) {
        DeliveryChoice.PICKUP -> lang.pick("Ambil sendiri", "Pick up")
        DeliveryChoice.COURIER -> lang.pick("Dikirim kurir", "Courier delivery")
    }
}

/** What an order card shows of delivery and payment, and whether "Tandai sudah dibayar" shows. */
data class PaymentLine(val text: String, val paid: Boolean, val canMarkPaid: Boolean)

/** The order screen's "Tandai sudah dibayar" action and the payment line of an order card. */
class PaidMark(private val device: SentraDevice, private val lang: Lang) {
    /** The payment line of an order: choice, fee, paid or not. */
    fun line(orderId: String, closed: Boolean): PaymentLine {
        val s: OrderSelling = device.orderSelling(orderId)
        return line(s, closed, lang)
    }

    /** Marks the order paid; `null` when done, or what went wrong. */
    fun markPaid(orderId: String): UserMessage? = try {
        device.markOrderPaid(orderId)
        null
    } catch (e: SentraException) {
        ErrorText.of(e, lang)
    }

    companion object {
        /** The payment line of an order's delivery and payment, in [lang]. */
        fun line(s: OrderSelling, closed: Boolean, lang: Lang): PaymentLine {
            val parts = listOfNotNull(
                s.delivery?.let { Selling.deliveryLabel(it, lang) },
                if (s.deliveryFee > 0) "${lang.pick("Ongkir", "Delivery fee")} ${Rupiah.format(s.deliveryFee)}" else null,
                s.payment?.let { Selling.paymentLabel(it, lang) },
                if (s.paidAt != null) lang.pick("Sudah dibayar", "Paid") else lang.pick("Belum dibayar", "Not paid yet"),
            )
            return PaymentLine(parts.joinToString(" · "), paid = s.paidAt != null, canMarkPaid = s.paidAt == null && !closed)
        }

        /** The action's label. */
        fun actionLabel(lang: Lang) = lang.pick("Tandai sudah dibayar", "Mark as paid")
    }
}
