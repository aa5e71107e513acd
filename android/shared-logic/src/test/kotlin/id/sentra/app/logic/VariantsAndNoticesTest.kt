package id.sentra.app.logic

import id.sentra.ffi.NewVariantInput
import id.sentra.ffi.ProductChanges
import id.sentra.ffi.SentraException
import id.sentra.ffi.VariantChanges
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Two phones of one producer, offline: the same size added on both is one variant with both
 * stocks; variants are priced and taken off sale; and the phone whose edit lost to a delete
 * made on the other phone shows it on the home screen's sync card until the user dismisses it.
 */
class VariantsAndNoticesTest {
    @Test
    fun `two phones add one size offline, edit and remove variants, and hear of an edit lost to a delete`() = runBlocking {
        TestServer().use { server ->
            val facilitatorSession = MemorySessionStore()
            val pendamping = AccountBook(File(server.dir, "pendamping"))
                .signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, facilitatorSession)
            val producer = assertNotNull(ProducerDirectory(pendamping, Lang.ID).register(siti()))
            val editor = ProductEditor(pendamping, Lang.ID, producer)
            editor.edit { jeans(producer) }
            val product = assertNotNull(editor.save(), editor.view.value.toString())
            assertTrue(assertNotNull(SyncController(pendamping, facilitatorSession, Lang.ID).syncNow()).completed)

            // Siti's phone and her daughter Putri's, both signed in to Siti's account.
            val sitiSession = MemorySessionStore()
            val siti = AccountBook(File(server.dir, "siti")).signIn(server.url, "081234567890", PIN, sitiSession)
            val putriSession = MemorySessionStore()
            val putri = AccountBook(File(server.dir, "putri")).signIn(server.url, "081234567890", PIN, putriSession)
            val sitiSync = SyncController(siti, sitiSession, Lang.ID)
            val putriSync = SyncController(putri, putriSession, Lang.ID)
            sitiSync.syncNow()
            putriSync.syncNow()

            // Offline, both add size 34.
            val one = siti.addVariant(product, NewVariantInput(options = listOf("34"), initialStock = 3))
            val two = putri.addVariant(product, NewVariantInput(options = listOf("34"), initialStock = 2))
            assertEquals(one, two)
            sitiSync.syncNow()
            putriSync.syncNow()
            sitiSync.syncNow()
            for (phone in listOf(siti, putri)) {
                val sizes = phone.product(product).variants.map { it.options to it.stock }
                assertEquals(listOf(listOf("30") to 10L, listOf("32") to 5L, listOf("34") to 5L), sizes)
            }

            // Putri prices size 34 and takes size 30 off sale; Siti's phone follows.
            putri.editVariant(one, VariantChanges(sku = null, price = 175_000, clearPrice = false))
            putri.removeVariant(putri.product(product).variants[0].id)
            putriSync.syncNow()
            sitiSync.syncNow()
            assertEquals(
                listOf(listOf("32") to 160_000L, listOf("34") to 175_000L),
                siti.product(product).variants.map { it.options to it.effectivePrice },
            )
            siti.removeVariant(siti.product(product).variants[0].id)
            val refused = assertFailsWith<SentraException.Validation> { siti.removeVariant(one) }
            assertEquals(listOf("variants"), refused.fields.map { it.field })

            // Offline, Siti deletes the jeans; then Putri, not knowing, renames them.
            siti.deleteProduct(product)
            putri.editProduct(product, ProductChanges(name = "Celana Jeans Biru"))
            putriSync.syncNow()
            sitiSync.syncNow()
            putriSync.syncNow()
            putriSync.refresh()
            val notice = putriSync.view.value.notices.single()
            assertEquals(
                "Perubahan Anda pada \u201cCelana Jeans Biru\u201d tidak tersimpan: produk ini sudah dihapus di perangkat lain.",
                notice.text,
            )
            sitiSync.refresh()
            assertEquals(emptyList(), sitiSync.view.value.notices)
            putriSync.dismiss(notice.id)
            assertEquals(emptyList(), putriSync.view.value.notices)
        }
    }
}
