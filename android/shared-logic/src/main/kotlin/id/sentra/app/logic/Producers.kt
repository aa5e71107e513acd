package id.sentra.app.logic

import id.sentra.ffi.NewProducerInput
import id.sentra.ffi.Producer
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
data class ProducerCard(val id: String, val name: String, val owner: String, val phone: String, val sector: String, val region: String)

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

    private fun card(p: Producer) = ProducerCard(
        id = p.id,
        name = p.businessName,
        owner = p.ownerName,
        phone = p.phone,
        sector = Sector.of(p.sector).label(lang),
        region = p.regionCode,
    )
}
