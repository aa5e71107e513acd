package id.sentra.app.logic

import id.sentra.ffi.Order
import id.sentra.ffi.OrderStatus
import id.sentra.ffi.OrderTab
import id.sentra.ffi.SentraDevice
import java.io.File

/** Why the phone speaks up about an order. */
enum class AlertKind {
    /** A sync brought an order the producer has not been told of. */
    NEW_ORDER,

    /** The 24-hour respond deadline of a new order is near. */
    RESPOND_REMINDER,
}

/**
 * One local notification, decided here and posted by the app (Android's NotificationManager,
 * iOS's UNUserNotificationCenter). [atMs] is when to show it: now for a new order, a while before
 * the deadline for a reminder. [key] is stable per order and kind, so posting it again replaces
 * it and cancelling by key works after the order was answered.
 */
data class OrderAlert(
    val kind: AlertKind,
    val orderId: String,
    val account: String,
    val title: String,
    val text: String,
    val atMs: Long,
) {
    val key: String get() = "$account:${kind.name.lowercase()}:$orderId"
}

/** The text and the schedule of order notifications. */
object OrderAlerts {
    /** A reminder goes this long before the respond deadline (Tokopedia and Shopee: 1×24 h). */
    const val REMIND_BEFORE_MS = 3 * 3_600_000L

    /** The notification for an order a sync just brought. */
    fun arrived(order: Order, account: String, accountName: String, now: Long, lang: Lang): OrderAlert {
        val items = order.lines.sumOf { it.quantity }
        val due = order.dueAt?.let { " " + OrdersBoard.dueText(order.status, it, now, lang) + "." } ?: ""
        return OrderAlert(
            kind = AlertKind.NEW_ORDER,
            orderId = order.id,
            account = account,
            title = lang.pick("Pesanan baru untuk $accountName", "New order for $accountName"),
            text = lang.pick(
                "${order.buyer.name} memesan $items barang, ${Rupiah.format(order.total)} (${order.code}).",
                "${order.buyer.name} ordered $items items, ${Rupiah.format(order.total)} (${order.code}).",
            ) + due,
            atMs = now,
        )
    }

    /**
     * The reminder of a new order's respond deadline: [REMIND_BEFORE_MS] before it, or now when
     * that moment has passed and the deadline has not; none for an order already answered or
     * past its deadline (the orders screen shows it late).
     */
    fun reminder(order: Order, account: String, accountName: String, now: Long, lang: Lang): OrderAlert? {
        val due = order.dueAt ?: return null
        if (order.status != OrderStatus.NEW || due <= now) return null
        val at = maxOf(now, due - REMIND_BEFORE_MS)
        return OrderAlert(
            kind = AlertKind.RESPOND_REMINDER,
            orderId = order.id,
            account = account,
            title = lang.pick("Segera tanggapi pesanan ${order.code}", "Respond to order ${order.code} soon"),
            text = lang.pick(
                "Batas respon ${OrdersBoard.span(due - at, lang)} lagi. Terima atau tolak pesanan ${order.buyer.name}, agar pembeli tidak menunggu.",
                "${OrdersBoard.span(due - at, lang)} left to respond. Accept or reject ${order.buyer.name}'s order so the buyer is not left waiting.",
            ),
            atMs = at,
        )
    }
}

/** The ids of the orders an account has already been told of, kept beside its database. */
interface SeenOrders {
    fun all(): Set<String>
    fun add(ids: Collection<String>)
}

/** [SeenOrders] in a small text file (one id a line) beside the account's database. */
class FileSeenOrders(private val file: File) : SeenOrders {
    override fun all(): Set<String> = if (file.exists()) file.readLines().filter { it.isNotBlank() }.toSet() else emptySet()

    override fun add(ids: Collection<String>) {
        if (ids.isEmpty()) return
        // Only orders still waiting matter; the file never grows past a few hundred lines.
        file.parentFile?.mkdirs()
        file.appendText(ids.joinToString("\n", postfix = "\n"))
    }

    companion object {
        /** The file for the database at [database]. */
        fun beside(database: File) = FileSeenOrders(File(database.path + ".seen-orders"))
    }
}

/**
 * After a sync of one account: a notification for each new order not told of before, and the
 * reminders of every order still waiting for an answer (the app replaces the scheduled ones with
 * these, so an answered order's reminder goes away).
 */
class OrderWatch(
    private val device: SentraDevice,
    private val seen: SeenOrders,
    private val account: String,
    private val accountName: String,
    private val lang: Lang,
    private val now: () -> Long = System::currentTimeMillis,
) {
    private companion object {
        const val PAGE = 200L
    }

    /** What to post now and what to schedule. */
    data class Alerts(val now: List<OrderAlert>, val reminders: List<OrderAlert>)

    /** Every order still waiting for an answer, a page (the core's largest) at a time. */
    private fun waitingOrders(): List<Order> {
        val all = mutableListOf<Order>()
        while (true) {
            val page = device.orders(OrderTab.TO_RESPOND, all.size.toLong(), PAGE)
            all += page
            if (page.size < PAGE) return all
        }
    }

    fun check(): Alerts {
        val at = now()
        val waiting = waitingOrders()
        val known = seen.all()
        val fresh = waiting.filter { it.id !in known }
        seen.add(fresh.map { it.id })
        return Alerts(
            now = fresh.map { OrderAlerts.arrived(it, account, accountName, at, lang) },
            reminders = waiting.mapNotNull { OrderAlerts.reminder(it, account, accountName, at, lang) },
        )
    }
}
