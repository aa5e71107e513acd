import SentraFFI
import SentraKit
import SwiftUI

/// Orders by tab with counts and deadlines; accept, reject, ship, complete.
struct OrdersView: View {
    @EnvironmentObject var model: AppModel
    @State private var tab: OrderTab = .toRespond
    @State private var orders: [Order] = []
    @State private var counts: TabCounts?
    @State private var shipping: Order?
    @State private var courier = ""
    @State private var tracking = ""
    @State private var problem: String?
    @State private var rejecting: Order?
    @State private var reason: RejectReason = .outOfStock
    @State private var typed = ""

    var body: some View {
        List {
            Picker("nav_orders", selection: $tab) {
                Text(String(format: NSLocalizedString("tab_to_respond", comment: ""), counts?.toRespond ?? 0)).tag(OrderTab.toRespond)
                Text(String(format: NSLocalizedString("tab_to_ship", comment: ""), counts?.toShip ?? 0)).tag(OrderTab.toShip)
                Text(String(format: NSLocalizedString("tab_shipped", comment: ""), counts?.shipped ?? 0)).tag(OrderTab.shipped)
                Text(String(format: NSLocalizedString("tab_completed", comment: ""), counts?.completed ?? 0)).tag(OrderTab.completed)
                Text(String(format: NSLocalizedString("tab_cancelled", comment: ""), counts?.cancelled ?? 0)).tag(OrderTab.cancelled)
            }
            .pickerStyle(.menu)
            if let problem { Text(problem).foregroundStyle(.red) }
            ForEach(orders, id: \.id) { order in
                VStack(alignment: .leading) {
                    Text("\(order.code) · \(order.buyer.name)")
                    Text(Rupiah.format(order.total))
                    if let due = order.dueAt { Text(dueText(order.status, due)).foregroundStyle(Date.nowMs > due ? .red : .secondary) }
                    HStack {
                        switch tab {
                        case .toRespond:
                            Button("order_accept") { act(order, .accept) }
                            Button("order_reject") { rejecting = order }
                        case .toShip:
                            Button("order_ship") { shipping = order }
                        case .shipped:
                            Button("order_complete") { act(order, .complete) }
                        default:
                            EmptyView()
                        }
                    }
                    .buttonStyle(.bordered)
                }
            }
        }
        .navigationTitle("nav_orders")
        .onChange(of: tab) { _ in reload() }
        .task(id: model.version) { reload() }
        .sheet(isPresented: Binding(get: { rejecting != nil }, set: { if !$0 { rejecting = nil } })) {
            Form {
                Picker("order_reject", selection: $reason) {
                    ForEach(RejectReason.allCases, id: \.self) { Text($0.label(model.lang)).tag($0) }
                }
                .pickerStyle(.inline)
                if reason == .other { TextField("order_reject_typed", text: $typed) }
                Button("order_reject") {
                    guard let order = rejecting else { return }
                    guard let text = reason.text(typed: typed) else {
                        problem = RejectReason.missing(model.lang)
                        return
                    }
                    act(order, .reject(reason: text))
                    rejecting = nil
                    typed = ""
                }
            }
        }
        .alert("order_ship", isPresented: Binding(get: { shipping != nil }, set: { if !$0 { shipping = nil } })) {
            TextField("order_courier", text: $courier)
            TextField("order_tracking", text: $tracking)
            Button("order_ship") { if let order = shipping { act(order, .ship(courier: courier, trackingNo: tracking)) } }
        }
    }

    private func reload() {
        counts = try? model.device?.orderTabs()
        orders = (try? model.device?.orders(tab: tab, offset: 0, limit: 100)) ?? []
    }

    private func act(_ order: Order, _ change: OrderTransition) {
        do {
            try model.device?.transitionOrder(id: order.id, change: change)
            problem = nil
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
        reload()
    }

    /// "Respon dalam 5 jam" / "Terlambat 2 jam", as android/shared-logic's OrdersBoard words it.
    private func dueText(_ status: OrderStatus, _ due: Int64) -> String {
        let left = due - Date.nowMs
        let hours = abs(left) / 3_600_000
        let span = hours >= 24 ? "\(hours / 24) \(NSLocalizedString("unit_days", comment: ""))"
            : "\(max(1, hours)) \(NSLocalizedString("unit_hours", comment: ""))"
        if left < 0 { return String(format: NSLocalizedString("due_late", comment: ""), span) }
        return String(format: NSLocalizedString(status == .new ? "due_respond" : "due_ship", comment: ""), span)
    }
}

extension Date {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
