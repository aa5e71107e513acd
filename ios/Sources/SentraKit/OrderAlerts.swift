import Foundation
import SentraFFI

/// Why the phone speaks up about an order (android/shared-logic's Notifications.kt, the same
/// text and schedule).
public enum AlertKind: String, Sendable {
    case newOrder = "new_order"
    case respondReminder = "respond_reminder"
}

/// One local notification, decided here and posted by the app (UNUserNotificationCenter):
/// `atMs` is when to show it; `key` is stable per account, kind and order, so posting again
/// replaces it and an answered order's reminder can be removed by key.
public struct OrderAlert: Equatable, Sendable {
    public let kind: AlertKind
    public let orderId: String
    public let account: String
    public let title: String
    public let text: String
    public let atMs: Int64

    public var key: String { "\(account):\(kind.rawValue):\(orderId)" }
}

/// The text and the schedule of order notifications.
public enum OrderAlerts {
    /// A reminder goes this long before the 24-hour respond deadline.
    public static let remindBeforeMs: Int64 = 3 * 3_600_000

    /// "1 hari 2 jam", "5 jam", "40 menit" (English: "1 d 2 h", "5 h", "40 min").
    public static func span(_ ms: Int64, _ lang: Lang) -> String {
        let minutes = ms / 60_000
        let hours = minutes / 60
        let days = hours / 24
        if days > 0 && hours % 24 > 0 { return lang.pick("\(days) hari \(hours % 24) jam", "\(days) d \(hours % 24) h") }
        if days > 0 { return lang.pick("\(days) hari", "\(days) d") }
        if hours > 0 { return lang.pick("\(hours) jam", "\(hours) h") }
        return lang.pick("\(max(1, minutes)) menit", "\(max(1, minutes)) min")
    }

    /// The notification for an order a sync just brought.
    public static func arrived(_ order: Order, account: String, accountName: String, now: Int64, lang: Lang) -> OrderAlert {
        let items = order.lines.reduce(Int64(0)) { $0 + $1.quantity }
        var due = ""
        if let at = order.dueAt {
            due = at < now ? " " + lang.pick("Terlambat ", "Late by ") + span(now - at, lang) + "."
                : " " + lang.pick("Respon dalam ", "Respond within ") + span(at - now, lang) + "."
        }
        let total = Rupiah.format(order.total)
        return OrderAlert(
            kind: .newOrder, orderId: order.id, account: account,
            title: lang.pick("Pesanan baru untuk \(accountName)", "New order for \(accountName)"),
            text: lang.pick("\(order.buyer.name) memesan \(items) barang, \(total) (\(order.code)).",
                            "\(order.buyer.name) ordered \(items) items, \(total) (\(order.code)).") + due,
            atMs: now)
    }

    /// The reminder of a new order's respond deadline: `remindBeforeMs` before it, or now when
    /// that moment has passed and the deadline has not; none once answered or late.
    public static func reminder(_ order: Order, account: String, accountName: String, now: Int64, lang: Lang) -> OrderAlert? {
        guard let due = order.dueAt, order.status == .new, due > now else { return nil }
        let at = max(now, due - remindBeforeMs)
        let left = span(due - at, lang)
        return OrderAlert(
            kind: .respondReminder, orderId: order.id, account: account,
            title: lang.pick("Segera tanggapi pesanan \(order.code)", "Respond to order \(order.code) soon"),
            text: lang.pick("Batas respon \(left) lagi. Terima atau tolak pesanan \(order.buyer.name), agar pembeli tidak menunggu.",
                            "\(left) left to respond. Accept or reject \(order.buyer.name)'s order so the buyer is not left waiting."),
            atMs: at)
    }
}

/// The ids of the orders an account was already told of, in a text file beside its database.
public struct SeenOrders: Sendable {
    public let file: URL

    public init(beside database: URL) { file = URL(fileURLWithPath: database.path + ".seen-orders") }

    public func all() -> Set<String> {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }

    public func add(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        let line = Data((ids.joined(separator: "\n") + "\n").utf8)
        if let handle = try? FileHandle(forWritingTo: file) {
            handle.seekToEndOfFile()
            handle.write(line)
            try? handle.close()
        } else {
            try? line.write(to: file)
        }
    }
}

/// After a sync of one account: a notification per new order not told of before, and the
/// reminders of every order still waiting (the app replaces the scheduled ones with these).
public struct OrderWatch {
    public let device: SentraDevice
    public let seen: SeenOrders
    public let account: String
    public let accountName: String
    public let lang: Lang

    public init(device: SentraDevice, seen: SeenOrders, account: String, accountName: String, lang: Lang) {
        self.device = device
        self.seen = seen
        self.account = account
        self.accountName = accountName
        self.lang = lang
    }

    public func check(now: Int64) throws -> (now: [OrderAlert], reminders: [OrderAlert]) {
        var waiting: [Order] = []
        while true {
            let page = try device.orders(tab: .toRespond, offset: Int64(waiting.count), limit: 200)
            waiting += page
            if page.count < 200 { break }
        }
        let known = seen.all()
        let fresh = waiting.filter { !known.contains($0.id) }
        seen.add(fresh.map(\.id))
        return (fresh.map { OrderAlerts.arrived($0, account: account, accountName: accountName, now: now, lang: lang) },
                waiting.compactMap { OrderAlerts.reminder($0, account: account, accountName: accountName, now: now, lang: lang) })
    }
}

/// Why a producer turns an order down: pick one or type it. A picked reason is sent in
/// Indonesian (the buyer's status page speaks Indonesian first).
public enum RejectReason: CaseIterable, Sendable {
    case outOfStock, cannotDeliver, tooMany, shopClosed, other

    private var texts: (id: String, en: String) {
        switch self {
        case .outOfStock: return ("Stok habis", "Out of stock")
        case .cannotDeliver: return ("Tidak bisa mengirim ke alamat ini", "Cannot deliver to this address")
        case .tooMany: return ("Jumlah pesanan tidak sanggup dipenuhi", "Cannot make that many in time")
        case .shopClosed: return ("Toko sedang libur", "The shop is closed for now")
        case .other: return ("Alasan lain (tulis sendiri)", "Another reason (type it)")
        }
    }

    public func label(_ lang: Lang) -> String { lang.pick(texts.id, texts.en) }

    /// The reason sent with the rejection; `nil` when `.other` was picked and nothing typed.
    public func text(typed: String) -> String? {
        guard self == .other else { return texts.id }
        let reason = String(typed.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))
        return reason.isEmpty ? nil : reason
    }

    public static func missing(_ lang: Lang) -> String {
        lang.pick("Tulis alasan penolakan untuk pembeli.", "Write the reason for the buyer.")
    }
}
