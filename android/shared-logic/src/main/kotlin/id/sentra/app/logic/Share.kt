package id.sentra.app.logic

import java.net.URLEncoder
import java.nio.charset.StandardCharsets

/**
 * Sharing a product or a producer's shop, the way the storefront does (`server/src/web/share.rs`):
 * the page's address on the storefront, the text a seller sends, and the "Bagikan ke WhatsApp"
 * link (`https://wa.me/?text=…`, which opens WhatsApp with the text ready for any chat). The
 * storefront page behind the link has Open Graph tags, so the link unfolds into a card with the
 * photo and the price. The same inputs give the same text and link as the storefront's.
 */
object Share {
    /** The storefront's address, as the apps know it: the sync server's URL (no trailing `/`). */
    fun base(serverUrl: String): String = serverUrl.trim().trimEnd('/')

    /** A product's page: `https://…/p/<id>`. */
    fun productUrl(serverUrl: String, productId: String): String = "${base(serverUrl)}/p/$productId"

    /** A producer's shop: `https://…/toko/<id>`. */
    fun shopUrl(serverUrl: String, producerId: String): String = "${base(serverUrl)}/toko/$producerId"

    /**
     * What is sent about a product: "Lihat Gula Kristal — Rp 15.000 / kg di Sentra: <url>".
     * [price] is the lowest and highest variant price; a range reads "Rp 15.000 – Rp 18.000".
     */
    fun productText(name: String, minPrice: Long, maxPrice: Long, unit: String, url: String, lang: Lang): String {
        val price = if (minPrice == maxPrice) Rupiah.format(minPrice) else "${Rupiah.format(minPrice)} – ${Rupiah.format(maxPrice)}"
        return "${lang.pick("Lihat", "Have a look at")} $name — $price / $unit ${lang.pick("di Sentra:", "on Sentra:")} $url"
    }

    /** What is sent about a shop: "Lihat produk Gula Kristal Bu Sri di Sentra: <url>". */
    fun shopText(shop: String, url: String, lang: Lang): String =
        "${lang.pick("Lihat produk", "Have a look at the products of")} $shop ${lang.pick("di Sentra:", "on Sentra:")} $url"

    /** The link that opens WhatsApp with [text] ready to send (spaces as `%20`, as wa.me wants). */
    fun whatsappUrl(text: String): String =
        "https://wa.me/?text=" + URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~")
}
