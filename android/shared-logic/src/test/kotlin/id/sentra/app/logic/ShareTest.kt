package id.sentra.app.logic

import org.junit.jupiter.api.Test
import java.net.URI
import java.net.URLDecoder
import java.nio.charset.StandardCharsets
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The share text and WhatsApp link, exactly as the storefront writes them (share.rs has the same cases). */
class ShareTest {
    @Test
    fun `a product is shared with its name, price, unit and page, as the storefront shares it`() {
        val url = Share.productUrl("https://sentra.id/", "1")
        assertEquals("https://sentra.id/p/1", url)
        val text = Share.productText("Gula Kristal & Aren", 15_000, 15_000, "kg", url, Lang.ID)
        assertEquals("Lihat Gula Kristal & Aren — Rp 15.000 / kg di Sentra: https://sentra.id/p/1", text)
        val link = Share.whatsappUrl(text)
        assertTrue(link.startsWith("https://wa.me/?text=Lihat%20Gula%20Kristal%20%26%20Aren%20"), link)
        assertTrue(link.endsWith("https%3A%2F%2Fsentra.id%2Fp%2F1"), link)
        assertFalse(link.contains('+') || link.contains(' '), link)
        // Whatever WhatsApp decodes is the text itself.
        val query = URI.create(link).rawQuery.removePrefix("text=")
        assertEquals(text, URLDecoder.decode(query, StandardCharsets.UTF_8))
    }

    @Test
    fun `a price range and English read as on the storefront`() {
        val text = Share.productText("Kaos Batik", 85_000, 95_000, "pcs", "http://127.0.0.1:8080/p/9", Lang.EN)
        assertEquals("Have a look at Kaos Batik — Rp 85.000 – Rp 95.000 / pcs on Sentra: http://127.0.0.1:8080/p/9", text)
    }

    @Test
    fun `a producer's shop is shared with its name and address`() {
        val url = Share.shopUrl("http://127.0.0.1:8080", "01a2")
        assertEquals("http://127.0.0.1:8080/toko/01a2", url)
        assertEquals("Lihat produk Gula Kristal Bu Sri di Sentra: http://127.0.0.1:8080/toko/01a2", Share.shopText("Gula Kristal Bu Sri", url, Lang.ID))
        val link = Share.whatsappUrl("Rp 15.000 * 2 = 100% ✓ ~")
        assertEquals("https://wa.me/?text=Rp%2015.000%20%2A%202%20%3D%20100%25%20%E2%9C%93%20~", link)
    }
}
