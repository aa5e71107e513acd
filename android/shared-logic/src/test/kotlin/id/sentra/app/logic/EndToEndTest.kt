package id.sentra.app.logic

import id.sentra.ffi.Change
import id.sentra.ffi.OrderTab
import id.sentra.ffi.Role
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.time.LocalDate
import java.util.UUID
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * A day of Sentra on a shared phone, driven from Kotlin through the app's own state holders,
 * against the real library and a real server on loopback.
 */
class EndToEndTest {
    @Test
    fun `a facilitator registers a producer who sells, receives an order, ships it and the server knows`() = runBlocking {
        TestServer().use { server ->
            val phone = AccountBook(File(server.dir, "phone"))

            // The facilitator signs in and, offline from here on, registers Siti with a PIN,
            // lists her jeans in two sizes with a photo, and records a sale at the market.
            val facilitatorSession = MemorySessionStore()
            val pendamping = phone.signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, facilitatorSession)
            assertEquals(Role.FACILITATOR, pendamping.account()?.role)
            val directory = ProducerDirectory(pendamping, Lang.ID)
            val producer = assertNotNull(directory.register(siti()), directory.view.value.toString())
            assertEquals(listOf("Konveksi Rowosari Jaya"), directory.view.value.producers.map { it.name })

            val editor = ProductEditor(pendamping, Lang.ID, producer)
            editor.edit { jeans(producer) }
            val product = assertNotNull(editor.save(), editor.view.value.toString())
            assertTrue(editor.addPhoto(PHOTO), editor.view.value.message.toString())
            assertEquals(1, editor.view.value.photos.size)
            val (size30, size32) = pendamping.product(product).variants
            assertEquals(listOf(150_000L, 160_000L), listOf(size30.effectivePrice, size32.effectivePrice))

            val sale = SalesEntry(pendamping, Lang.ID).record(SaleDraft(variantId = size30.id, quantity = "2"))
            assertTrue(sale is SaleResult.Recorded, sale.toString())
            assertEquals("Rp 300.000", SalesEntry(pendamping, Lang.ID).todayTotal(LocalDate.now()))

            val facilitatorSync = SyncController(pendamping, facilitatorSession, Lang.ID)
            val first = assertNotNull(facilitatorSync.syncNow())
            assertTrue(first.completed && first.rejected == 0L && first.photosSent == 2L, first.toString())
            assertEquals(0L, facilitatorSync.view.value.waiting)

            // Siti signs in on the same phone (her own database file) with the PIN and finds
            // her catalogue after a sync.
            val sitiSession = MemorySessionStore()
            val own = phone.signIn(server.url, "081234567890", PIN, sitiSession)
            assertEquals(listOf(TestServer.FACILITATOR, "081234567890"), phone.known().map { it.login })
            assertTrue(phone.databaseFor("081234567890") != phone.databaseFor(TestServer.FACILITATOR))
            assertEquals(producer, sitiSession.load()?.producerId)
            val changes = Changes()
            own.setChangeListener(changes)
            val sync = SyncController(own, sitiSession, Lang.ID)
            assertTrue(assertNotNull(sync.syncNow()).completed)
            assertTrue(Change.SYNCED in changes.seen)
            val catalogue = CatalogueState(own, Lang.ID, producerId = producer)
            catalogue.search("")
            val card = catalogue.view.value.products.single()
            assertEquals("Celana Jeans Rowosari", card.name)
            assertEquals("Rp 150.000 – Rp 160.000", card.priceText)
            assertEquals("Stok 13", card.stockText)

            // A buyer orders two pairs in size 32 through the server's order API.
            val order = """{"key": "${UUID.randomUUID()}", "producer_id": "$producer", "note": "Dibungkus rapi",
                "buyer": {"name": "Budi Santoso", "phone": "0857-1111-4321", "regency_code": "3374",
                          "address": "Jl. Pemuda 12, Semarang"},
                "lines": [{"variant_id": "${size32.id}", "quantity": 2}]}"""
            val (status, placed) = server.post("/v1/orders", order)
            assertEquals(201, status, placed)
            val code = assertNotNull(TestServer.field(placed, "code"))

            // It reaches Siti's phone on her next sync; she accepts it and ships it.
            val pulled = assertNotNull(sync.syncNow())
            assertTrue(pulled.completed && pulled.pulled > 0, pulled.toString())
            val board = OrdersBoard(own, Lang.ID)
            board.select(OrderTab.TO_RESPOND)
            val incoming = board.view.value.orders.single()
            assertEquals(code, incoming.code)
            assertEquals("Rp 320.000", incoming.totalText)
            assertTrue(incoming.dueText!!.startsWith("Respon dalam "), incoming.dueText)
            assertEquals(1L, board.view.value.counts.toRespond)
            assertTrue(board.accept(incoming.id), board.view.value.message.toString())
            assertTrue(board.ship(incoming.id, "JNE", "JNE0012345678"), board.view.value.message.toString())
            board.select(OrderTab.SHIPPED)
            assertEquals(listOf(code), board.view.value.orders.map { it.code })
            val pushed = assertNotNull(sync.syncNow())
            assertTrue(pushed.completed && pushed.pushed >= 2 && pushed.rejected == 0L, pushed.toString())

            // The server holds it as shipped; the buyer follows it with their phone's last digits.
            val (seen, body) = server.get("/v1/orders/$code?phone_last4=4321")
            assertEquals(200, seen, body)
            assertEquals("shipped", TestServer.field(body, "status"), body)
            assertEquals(404, server.get("/v1/orders/$code?phone_last4=0000").first)

            // The facilitator's next sync brings the shipped order to their database too.
            assertTrue(assertNotNull(facilitatorSync.syncNow()).completed)
            assertEquals(code, pendamping.orders(OrderTab.SHIPPED, 0, 10).single().code)
            own.close()
            pendamping.close()
        }
    }
}
