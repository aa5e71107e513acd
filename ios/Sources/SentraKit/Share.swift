import Foundation

/// Sharing a product or a producer's shop, the way the storefront does (`server/src/web/share.rs`)
/// and the Android app does (`Share.kt`): the page's address on the storefront, the text a seller
/// sends, and the WhatsApp link (`https://wa.me/?text=…`). The page behind the link has Open Graph
/// tags, so it unfolds into a card with the photo and the price.
public enum Share {
    /// The storefront's address: the sync server's URL without a trailing `/`.
    public static func base(_ serverUrl: String) -> String {
        var url = serverUrl.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// A product's page: `https://…/p/<id>`.
    public static func productUrl(serverUrl: String, productId: String) -> String {
        "\(base(serverUrl))/p/\(productId)"
    }

    /// A producer's shop: `https://…/toko/<id>`.
    public static func shopUrl(serverUrl: String, producerId: String) -> String {
        "\(base(serverUrl))/toko/\(producerId)"
    }

    /// "Lihat Gula Kristal — Rp 15.000 / kg di Sentra: <url>"; a range reads "Rp 15.000 – Rp 18.000".
    public static func productText(name: String, minPrice: Int64, maxPrice: Int64, unit: String,
                                   url: String, lang: Lang) -> String {
        let price = minPrice == maxPrice
            ? Rupiah.format(minPrice)
            : "\(Rupiah.format(minPrice)) – \(Rupiah.format(maxPrice))"
        return "\(lang.pick("Lihat", "Have a look at")) \(name) — \(price) / \(unit) \(lang.pick("di Sentra:", "on Sentra:")) \(url)"
    }

    /// "Lihat produk Gula Kristal Bu Sri di Sentra: <url>".
    public static func shopText(shop: String, url: String, lang: Lang) -> String {
        "\(lang.pick("Lihat produk", "Have a look at the products of")) \(shop) \(lang.pick("di Sentra:", "on Sentra:")) \(url)"
    }

    /// The link that opens WhatsApp with `text` ready to send: every byte but A–Z a–z 0–9 - _ . ~
    /// percent-encoded (spaces as `%20`), as the storefront encodes it.
    public static func whatsappUrl(_ text: String) -> String {
        var allowed = CharacterSet()
        allowed.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
        let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "https://wa.me/?text=\(encoded)"
    }
}
