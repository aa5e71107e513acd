package id.sentra.app.logic

import id.sentra.ffi.DeliveryChoice
import id.sentra.ffi.PaymentChoice
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.util.UUID
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * "Pengiriman & pembayaran" and "Tandai sudah dibayar" through the app's own state holders,
 * against the real library and a real server on loopback.
 */
class SellingTest {
    @Test
    fun `a producer sets delivery and payment, a buyer pays the fee by QRIS and sees it marked paid`() = runBlocking {
        TestServer().use { server ->
            val session = MemorySessionStore()
            val phone = AccountBook(File(server.dir, "phone"))
                .signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, session)
            val directory = ProducerDirectory(phone, Lang.ID)
            val producer = assertNotNull(directory.register(siti()), directory.view.value.toString())
            val editor = ProductEditor(phone, Lang.ID, producer)
            editor.edit { jeans(producer) }
            val product = assertNotNull(editor.save(), editor.view.value.toString())
            val size30 = phone.product(product).variants.first()

            val settings = SellingSettingsState(phone, Lang.ID, producer)
            settings.load()
            assertEquals(2, settings.view.value.warnings.size, "nothing set: no delivery, no payment")

            // What only the form can tell, then what the core refuses, each in Indonesian.
            settings.edit { it.copy(courierMode = CourierMode.FLAT, flatFee = "15,5") }
            assertFalse(settings.save())
            assertEquals("Isi dengan angka rupiah, mis. 15.000.", settings.view.value.errors["delivery_courier"])
            settings.edit { it.copy(flatFee = "Rp 15.000", whatsapp = "12345") }
            assertFalse(settings.save())
            assertEquals(setOf("contact_whatsapp"), settings.view.value.errors.keys)

            settings.edit {
                it.copy(
                    courierMode = CourierMode.PER_KG, rateRegency = "7.000", rateProvince = "Rp 12.000",
                    pickup = true, pickupPlace = "Rumah produksi Rowosari", cod = true, whatsapp = "0812 3456 7890",
                )
            }
            assertTrue(settings.save(), settings.view.value.toString())
            assertTrue(settings.setQrisPhoto(PHOTO), settings.view.value.message.toString())
            val view = settings.view.value
            assertEquals(emptyList(), view.warnings)
            assertEquals(
                listOf(
                    "Ambil sendiri: Rumah produksi Rowosari",
                    "Ongkir: Rp 7.000/kg dalam kabupaten/kota, Rp 12.000/kg dalam provinsi",
                    "QRIS",
                    "Bayar di tempat (COD)",
                    "WhatsApp: +6281234567890",
                ),
                view.summary,
            )
            val sync = SyncController(phone, session, Lang.ID)
            assertTrue(assertNotNull(sync.syncNow()).completed)

            // A buyer in Semarang (3374, same province) orders 2 by courier and pays by QRIS.
            val order = """{"key": "${UUID.randomUUID()}", "producer_id": "$producer",
                "buyer": {"name": "Budi", "phone": "0857-1111-4321", "regency_code": "3374", "address": "Jl. Pemuda 12"},
                "lines": [{"variant_id": "${size30.id}", "quantity": 2}], "delivery": "courier", "payment": "qris"}"""
            val (status, placed) = server.post("/v1/orders", order)
            assertEquals(201, status, placed)
            val orderId = assertNotNull(TestServer.field(placed, "order_id"))
            val code = assertNotNull(TestServer.field(placed, "code"))
            assertTrue(placed.contains("\"delivery_fee\":12000"), placed)

            assertTrue(assertNotNull(sync.syncNow()).completed)
            val selling = phone.orderSelling(orderId)
            assertEquals(DeliveryChoice.COURIER, selling.delivery)
            assertEquals(PaymentChoice.QRIS, selling.payment)
            val paidMark = PaidMark(phone, Lang.ID)
            val before = paidMark.line(orderId, closed = false)
            assertEquals("Dikirim kurir · Ongkir Rp 12.000 · QRIS · Belum dibayar", before.text)
            assertTrue(before.canMarkPaid)
            assertNull(paidMark.markPaid(orderId))
            val after = paidMark.line(orderId, closed = false)
            assertTrue(after.paid && !after.canMarkPaid, after.toString())
            assertEquals("Mark as paid", PaidMark.actionLabel(Lang.EN))

            assertTrue(assertNotNull(sync.syncNow()).completed)
            val (seen, body) = server.get("/v1/orders/$code?phone_last4=4321")
            assertEquals(200, seen, body)
            assertTrue(body.contains("\"paid\":true"), body)
        }
    }
}
