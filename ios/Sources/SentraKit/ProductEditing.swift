import Foundation
import SentraFFI

/// One variant row of the editor, as typed.
public struct VariantRow: Equatable, Sendable {
    /// The saved variant's id; nil for a row added since the last save.
    public var id: String?
    public var options: String
    public var price: String
    public var sku: String
    public var stock: String

    public init(id: String? = nil, options: String = "", price: String = "", sku: String = "", stock: String = "0") {
        self.id = id; self.options = options; self.price = price; self.sku = sku; self.stock = stock
    }
}

/// What saving the editor's variant rows must do, decided here and carried out by the view:
/// rows added are added, rows whose price or SKU changed are edited, rows dropped leave sale.
public struct VariantPlan {
    public var add: [NewVariantInput] = []
    public var edit: [(id: String, changes: VariantChanges)] = []
    public var remove: [String] = []
    /// Per field (`variants[1].price`), what to fix before anything is saved.
    public var errors: [String: String] = [:]
}

/// The product editor's decisions, Foundation only: units, volumetric weight, the variant plan,
/// a stock movement's words. The same rules as the Android app's `ProductEditor` and
/// `StockActions` (shared-logic).
public enum ProductEditing {
    /// The units the catalogue knows, as the picker offers them.
    public static func units() -> [String] { productUnits() }

    /// "kodi (20 buah)", "lusin (12 buah)", "ton".
    public static func unitLabel(_ unit: String, _ lang: Lang) -> String {
        switch unit {
        case "pcs": return lang.pick("pcs (buah)", "pcs (pieces)")
        case "lusin": return lang.pick("lusin (12 buah)", "lusin (dozen)")
        case "kodi": return lang.pick("kodi (20 buah)", "kodi (score, 20)")
        case "kuintal": return "kuintal (100 kg)"
        case "pasang": return lang.pick("pasang", "pasang (pair)")
        default: return unit
        }
    }

    /// "Berat volume 1.000 g (P×L×T/6000)", or nil until the three sizes are whole numbers.
    public static func volumetricText(length: String, width: String, height: String, _ lang: Lang) -> String? {
        guard let l = Int64(length.trimmingCharacters(in: .whitespaces)),
              let w = Int64(width.trimmingCharacters(in: .whitespaces)),
              let h = Int64(height.trimmingCharacters(in: .whitespaces)) else { return nil }
        let shown = Rupiah.format(volumetricWeightG(lengthCm: l, widthCm: w, heightCm: h)).replacingOccurrences(of: "Rp ", with: "")
        return lang.pick("Berat volume \(shown) g (P\u{00d7}L\u{00d7}T/6000)", "Volumetric weight \(shown) g (L\u{00d7}W\u{00d7}H/6000)")
    }

    /// What saving `rows` over the `saved` variants must do.
    public static func plan(saved: [Variant], rows: [VariantRow], _ lang: Lang) -> VariantPlan {
        var plan = VariantPlan()
        let priceHint = lang.pick("Tulis harga dalam rupiah, contoh 15.000.", "Write the price in rupiah, e.g. 15.000.")
        let before = Dictionary(uniqueKeysWithValues: saved.map { ($0.id, $0) })
        for (i, row) in rows.enumerated() {
            let trimmedPrice = row.price.trimmingCharacters(in: .whitespaces)
            var price: Int64?
            if !trimmedPrice.isEmpty {
                guard let parsed = Rupiah.parse(trimmedPrice) else { plan.errors["variants[\(i)].price"] = priceHint; continue }
                price = parsed
            }
            let sku = row.sku.trimmingCharacters(in: .whitespaces)
            guard let id = row.id, let old = before[id] else {
                let options = row.options.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let stock = Int64(row.stock.trimmingCharacters(in: .whitespaces)) else {
                    plan.errors["variants[\(i)].initial_stock"] = lang.pick("Stok harus angka.", "Stock must be a number.")
                    continue
                }
                plan.add.append(NewVariantInput(options: options, sku: sku, price: price, initialStock: stock))
                continue
            }
            let skuChanged = !sku.isEmpty && sku != old.sku
            if price != old.price || skuChanged {
                plan.edit.append((id, VariantChanges(sku: skuChanged ? sku : nil, price: price,
                                                     clearPrice: price == nil && old.price != nil)))
            }
        }
        let kept = Set(rows.compactMap(\.id))
        plan.remove = saved.map(\.id).filter { !kept.contains($0) }
        return plan
    }

    /// A stock movement's words: "Koreksi hitung: rusak kena air", and "+6" / "−2".
    public static func movement(_ m: StockMovement, _ lang: Lang) -> (text: String, delta: String) {
        let what: String
        switch m.kind {
        case "restock": what = lang.pick("Stok masuk", "Restocked")
        case "sale": what = lang.pick("Terjual langsung", "Direct sale")
        case "reserve": what = lang.pick("Disisihkan untuk pesanan", "Held for an order")
        case "release": what = lang.pick("Pesanan batal, stok kembali", "Order cancelled, stock back")
        case "adjust": what = lang.pick("Koreksi hitung", "Count correction")
        case "void": what = lang.pick("Penjualan dibatalkan, stok kembali", "Sale voided, stock back")
        default: what = lang.pick("Perubahan stok", "Stock change")
        }
        let text = m.reason.flatMap { $0.isEmpty ? nil : "\(what): \($0)" } ?? what
        return (text, m.delta > 0 ? "+\(m.delta)" : "\u{2212}\(-m.delta)")
    }
}
