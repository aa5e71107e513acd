import Foundation
import SentraFFI

/// One past sale as the history list draws it.
public struct SaleLine: Equatable, Sendable {
    public let id: String
    /// "Celana Jeans · 30".
    public let title: String
    /// "2 × Rp 150.000".
    public let detail: String
    /// "Rp 300.000".
    public let total: String
    /// "2026-11-22".
    public let day: String
    /// Struck out and in no total.
    public let voided: Bool
    /// "Dibatalkan: salah ketik".
    public let voidText: String?
}

/// The sales history's words and totals; the same as the Android app's `SalesHistory`.
public enum SalesHistoryText {
    public static func line(_ e: SaleEntry, _ lang: Lang) -> SaleLine {
        let name = e.productName.isEmpty ? lang.pick("(produk dihapus)", "(product deleted)") : e.productName
        let voided = e.voidedAtMs != nil
        var voidText: String?
        if voided {
            let head = lang.pick("Dibatalkan", "Voided")
            if let reason = e.voidReason, !reason.isEmpty { voidText = "\(head): \(reason)" } else { voidText = head }
        }
        return SaleLine(
            id: e.sale.id,
            title: ([name] + e.options).joined(separator: " \u{00b7} "),
            detail: "\(e.sale.quantity) \u{00d7} \(Rupiah.format(e.sale.unitPrice))",
            total: Rupiah.format(e.sale.quantity * e.sale.unitPrice),
            day: e.sale.soldOn,
            voided: voided,
            voidText: voidText
        )
    }

    /// The revenue of the sales that still count.
    public static func total(_ entries: [SaleEntry]) -> String {
        Rupiah.format(entries.filter { $0.voidedAtMs == nil }.reduce(0) { $0 + $1.sale.quantity * $1.sale.unitPrice })
    }
}
