package id.sentra.app.logic

import id.sentra.ffi.Buyer
import id.sentra.ffi.ErrorCode
import id.sentra.ffi.NewOrderInput
import id.sentra.ffi.NewOrderLineInput
import id.sentra.ffi.NewProducerInput
import id.sentra.ffi.OrderChannel
import id.sentra.ffi.OrderTransition
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.allErrorCodes
import id.sentra.ffi.errorMessage
import id.sentra.ffi.failWith
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.util.UUID
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Every public error code reaches Kotlin as its own typed exception carrying that code. */
class ErrorMappingTest {
    /** The exception's class is named after its code: NOT_FOUND is SentraException.NotFound. */
    private fun className(code: ErrorCode) = code.name.split('_').joinToString("") { it.lowercase().replaceFirstChar(Char::uppercase) }

    private inline fun expect(code: ErrorCode, call: () -> Unit): SentraException {
        val e = assertFailsWith<SentraException> { call() }
        assertEquals(className(code), e::class.simpleName)
        assertEquals(code, e.code)
        if (e.serverCode == null) assertEquals(errorMessage(code, false), ErrorText.of(e, Lang.ID).text)
        return e
    }

    @Test
    fun `every public code arrives as its own exception class with the core's messages in both languages`() {
        val codes = allErrorCodes()
        assertEquals(ErrorCode.entries.toList(), codes)
        assertEquals(18, codes.size)
        for (code in codes) {
            val e = expect(code) { failWith(code) }
            val id = ErrorText.of(e, Lang.ID).text
            val en = ErrorText.of(e, Lang.EN).text
            assertEquals(errorMessage(code, false), id)
            assertEquals(errorMessage(code, true), en)
            assertNotEquals(id, en)
        }
    }

    @Test
    fun `real failures reach kotlin typed, with field problems and the server's refusal code`() = runBlocking {
        val dir = tempDir()
        val device = SentraDevice.open(File(dir, "a.db").path)
        val bad = expect(ErrorCode.VALIDATION) {
            device.registerProducer(NewProducerInput(businessName = "", ownerName = "Siti", phone = "12", regionCode = "3327", sector = "crafts"))
        }
        val fields = ErrorText.of(bad, Lang.EN).fields
        assertEquals(setOf("business_name", "phone"), fields.keys.intersect(setOf("business_name", "phone")), fields.toString())
        expect(ErrorCode.VALIDATION) { device.product("bukan-id") }
        expect(ErrorCode.NOT_FOUND) { device.product(UUID.randomUUID().toString()) }

        val producer = assertNotNull(ProducerDirectory(device, Lang.ID).register(siti()))
        val editor = ProductEditor(device, Lang.ID, producer).apply { edit { jeans(producer) } }
        val product = assertNotNull(editor.save())
        val variant = device.product(product).variants.first().id
        val order = device.createOrder(
            NewOrderInput(
                producerId = producer,
                channel = OrderChannel.FACILITATOR,
                buyer = Buyer("Budi", "0857-1111-4321", "3374", "Semarang"),
                note = "",
                lines = listOf(NewOrderLineInput(variant, 1)),
            ),
        )
        expect(ErrorCode.INVALID_TRANSITION) { device.transitionOrder(order, OrderTransition.Complete) }

        val text = File(dir, "catatan.txt").apply { writeText("bukan foto, bukan database\n".repeat(200)) }
        expect(ErrorCode.NOT_AN_IMAGE) { runBlocking { device.addPhoto(product, text.path) } }
        expect(ErrorCode.UNREADABLE_FILE) { runBlocking { device.addPhoto(product, File(dir, "tidak-ada.jpg").path) } }
        val half = File(dir, "setengah.jpg").apply { writeBytes(File(PHOTO).readBytes().let { it.copyOf(it.size / 2) }) }
        expect(ErrorCode.TRUNCATED_IMAGE) { runBlocking { device.addPhoto(product, half.path) } }
        expect(ErrorCode.NOT_SENTRA_DATABASE) { SentraDevice.open(text.path).account() }

        val nobody = "http://127.0.0.1:${TestServer.freePort()}"
        val offline = expect(ErrorCode.NETWORK) { runBlocking { device.signIn(nobody, "pendamping", "x") } }
        assertNull(offline.serverCode)
        TestServer().use { server ->
            val refused = expect(ErrorCode.SIGN_IN_REFUSED) { runBlocking { device.signIn(server.url, "pendamping", "salah") } }
            assertEquals("bad_credentials", refused.serverCode)
            assertEquals("Nomor HP, nama, atau PIN salah.", ErrorText.of(refused, Lang.ID).text)
            assertEquals("Wrong phone number, name or PIN.", ErrorText.of(refused, Lang.EN).text)
            // Four more wrong secrets from this phone, and the server throttles it: the app says so.
            repeat(4) { expect(ErrorCode.SIGN_IN_REFUSED) { runBlocking { device.signIn(server.url, "pendamping", "salah") } } }
            val throttled = expect(ErrorCode.SIGN_IN_REFUSED) { runBlocking { device.signIn(server.url, "pendamping", "salah") } }
            assertEquals("too_many_attempts", throttled.serverCode)
            assertEquals(
                "Terlalu banyak PIN salah dari ponsel ini. Tunggu 15 menit lalu coba lagi.",
                ErrorText.of(throttled, Lang.ID).text,
            )
        }
        device.close()
        dir.deleteRecursively()
        Unit
    }

    @Test
    fun `a product editor shows the core's refusals per field and refuses a price that is not rupiah`() {
        val dir = tempDir()
        SentraDevice.open(File(dir, "a.db").path).use { device ->
            val producer = assertNotNull(ProducerDirectory(device, Lang.ID).register(siti()))
            val editor = ProductEditor(device, Lang.EN, producer)
            editor.edit { jeans(producer).copy(price = "15,5") }
            assertNull(editor.save())
            assertEquals(setOf("price"), editor.view.value.errors.keys)
            editor.edit { it.copy(price = "15.000", name = "") }
            assertNull(editor.save())
            assertTrue("name" in editor.view.value.errors, editor.view.value.errors.toString())
            assertEquals("Some fields are not filled in correctly.", editor.view.value.message?.text)
        }
        dir.deleteRecursively()
    }
}
