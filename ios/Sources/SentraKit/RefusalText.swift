import Foundation
import SentraFFI

/// One refused change as the refusals screen draws it.
public struct RefusalLine: Equatable, Sendable {
    public let seq: Int64
    /// What was refused ("Produk baru", "Penjualan langsung").
    public let what: String
    /// Why, in the user's language.
    public let why: String
    public let entity: String
    public let entityId: String
    /// Whether opening the product editor can fix it.
    public let fixInEditor: Bool
}

/// How a refusal reads; the same words as the Android app's `RefusalText` (shared-logic).
public enum RefusalText {
    public static func what(_ q: Quarantined, _ lang: Lang) -> String {
        let thing: String
        switch q.entity {
        case "producer": thing = lang.pick("Data usaha", "Business details")
        case "product": thing = lang.pick("Produk", "Product")
        case "variant": thing = lang.pick("Varian produk", "Product variant")
        case "photo": thing = lang.pick("Foto produk", "Product photo")
        case "stock_movement": thing = lang.pick("Perubahan stok", "Stock change")
        case "sale": thing = lang.pick("Penjualan langsung", "Direct sale")
        case "sale_void": thing = lang.pick("Pembatalan penjualan", "Sale void")
        case "order": thing = lang.pick("Pesanan", "Order")
        case "organisation", "organisation_member", "organisation_admin":
            thing = lang.pick("Kelompok / koperasi", "Cluster / cooperative")
        default: thing = lang.pick("Perubahan", "Change")
        }
        switch q.op {
        case "create": return thing + lang.pick(" baru", " (new)")
        case "update": return thing + lang.pick(" (diubah)", " (edited)")
        case "delete": return thing + lang.pick(" (dihapus)", " (deleted)")
        default: return thing
        }
    }

    public static func why(_ q: Quarantined, _ lang: Lang) -> String {
        switch q.code {
        case "forbidden":
            return lang.pick("Akun ini tidak berhak mengubah data ini.", "This account may not change this data.")
        case "unknown_reference":
            return lang.pick("Server belum mengenal data yang dirujuk (misalnya produknya ditolak lebih dulu).",
                             "The server does not know the data it refers to (its product may have been refused first).")
        case "validation":
            return lang.pick("Isinya tidak memenuhi aturan: periksa lalu kirim lagi.",
                             "Its content breaks a rule: check it, then send it again.")
        case "clock_ahead":
            return lang.pick("Jam ponsel terlalu cepat. Betulkan tanggal dan jam, lalu kirim lagi.",
                             "The phone's clock is too far ahead. Set the date and time right, then send again.")
        case "malformed":
            return lang.pick("Server tidak memahami perubahan ini.", "The server did not understand this change.")
        default:
            return lang.pick("Server menolak perubahan ini.", "The server refused this change.")
        }
    }

    public static func line(_ q: Quarantined, _ lang: Lang) -> RefusalLine {
        RefusalLine(seq: q.seq, what: what(q, lang), why: why(q, lang), entity: q.entity, entityId: q.entityId,
                    fixInEditor: ["product", "variant", "photo"].contains(q.entity))
    }
}

/// The refusals screen's actions (android/shared-logic's `RefusalsState`): the list from
/// `quarantined()`, and the two ways out of each: send again (after fixing the thing), or discard
/// and take the server's state.
public struct Refusals {
    public let device: SentraDevice
    public let lang: Lang

    public init(device: SentraDevice, lang: Lang) {
        self.device = device
        self.lang = lang
    }

    /// Every refused change, newest first, worded.
    public func lines() throws -> [RefusalLine] { try device.quarantined().map { RefusalText.line($0, lang) } }

    /// Sends a refusal again with the thing's current values (the next sync carries it).
    public func sendAgain(_ seq: Int64) -> Result<Void, UserMessage> {
        attempt { _ = try device.resendRefused(seq: seq) }
    }

    /// Lets a refusal go: this phone takes the server's state. When the server's copy must be
    /// pulled again, the answer is the sentence that says the next sync brings it back.
    public func discard(_ seq: Int64) -> Result<String?, UserMessage> {
        attempt {
            try device.discardRefused(seq: seq)
                ? lang.pick("Data dari server dipakai lagi pada sinkronisasi berikutnya.",
                            "The server's copy comes back on the next sync.")
                : nil
        }
    }

    private func attempt<T>(_ call: () throws -> T) -> Result<T, UserMessage> { ErrorText.attempt(lang, call) }
}
