package id.sentra.app.logic

import id.sentra.ffi.ProductStatus
import id.sentra.ffi.SentraDevice
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The product editor, creating and then changing a product through the core. */
class ProductEditorTest {
    @Test
    fun `a saved product reloads into the editor, and changed fields and a photo are kept`() = runBlocking {
        val dir = tempDir()
        SentraDevice.open(File(dir, "a.db").path).use { device ->
            val producer = assertNotNull(ProducerDirectory(device, Lang.ID).register(siti()))
            val first = ProductEditor(device, Lang.ID, producer)
            first.edit { jeans(producer) }
            assertTrue(first.addPhoto(PHOTO)) // taken before the first save: kept for after it
            val id = assertNotNull(first.save())
            assertTrue(first.addPendingPhotos(), first.view.value.message.toString())
            assertEquals(1, first.view.value.photos.size)

            val editor = ProductEditor(device, Lang.ID, producer)
            editor.load(id)
            val draft = editor.view.value.draft
            assertEquals("150.000", draft.price)
            assertEquals(listOf("", "160.000"), draft.variants.map { it.price })
            assertEquals(listOf("10", "5"), draft.variants.map { it.stock })
            assertEquals(1, editor.view.value.photos.size)

            editor.edit { it.copy(name = "Celana Jeans Rowosari Premium", price = "175.000", listed = false) }
            assertEquals(id, editor.save())
            val saved = device.product(id)
            assertEquals("Celana Jeans Rowosari Premium", saved.name)
            assertEquals(175_000L, saved.price)
            assertEquals(ProductStatus.UNLISTED, saved.status)
            assertEquals(listOf(175_000L, 160_000L), saved.variants.map { it.effectivePrice })

            editor.edit { it.copy(name = "x".repeat(500)) }
            assertEquals(null, editor.save())
            assertFalse(editor.view.value.errors.isEmpty())
        }
        dir.deleteRecursively()
        Unit // JUnit runs only test methods that return nothing
    }
}
