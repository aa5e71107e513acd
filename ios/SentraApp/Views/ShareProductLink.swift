import SentraKit
import SwiftUI

/// "Bagikan ke WhatsApp" on a saved, listed product: the system share sheet with the same text and
/// storefront link the storefront's own share link sends (`Share`), which unfolds into a card with
/// the photo and the price.
struct ShareProductLink: View {
    let serverUrl: String?
    let productId: String?
    let name: String
    let prices: [Int64]
    let unit: String
    let listed: Bool

    var body: some View {
        if listed, let serverUrl, let productId, let low = prices.min(), let high = prices.max() {
            let url = Share.productUrl(serverUrl: serverUrl, productId: productId)
            ShareLink(item: Share.productText(name: name, minPrice: low, maxPrice: high, unit: unit,
                                              url: url, lang: Lang.current)) {
                Label("share_product", systemImage: "square.and.arrow.up")
            }
        }
    }
}
