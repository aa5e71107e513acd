package id.sentra.app.logic

import id.sentra.ffi.SentraDevice
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs

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
}
