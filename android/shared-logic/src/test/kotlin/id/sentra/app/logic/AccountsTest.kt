package id.sentra.app.logic

import id.sentra.ffi.NewProducerInput
import id.sentra.ffi.NewProductInput
import id.sentra.ffi.ProductStatus
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.Unlock
import java.io.RandomAccessFile
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class AccountsTest {
    @Test
    fun `switching to another producer on a shared phone needs their PIN, offline`() {
        val book = AccountBook(Files.createTempDirectory("shared-phone").toFile())
        val siti = "0812-3456-7890"
        // Siti signed in here once (online); her PIN now guards her own file.
        SentraDevice.open(book.databaseFor(siti).path).use { it.setUnlockPin("246810") }

        assertEquals(Switch.NeedsSignIn, book.switchTo("0813-0000-1111", "246810"))
        assertEquals(Switch.WrongPin(4), book.switchTo(siti, "135790"))
        val opened = assertIs<Switch.Opened>(book.switchTo(siti, "246810"))
        opened.device.close()
        repeat(4) { book.switchTo(siti, "000000") }
        assertIs<Switch.Locked>(book.switchTo(siti, "000000"))
        assertIs<Switch.Locked>(book.switchTo(siti, "246810"), "locked even for the right PIN")
    }

    @Test
    fun `a damaged database is rebuilt keeping the unsent work and the PIN, and asks to sign in again`() {
        val book = AccountBook(Files.createTempDirectory("damaged-card").toFile())
        val siti = "0812-3456-7890"
        val file = book.databaseFor(siti)
        SentraDevice.open(file.path).use { device ->
            val me = device.registerProducer(NewProducerInput(
                businessName = "Konveksi Rowosari Jaya", ownerName = "Siti Aminah", phone = siti,
                regionCode = "3327", sector = "fashion_textiles"))
            repeat(200) { i ->
                device.createProduct(NewProductInput(
                    producerId = me, name = "Celana Jeans $i", category = "Celana", unit = "pcs",
                    price = 150_000, status = ProductStatus.LISTED, tiers = emptyList(),
                    variants = emptyList()))
            }
            device.setUnlockPin("246810")
        }
        // A failing card scribbles over data pages three quarters into the file. (The middle
        // page is now the schema's second page, since schema v7-v9 outgrew one page: a damaged
        // schema leaves nothing readable, so nothing can be salvaged from it.)
        RandomAccessFile(file, "rw").use { f ->
            f.seek(f.length() * 3 / 4)
            f.write(ByteArray(8192) { 0xA5.toByte() })
        }
        val store = MemorySessionStore(Session("https://sentra.example", "token", "user", "producer", null))

        val recovered = book.recover(siti, store)
        recovered.device.use { device ->
            val aside = assertNotNull(recovered.report.damagedFile)
            assertTrue(java.io.File(aside).exists(), "the damaged file is kept aside")
            assertTrue(recovered.report.signInAgain)
            assertNull(store.load(), "the old session belongs to the old device")
            assertTrue(recovered.report.salvagedChanges > 0)
            assertEquals(Unlock.Open, device.unlock("246810"))
        }
    }
}
