import SentraFFI
import SentraKit
import SwiftUI

/// Quick direct-sale entry at the market: a variant, how many, where.
struct QuickSaleView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var search = ""
    @State private var choices: [(id: String, label: String)] = []
    @State private var variantId = ""
    @State private var quantity = "1"
    @State private var unitPrice = ""
    @State private var channel: SaleChannel = .marketStall
    @State private var problem: String?
    private let channels: [(channel: SaleChannel, key: String)] = [
        (.marketStall, "channel_market_stall"), (.reseller, "channel_reseller"),
        (.exhibition, "channel_exhibition"), (.otherMarketplace, "channel_other_marketplace"),
    ]

    var body: some View {
        Form {
            TextField("catalogue_search", text: $search)
            ForEach(choices, id: \.id) { choice in
                Button { variantId = choice.id } label: { Text(variantId == choice.id ? "✓ \(choice.label)" : choice.label) }
            }
            TextField("sale_quantity", text: $quantity).keyboardType(.numberPad)
            TextField("sale_price", text: $unitPrice).keyboardType(.numberPad)
            Picker("nav_sale", selection: $channel) {
                ForEach(channels, id: \.key) { Text(LocalizedStringKey($0.key)).tag($0.channel) }
            }
            if let problem { Text(problem).foregroundStyle(.red) }
            Button("sale_record", action: record).disabled(variantId.isEmpty)
        }
        .navigationTitle("nav_sale")
        .task(id: search) { find() }
    }

    private func find() {
        guard let device = model.device else { return }
        let rows = (try? device.listProducts(query: ProductPageQuery(search: search.isEmpty ? nil : search, limit: 20))) ?? []
        choices = rows.flatMap { row in
            ((try? device.product(id: row.id))?.variants ?? []).map { v in
                (v.id, "\(row.name) \(v.options.joined(separator: " ")) · \(Rupiah.format(v.effectivePrice)) · \(v.stock)")
            }
        }
    }

    private func record() {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        do {
            _ = try model.device?.recordSale(input: NewSaleInput(
                variantId: variantId, quantity: Int64(quantity) ?? 0, channel: channel,
                soldOn: formatter.string(from: Date()), unitPrice: unitPrice.isEmpty ? nil : Rupiah.parse(unitPrice)))
            dismiss()
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
    }
}
