import SentraFFI
import SentraKit
import SwiftUI

/// The catalogue with search: one page of 50 products per call to the core, more on scroll.
struct CatalogueView: View {
    @EnvironmentObject var model: AppModel
    @State private var search = ""
    @State private var rows: [ProductRow] = []
    @State private var endReached = false
    /// Products with a change the server refused: never shown as listed.
    @State private var refused: Set<String> = []
    private let pageSize: Int64 = 50

    var body: some View {
        List {
            ForEach(rows, id: \.id) { row in
                NavigationLink { ProductEditorView(productId: row.id) } label: {
                    VStack(alignment: .leading) {
                        Text(row.name)
                        Text(row.minPrice == row.maxPrice ? Rupiah.format(row.minPrice)
                             : "\(Rupiah.format(row.minPrice)) – \(Rupiah.format(row.maxPrice))")
                        Text(String(format: NSLocalizedString("catalogue_stock", comment: ""), row.totalStock))
                            .foregroundStyle(row.oversold ? .red : .secondary)
                        if refused.contains(row.id) {
                            Text("catalogue_refused").foregroundStyle(.red)
                        } else if row.status == .listed {
                            Text("catalogue_listed").foregroundStyle(.secondary)
                        }
                    }
                }
                .onAppear { if row.id == rows.last?.id { loadMore() } }
            }
        }
        .searchable(text: $search, prompt: Text("catalogue_search"))
        .onChange(of: search) { _ in reload() }
        .toolbar { NavigationLink("catalogue_new") { ProductEditorView(productId: nil) } }
        .navigationTitle("nav_catalogue")
        .task(id: model.version) { reload() }
    }

    private func page(offset: Int64) -> [ProductRow] {
        let producer = model.session?.producerId
        let query = ProductPageQuery(producerId: producer, search: search.isEmpty ? nil : search, offset: offset, limit: pageSize)
        return (try? model.device?.listProducts(query: query)) ?? []
    }

    private func reload() {
        refused = Set((try? model.device?.refusedProducts()) ?? [])
        rows = page(offset: 0)
        endReached = rows.count < pageSize
    }

    private func loadMore() {
        guard !endReached else { return }
        let more = page(offset: Int64(rows.count))
        rows += more
        endReached = more.count < pageSize
    }
}
