import Foundation

/// Money as Indonesians write it: integer rupiah, dots between thousands ("Rp 15.000").
public enum Rupiah {
    /// "Rp 15.000", "-Rp 2.500", "Rp 0".
    public static func format(_ amount: Int64) -> String {
        let digits = String(amount.magnitude)
        var grouped = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(".") }
            grouped.append(c)
        }
        return amount < 0 ? "-Rp \(grouped)" : "Rp \(grouped)"
    }

    /// What a seller typed ("15.000", "Rp 15.000", "15000") as rupiah; nil if not a whole amount.
    public static func parse(_ text: String) -> Int64? {
        var cleaned = text.trimmingCharacters(in: .whitespaces)
        if cleaned.lowercased().hasPrefix("rp") { cleaned = String(cleaned.dropFirst(2)) }
        cleaned = cleaned.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: " ", with: "")
        guard !cleaned.isEmpty, cleaned.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(cleaned)
    }
}
