package id.sentra.app.logic

import id.sentra.ffi.NewProducerInput
import id.sentra.ffi.Producer
import id.sentra.ffi.ProducerChanges
import id.sentra.ffi.regionOf
import id.sentra.ffi.searchRegions
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** A producer sector, with its label. */
enum class Sector(val code: String, private val id: String, private val en: String) {
    FASHION_TEXTILES("fashion_textiles", "Fesyen & tekstil", "Fashion & textiles"),
    FOOD_BEVERAGE("food_beverage", "Makanan & minuman", "Food & drink"),
    CRAFTS("crafts", "Kerajinan", "Crafts"),
    PROCESSED_AGRICULTURE("processed_agriculture", "Olahan hasil tani", "Processed farm produce"),
    OTHER("other", "Lainnya", "Other"),
    ;

    /** The label in [lang]. */
    fun label(lang: Lang) = lang.pick(id, en)

    companion object {
        /** The sector of a code. */
        fun of(code: String) = entries.firstOrNull { it.code == code } ?: OTHER
    }
}

/** The facilitator's form for registering a producer in the field, as typed. */
data class ProducerDraft(
    val businessName: String = "",
    val ownerName: String = "",
    val phone: String = "",
    val regionCode: String = "",
    val sector: Sector = Sector.FASHION_TEXTILES,
    val address: String = "",
    val workforce: String = "1",
    /** The 6-digit PIN the producer will sign in with on their own phone. */
    val pin: String = "",
    val pinAgain: String = "",
    /**
     * The day (`YYYY-MM-DD`) the producer agreed to have their shop and products published, or
     * null: without consent nothing of theirs appears on the public storefront.
     */
    val consentDate: String? = null,
)

/**
 * The draft with the producer's consent to publish given today (`YYYY-MM-DD`) or taken back:
 * the facilitator records it on the registration screen, as the producer answers.
 */
fun ProducerDraft.consenting(given: Boolean, today: java.time.LocalDate = java.time.LocalDate.now()) =
    copy(consentDate = if (given) today.toString() else null)

/** One producer in the facilitator's list. */
data class ProducerCard(
    val id: String,
    val name: String,
    val owner: String,
    val phone: String,
    val sector: String,
    val region: String,
    /** The day the producer consented to publication, or `null` (nothing of theirs is public). */
    val consent: String? = null,
)

/** What the "my producers" screen shows. */
data class ProducersView(
    val producers: List<ProducerCard> = emptyList(),
    val errors: Map<String, String> = emptyMap(),
    val message: UserMessage? = null,
)

/**
 * The facilitator mode: register a producer offline (with the activation PIN they will sign in
 * with), and list "my producers".
 */
class ProducerDirectory(private val device: SentraDevice, private val lang: Lang) {
    private val state = MutableStateFlow(ProducersView())

    /** The current view. */
    val view: StateFlow<ProducersView> = state.asStateFlow()

    /** Reloads the producers this facilitator registered. */
    fun refresh() {
        state.value = try {
            state.value.copy(producers = device.producers(true, 0, 200).map(::card), message = null)
        } catch (e: SentraException) {
            state.value.copy(message = ErrorText.of(e, lang))
        }
    }

    /** Registers the producer; returns their id, or `null` with what to fix in [view]. */
    fun register(draft: ProducerDraft): String? {
        if (draft.pin != draft.pinAgain) {
            val text = lang.pick("PIN tidak sama.", "The PINs do not match.")
            state.value = state.value.copy(errors = mapOf("activation_pin" to text), message = UserMessage(text))
            return null
        }
        return try {
            val id = device.registerProducer(
                NewProducerInput(
                    businessName = draft.businessName,
                    ownerName = draft.ownerName,
                    phone = draft.phone,
                    regionCode = draft.regionCode,
                    sector = draft.sector.code,
                    address = draft.address,
                    workforce = draft.workforce.trim().toLongOrNull() ?: -1,
                    activationPin = draft.pin.ifBlank { null },
                    consentPublish = !draft.consentDate.isNullOrBlank(),
                    consentDate = draft.consentDate?.ifBlank { null },
                ),
            )
            state.value = state.value.copy(errors = emptyMap(), message = null)
            refresh()
            id
        } catch (e: SentraException) {
            val text = ErrorText.of(e, lang)
            state.value = state.value.copy(errors = text.fields, message = text)
            null
        }
    }

    /**
     * Records the producer's answer to "may your shop and products be shown to the public?"
     * (given today, or withdrawn); `false` with the message in [view] when the core refuses.
     */
    fun recordConsent(id: String, given: Boolean, today: java.time.LocalDate = java.time.LocalDate.now()): Boolean =
        try {
            device.editProducer(
                id,
                ProducerChanges(consentPublish = given, consentDate = if (given) today.toString() else null),
            )
            refresh()
            true
        } catch (e: SentraException) {
            state.value = state.value.copy(message = ErrorText.of(e, lang))
            false
        }

    private fun card(p: Producer) = ProducerCard(
        id = p.id,
        name = p.businessName,
        owner = p.ownerName,
        phone = p.phone,
        sector = Sector.of(p.sector).label(lang),
        region = RegionSearch.label(p.regionCode) ?: p.regionCode,
        consent = p.consentDate,
    )
}

/** One regency or city the region search offers: the code the form keeps, the name it shows. */
data class RegionChoice(val code: String, val label: String)

/**
 * Regions by name for the registration form: the facilitator types "pemalang" and picks
 * "Kabupaten Pemalang, Jawa Tengah"; the form keeps `3327`. Offline (the table is in the core).
 */
object RegionSearch {
    /** Up to [limit] regencies and cities whose name holds every typed word. */
    fun find(query: String, limit: Int = 20): List<RegionChoice> =
        searchRegions(query, limit.coerceIn(1, 100).toUInt()).map { RegionChoice(it.code, "${it.name}, ${it.province}") }

    /** The name of a code the form already holds, or `null` for an unknown code. */
    fun label(code: String): String? = regionOf(code)?.let { "${it.name}, ${it.province}" }
}

/**
 * Whose product is being added. A producer's own account adds to their own shop; a facilitator
 * picks one of their producers, starting from the one picked last: never silently the first.
 */
class ProducerPicker(private val device: SentraDevice, private val lang: Lang) {
    /** The producers to pick from, by name. */
    fun choices(): List<ProducerCard> = device.producers(true, 0, 500).map {
        ProducerCard(it.id, it.businessName, it.ownerName, it.phone, Sector.of(it.sector).label(lang), it.regionCode, it.consentDate)
    }

    /**
     * The producer selected when the product screen opens: the signed-in producer, or the
     * facilitator's last pick while it is still one of theirs, or none (the form then asks).
     */
    fun initial(ownProducerId: String?, lastPicked: String?): String? =
        ownProducerId ?: lastPicked?.takeIf { id -> choices().any { it.id == id } }

    /** What to say when saving without a producer picked. */
    fun missing() = lang.pick("Pilih produsen pemilik produk ini.", "Choose the producer this product belongs to.")
}
