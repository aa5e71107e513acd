import SentraFFI
import SentraKit
import SwiftUI

/// Every change the server refused, with its reason (worded by `RefusalText`, SentraKit), and
/// what to do: fix the product, send again, or discard and take the server's state.
struct RefusalsView: View {
    @EnvironmentObject var model: AppModel
    @State private var lines: [RefusalLine] = []
    @State private var problem: String?

    var body: some View {
        List {
            if lines.isEmpty { Text("refusals_none") }
            if let problem { Text(problem).foregroundStyle(.red) }
            ForEach(lines, id: \.seq) { line in
                VStack(alignment: .leading) {
                    Text(line.what)
                    Text(line.why).foregroundStyle(.secondary)
                    HStack {
                        if line.fixInEditor && line.entity == "product" {
                            NavigationLink("refusals_fix") { ProductEditorView(productId: line.entityId) }
                        }
                        Button("refusals_send_again") { act { _ = try $0.resendRefused(seq: line.seq) } }
                        Button("refusals_discard", role: .destructive) { act { _ = try $0.discardRefused(seq: line.seq) } }
                    }
                    .buttonStyle(.borderless)
                }
            }
        }
        .navigationTitle("refusals_title")
        .task(id: model.version) { reload() }
    }

    private func reload() {
        lines = ((try? model.device?.quarantined()) ?? []).map { RefusalText.line($0, model.lang) }
    }

    private func act(_ call: (SentraDevice) throws -> Void) {
        guard let device = model.device else { return }
        do {
            try call(device)
            problem = nil
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
        reload()
    }
}
