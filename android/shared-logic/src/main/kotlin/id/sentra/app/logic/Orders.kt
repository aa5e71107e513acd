package id.sentra.app.logic

import id.sentra.ffi.Order
import id.sentra.ffi.OrderStatus
import id.sentra.ffi.OrderTab
import id.sentra.ffi.OrderTransition
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.TabCounts
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** One order as the tab's list draws it. */
data class OrderCard(
    val id: String,
    val code: String,
    val buyerName: String,
    val totalText: String,
    val statusText: String,
    /** "Respon dalam 5 jam" / "Kirim dalam 1 hari 2 jam" / "Terlambat 3 jam", or `null`. */
    val dueText: String?,
    val overdue: Boolean,
)

/** What the orders screen shows. */
data class OrdersView(
    val tab: OrderTab = OrderTab.TO_RESPOND,
    val counts: TabCounts = TabCounts(0, 0, 0, 0, 0, 0),
    val orders: List<OrderCard> = emptyList(),
    val message: UserMessage? = null,
)

/**
 * The orders screen: tabs as the big marketplaces have them (to respond, to ship, shipped,
 * completed, cancelled) with counts, the deadline of each order's next step, and the seller's
 * actions. The core decides which change is allowed.
 */
class OrdersBoard(
    private val device: SentraDevice,
    private val lang: Lang,
    private val now: () -> Long = System::currentTimeMillis,
) {
    private val state = MutableStateFlow(OrdersView())

    /** The current view. */
    val view: StateFlow<OrdersView> = state.asStateFlow()

    /** Shows [tab]. */
    fun select(tab: OrderTab) {
        state.value = state.value.copy(tab = tab)
        refresh()
    }

    /** Reloads counts and the current tab's first page. */
    fun refresh() {
        val current = state.value
        state.value = try {
            current.copy(
                counts = device.orderTabs(),
                orders = device.orders(current.tab, 0, 100).map(::card),
                message = null,
            )
        } catch (e: SentraException) {
            current.copy(message = ErrorText.of(e, lang))
        }
    }

    /** Accepts a new order (its stock is held). */
    fun accept(id: String) = act(id, OrderTransition.Accept)

    /** Rejects a new order with a reason the buyer sees. */
    fun reject(id: String, reason: String) = act(id, OrderTransition.Reject(reason))

    /**
     * Rejects a new order with a reason picked from the list, or typed when [choice] is
     * [RejectReason.OTHER]; an empty typed reason is refused here with a message.
     */
    fun reject(id: String, choice: RejectReason, typed: String): Boolean {
        val reason = RejectReason.text(choice, typed)
        if (reason == null) {
            state.value = state.value.copy(message = UserMessage(RejectReason.missing(lang)))
            return false
        }
        return reject(id, reason)
    }

    /** Hands an accepted order to a courier. */
    fun ship(id: String, courier: String, trackingNo: String) = act(id, OrderTransition.Ship(courier, trackingNo))

    /** Marks a shipped order as received. */
    fun complete(id: String) = act(id, OrderTransition.Complete)

    private fun act(id: String, change: OrderTransition): Boolean = try {
        device.transitionOrder(id, change)
        refresh()
        true
    } catch (e: SentraException) {
        state.value = state.value.copy(message = ErrorText.of(e, lang))
        false
    }

    private fun card(order: Order): OrderCard {
        val at = now()
        return OrderCard(
            id = order.id,
            code = order.code,
            buyerName = order.buyer.name,
            totalText = Rupiah.format(order.total),
            statusText = statusText(order.status, lang),
            dueText = order.dueAt?.let { dueText(order.status, it, at, lang) },
            overdue = order.dueAt?.let { at > it } ?: false,
        )
    }

    companion object {
        /** An order status as the seller reads it. */
        fun statusText(status: OrderStatus, lang: Lang): String = when (status) {
            OrderStatus.NEW -> lang.pick("Pesanan baru", "New order")
            OrderStatus.ACCEPTED -> lang.pick("Perlu dikirim", "To ship")
            OrderStatus.SHIPPED -> lang.pick("Dikirim", "Shipped")
            OrderStatus.COMPLETED -> lang.pick("Selesai", "Completed")
            OrderStatus.REJECTED -> lang.pick("Ditolak", "Rejected")
            OrderStatus.CANCELLED -> lang.pick("Dibatalkan", "Cancelled")
        }

        /** The deadline of the next step: "Respon dalam 5 jam", "Terlambat 2 jam". */
        fun dueText(status: OrderStatus, dueAt: Long, now: Long, lang: Lang): String {
            val left = dueAt - now
            if (left < 0) return lang.pick("Terlambat ", "Late by ") + span(-left, lang)
            val step = if (status == OrderStatus.NEW) lang.pick("Respon dalam ", "Respond within ") else lang.pick("Kirim dalam ", "Ship within ")
            return step + span(left, lang)
        }

        /** A span as "1 hari 2 jam", "5 jam", "40 menit" (English: "1 day 2 h", "5 h", "40 min"). */
        fun span(ms: Long, lang: Lang): String {
            val minutes = ms / 60_000
            val hours = minutes / 60
            val days = hours / 24
            return when {
                days > 0 && hours % 24 > 0 -> lang.pick("$days hari ${hours % 24} jam", "$days d ${hours % 24} h")
                days > 0 -> lang.pick("$days hari", "$days d")
                hours > 0 -> lang.pick("$hours jam", "$hours h")
                else -> lang.pick("${maxOf(1, minutes)} menit", "${maxOf(1, minutes)} min")
            }
        }
    }
}

/**
 * Why a producer turns an order down: the common reasons to pick, or one typed. The buyer reads
 * the reason on the order's status page, which speaks Indonesian first, so a picked reason is
 * sent in Indonesian whatever the phone's language.
 */
enum class RejectReason(private val id: String, private val en: String) {
    OUT_OF_STOCK("Stok habis", "Out of stock"),
    CANNOT_DELIVER("Tidak bisa mengirim ke alamat ini", "Cannot deliver to this address"),
    TOO_MANY("Jumlah pesanan tidak sanggup dipenuhi", "Cannot make that many in time"),
    SHOP_CLOSED("Toko sedang libur", "The shop is closed for now"),
    OTHER("Alasan lain (tulis sendiri)", "Another reason (type it)"),
    ;

    /** The label in the list, in the phone's language. */
    fun label(lang: Lang) = lang.pick(id, en)

    companion object {
        /** The longest reason the core keeps. */
        const val MAX_LENGTH = 300

        /** The reason sent with the rejection, or `null` when [OTHER] was picked and nothing typed. */
        fun text(choice: RejectReason, typed: String): String? = when (choice) {
            OTHER -> typed.trim().take(MAX_LENGTH).ifEmpty { null }
            else -> choice.id
        }

        /** What to say when the typed reason is empty. */
        fun missing(lang: Lang) = lang.pick("Tulis alasan penolakan untuk pembeli.", "Write the reason for the buyer.")
    }
}
