import SentraFFI
import SentraKit
import SwiftUI

/// The producer's home: orders due, stock alerts, sync status; the way to every screen.
struct HomeView: View {
    @EnvironmentObject var model: AppModel
    @State private var tabs: TabCounts?
    @State private var lowStock = 0
    @State private var status: SyncStatus?
    @State private var role: Role?
    @State private var notices: [Notice] = []
    @AppStorage("allow_mobile_data") private var allowMobileData = false

    var body: some View {
        List {
            Section {
                if let tabs {
                    Text(String(format: NSLocalizedString("home_orders_due", comment: ""), tabs.toRespond, tabs.toShip))
                    if tabs.overdue > 0 {
                        Text(String(format: NSLocalizedString("home_overdue", comment: ""), tabs.overdue)).foregroundStyle(.red)
                    }
                }
                Text(String(format: NSLocalizedString("home_stock_alerts", comment: ""), lowStock))
            }
            // What a sync did to the user's own work (an edit lost to a delete on another phone).
            ForEach(notices, id: \.id) { notice in
                Section {
                    Text(NoticeText.of(notice, model.lang))
                    Button("notice_dismiss") {
                        try? model.device?.dismissNotice(id: notice.id)
                        reload()
                    }
                }
            }
            Section {
                if let status {
                    Text(String(format: NSLocalizedString("home_sync_waiting", comment: ""),
                                status.pending.reduce(0) { $0 + $1.count }, status.photosWaiting + status.photosUploading))
                }
                if let p = model.syncProgress {
                    ProgressView(value: Double(p.pushed), total: Double(max(1, p.pushed + p.toPush)))
                    Button("sync_stop") { model.stopSync() }
                } else {
                    Button("home_sync_now") { Task { await model.syncNow() } }
                }
                if let problem = model.syncProblem { Text(problem).foregroundStyle(.secondary) }
                if let status {
                    let lines = SyncStatusText.lines(status, nowMs: Int64(Date().timeIntervalSince1970 * 1000), model.lang)
                    Text(lines.lastSync)
                    if let photos = lines.photos { Text(photos) }
                    if let percent = lines.photoPercent { ProgressView(value: Double(percent), total: 100) }
                    if let refusals = lines.refusals {
                        NavigationLink { RefusalsView() } label: { Text(refusals).foregroundStyle(.red) }
                    }
                    if let clock = lines.clock { Text(clock).foregroundStyle(.red) }
                    Text(lines.data).foregroundStyle(.secondary)
                }
                Toggle(PhotoPolicy.switchLabel(model.lang), isOn: $allowMobileData)
                Text(PhotoPolicy.switchHint(model.lang, allowMobileData: allowMobileData)).font(.caption).foregroundStyle(.secondary)
            }
            Section {
                NavigationLink("nav_catalogue") { CatalogueView() }
                NavigationLink("nav_orders") { OrdersView() }
                NavigationLink("nav_sale") { QuickSaleView() }
                NavigationLink("nav_sales_history") { SalesHistoryView() }
                if role == .facilitator {
                    NavigationLink("nav_producers") { ProducersView() }
                    NavigationLink("nav_register") { RegisterProducerView() }
                }
                NavigationLink("nav_switch") { SwitchAccountView(preselect: model.login) }
            }
        }
        .navigationTitle("home_title")
        .task(id: model.version) { reload() }
    }

    private func reload() {
        guard let device = model.device else { return }
        tabs = try? device.orderTabs()
        status = try? device.syncStatus()
        notices = (try? device.notices()) ?? []
        role = (try? device.account())??.role
        lowStock = ((try? device.listProducts(query: ProductPageQuery(limit: 200))) ?? [])
            .filter { $0.totalStock <= 2 || $0.oversold }.count
    }
}
