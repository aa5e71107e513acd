import SentraFFI
import SentraKit
import SwiftUI

/// Past direct sales (the last 30 days), newest first, voided ones struck out; a mistyped sale
/// is voided with a reason, and the void syncs to every phone and the dashboard. The words and
/// totals come from `SalesHistoryText` (SentraKit).
struct SalesHistoryView: View {
    @EnvironmentObject var model: AppModel
    @State private var entries: [SaleEntry] = []
    @State private var voiding: SaleLine?
    @State private var reason = ""
    @State private var problem: String?

    var body: some View {
        List {
            Text(String(format: NSLocalizedString("sales_history_total", comment: ""), SalesHistoryText.total(entries)))
            if let problem { Text(problem).foregroundStyle(.red) }
            ForEach(entries.map { SalesHistoryText.line($0, model.lang) }, id: \.id) { line in
                VStack(alignment: .leading) {
                    Text(line.title).strikethrough(line.voided)
                    Text("\(line.day) · \(line.detail) = \(line.total)").foregroundStyle(.secondary)
                    if let voidText = line.voidText { Text(voidText).foregroundStyle(.red) }
                }
                .swipeActions {
                    if !line.voided { Button("sales_void", role: .destructive) { voiding = line } }
                }
            }
        }
        .navigationTitle("sales_history_title")
        .task(id: model.version) { reload() }
        .alert("sales_void", isPresented: Binding(get: { voiding != nil }, set: { if !$0 { voiding = nil } })) {
            TextField("sales_void_reason", text: $reason)
            Button("sales_void", role: .destructive) { void() }
            Button("cancel", role: .cancel) { voiding = nil }
        } message: {
            if let voiding { Text("\(voiding.title) · \(voiding.total)") }
        }
    }

    private func reload() {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withFullDate]
        format.timeZone = .current
        let today = Date()
        let from = format.string(from: today.addingTimeInterval(-30 * 86_400))
        entries = (try? model.device?.salesHistory(from: from, to: format.string(from: today), limit: 500)) ?? []
    }

    private func void() {
        guard let line = voiding, let device = model.device else { return }
        do {
            _ = try device.voidSale(saleId: line.id, reason: reason)
            problem = nil
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
        voiding = nil
        reason = ""
        reload()
    }
}
