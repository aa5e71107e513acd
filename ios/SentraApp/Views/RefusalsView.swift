import SentraFFI
import SentraKit
import SwiftUI

/// Every change the server refused, with its reason (worded by `RefusalText`, SentraKit), and
/// what to do: fix the product, send again, or discard and take the server's state.
struct RefusalsView: View {
    @EnvironmentObject var model: AppModel
    @State private var lines: [RefusalLine] = []
    @State private var problem: String?
    @State private var note: String?

    var body: some View {
        List {
            if lines.isEmpty { Text("refusals_none") }
            if let problem { Text(problem).foregroundStyle(.red) }
            if let note { Text(note).foregroundStyle(.secondary) }
            ForEach(lines, id: \.seq) { line in
                VStack(alignment: .leading) {
                    Text(line.what)
                    Text(line.why).foregroundStyle(.secondary)
                    HStack {
                        if line.fixInEditor && line.entity == "product" {
                            NavigationLink("refusals_fix") { ProductEditorView(productId: line.entityId) }
                        }
                        Button("refusals_send_again") { act { $0.sendAgain(line.seq).map { _ -> String? in nil } } }
                        Button("refusals_discard", role: .destructive) { act { $0.discard(line.seq) } }
                    }
                    .buttonStyle(.borderless)
                }
            }
        }
        .navigationTitle("refusals_title")
        .task(id: model.version) { reload() }
    }

    private var refusals: Refusals? { model.device.map { Refusals(device: $0, lang: model.lang) } }

    private func reload() { lines = (try? refusals?.lines()) ?? [] }

    /// Runs one of SentraKit's actions; a note (the server's copy comes back) or what went wrong.
    private func act(_ action: (Refusals) -> Result<String?, UserMessage>) {
        guard let refusals else { return }
        switch action(refusals) {
        case .success(let said):
            problem = nil
            note = said
        case .failure(let message):
            problem = message.text
        }
        reload()
    }
}
