package id.sentra.app.logic

import id.sentra.ffi.Organisation
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** One cluster or cooperative as the producer's screen lists it. */
data class OrganisationCard(val id: String, val name: String, val kindText: String, val member: Boolean)

/** What a producer's "cluster and cooperative" section shows. */
data class ClustersView(
    val producerId: String = "",
    val organisations: List<OrganisationCard> = emptyList(),
    val message: UserMessage? = null,
)

/**
 * A producer's clusters and cooperatives, changed by their facilitator (or by the producer):
 * join one, leave one, or start a new cluster. The server checks each change with the same rules
 * as the web's member page (a change outside the account's rights comes back refused and shows
 * among the refusals).
 */
class Clusters(private val device: SentraDevice, private val lang: Lang, private val producerId: String) {
    private val state = MutableStateFlow(ClustersView(producerId))

    /** The current view. */
    val view: StateFlow<ClustersView> = state.asStateFlow()

    /** Reloads every organisation this phone knows, the producer's own first. */
    fun refresh() {
        state.value = try {
            val cards = device.organisations().map { card(it) }.sortedByDescending { it.member }
            state.value.copy(organisations = cards, message = null)
        } catch (e: SentraException) {
            state.value.copy(message = ErrorText.of(e, lang))
        }
    }

    /** Puts the producer into [organisationId]. */
    fun join(organisationId: String) = act { device.addMember(organisationId, producerId) }

    /** Takes the producer out of [organisationId]. */
    fun leave(organisationId: String) = act { device.removeMember(organisationId, producerId) }

    /** Starts a cluster (`cluster`) or cooperative (`cooperative`) in [regionCode] and puts the producer in it. */
    fun create(kind: String, name: String, regionCode: String): Boolean = act {
        val id = device.createOrganisation(kind, name, regionCode)
        device.addMember(id, producerId)
    }

    private fun act(change: () -> Unit): Boolean = try {
        change()
        refresh()
        true
    } catch (e: SentraException) {
        state.value = state.value.copy(message = ErrorText.of(e, lang))
        false
    }

    private fun card(o: Organisation) = OrganisationCard(
        id = o.id,
        name = o.name,
        kindText = if (o.kind == "cooperative") lang.pick("Koperasi", "Cooperative") else lang.pick("Sentra/klaster", "Cluster"),
        member = producerId in o.members,
    )
}
