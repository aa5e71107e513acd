package id.sentra.app.logic

import id.sentra.ffi.OrderStatus
import id.sentra.ffi.SyncStop
import id.sentra.ffi.formatRupiah
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Rupiah, deadlines and the sync policy, as the screens show them. */
class FormattingTest {
    @Test
    fun `rupiah are written with dots between thousands, exactly as the core writes them`() {
        assertEquals("Rp 15.000", Rupiah.format(15_000))
        assertEquals("-Rp 2.500", Rupiah.format(-2_500))
        assertEquals("Rp 0", Rupiah.format(0))
        val amounts = listOf(0L, 5, 950, 1_000, 15_000, 999_999, 1_250_000, -2_500, Long.MAX_VALUE, Long.MIN_VALUE + 1)
        for (amount in amounts) assertEquals(formatRupiah(amount), Rupiah.format(amount), "amount $amount")
    }

    @Test
    fun `a typed price is read as whole rupiah and anything else is refused`() {
        assertEquals(15_000L, Rupiah.parse("15.000"))
        assertEquals(15_000L, Rupiah.parse("Rp 15.000"))
        assertEquals(15_000L, Rupiah.parse(" 15000 "))
        assertNull(Rupiah.parse("15,5"))
        assertNull(Rupiah.parse("-500"))
        assertNull(Rupiah.parse(""))
        assertNull(Rupiah.parse("lima ribu"))
    }

    @Test
    fun `an order's deadline reads as time left or time late`() {
        val hour = 3_600_000L
        assertEquals("Respon dalam 5 jam", OrdersBoard.dueText(OrderStatus.NEW, 5 * hour + 1, 0, Lang.ID))
        assertEquals("Ship within 1 d 2 h", OrdersBoard.dueText(OrderStatus.ACCEPTED, 26 * hour + 1, 0, Lang.EN))
        assertEquals("Terlambat 3 jam", OrdersBoard.dueText(OrderStatus.NEW, 0, 3 * hour, Lang.ID))
        assertEquals("Kirim dalam 40 menit", OrdersBoard.dueText(OrderStatus.ACCEPTED, 40 * 60_000L, 0, Lang.ID))
    }

    @Test
    fun `background sync sends display photos only on unmetered networks unless mobile data is allowed`() {
        assertTrue(SyncPolicy.settings(600_000, unmetered = false, allowMobileData = false).thumbnailsOnly)
        assertFalse(SyncPolicy.settings(600_000, unmetered = false, allowMobileData = true).thumbnailsOnly)
        assertFalse(SyncPolicy.settings(600_000, unmetered = true, allowMobileData = false).thumbnailsOnly)
        assertEquals(540_000L, SyncPolicy.settings(600_000, unmetered = true, allowMobileData = false).deadlineMs)
    }

    @Test
    fun `why a sync stopped is worded in both languages`() {
        assertNull(ErrorText.syncStopped(null, Lang.ID))
        assertEquals("Sesi berakhir. Silakan masuk lagi.", ErrorText.syncStopped(SyncStop.Refused("unauthorized"), Lang.ID))
        assertEquals("No signal. Retrying automatically.", ErrorText.syncStopped(SyncStop.Network, Lang.EN))
        assertEquals(Lang.EN, Lang.of("en-US"))
        assertEquals(Lang.ID, Lang.of("in-ID"))
    }
}
