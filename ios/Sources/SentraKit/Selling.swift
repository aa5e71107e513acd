import Foundation
import SentraFFI

/// How the producer charges for a courier delivery, as chosen on the settings screen.
public enum CourierMode: Sendable, CaseIterable {
    case none, flat, perKg
}

/// The "Pengiriman & pembayaran" form as typed (android/shared-logic's `SellingDraft`): amounts
/// stay text until saved, so a half-typed fee never throws.
public struct SellingDraft: Equatable, Sendable {
    public var pickup = false
    public var pickupPlace = ""
    public var courierMode: CourierMode = .none
    public var flatFee = ""
    public var rateRegency = ""
    public var rateProvince = ""
    public var rateNational = ""
    public var bank = false
    public var bankName = ""
    public var accountNumber = ""
    public var accountHolder = ""
    public var cod = false
    public var whatsapp = ""
    /// The QRIS image's hash, set by photographing the code.
    public var qrisHash: String?

    public init() {}

    /// The draft of saved settings.
    public init(_ s: SellingSettings) {
        pickup = s.pickupPlace != nil
        pickupPlace = s.pickupPlace ?? ""
        switch s.courier {
        case .none: courierMode = .none
        case let .flat(fee)?:
            courierMode = .flat
            flatFee = Rupiah.format(fee)
        case let .perKg(regency, province, national)?:
            courierMode = .perKg
            rateRegency = regency.map(Rupiah.format) ?? ""
            rateProvince = province.map(Rupiah.format) ?? ""
            rateNational = national.map(Rupiah.format) ?? ""
        }
        bank = s.bank != nil
        bankName = s.bank?.bank ?? ""
        accountNumber = s.bank?.number ?? ""
        accountHolder = s.bank?.holder ?? ""
        cod = s.cod
        whatsapp = s.whatsapp ?? ""
        qrisHash = s.qrisHash
    }
}

/// The decisions about delivery and payment the screens share (android/shared-logic's
/// `Selling` and `PaidMark` word them the same way).
public enum Selling {
    /// The settings a draft means, or nil with a hint per field the form alone can tell is wrong
    /// (an amount that is not whole rupiah). The core checks everything else.
    public static func settings(of d: SellingDraft, _ lang: Lang = .current) -> (SellingSettings?, [String: String]) {
        var errors: [String: String] = [:]
        let notAmount = lang.pick("Isi dengan angka rupiah, mis. 15.000.", "Enter an amount in rupiah, e.g. 15.000.")
        func amount(_ text: String) -> Int64? {
            if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
            guard let value = Rupiah.parse(text) else {
                errors["delivery_courier"] = notAmount
                return nil
            }
            return value
        }
        var courier: CourierFee?
        switch d.courierMode {
        case .none:
            courier = nil
        case .flat:
            if let fee = amount(d.flatFee) {
                courier = .flat(fee: fee)
            } else if errors.isEmpty {
                errors["delivery_courier"] = lang.pick("Isi ongkir per pesanan.", "Enter the fee per order.")
            }
        case .perKg:
            let rates = [amount(d.rateRegency), amount(d.rateProvince), amount(d.rateNational)]
            if rates.allSatisfy({ $0 == nil }) && errors.isEmpty {
                errors["delivery_courier"] = lang.pick(
                    "Isi ongkir per kg untuk minimal satu wilayah.", "Enter a rate per kg for at least one zone.")
            }
            courier = .perKg(regency: rates[0], province: rates[1], national: rates[2])
        }
        if !errors.isEmpty { return (nil, errors) }
        let whatsapp = d.whatsapp.trimmingCharacters(in: .whitespaces)
        return (SellingSettings(
            pickupPlace: d.pickup ? d.pickupPlace : nil,
            courier: courier,
            bank: d.bank ? BankAccount(bank: d.bankName, number: d.accountNumber, holder: d.accountHolder) : nil,
            qrisHash: d.qrisHash,
            cod: d.cod,
            whatsapp: whatsapp.isEmpty ? nil : whatsapp
        ), [:])
    }

    /// A courier's charge in words, as the storefront writes it.
    public static func courierTerms(_ courier: CourierFee, _ lang: Lang = .current) -> String {
        switch courier {
        case let .flat(fee):
            return "\(Rupiah.format(fee)) \(lang.pick("per pesanan", "per order"))"
        case let .perKg(regency, province, national):
            return [
                regency.map { "\(Rupiah.format($0))/kg \(lang.pick("dalam kabupaten/kota", "within the regency or city"))" },
                province.map { "\(Rupiah.format($0))/kg \(lang.pick("dalam provinsi", "within the province"))" },
                national.map { "\(Rupiah.format($0))/kg \(lang.pick("luar provinsi", "outside the province"))" },
            ].compactMap { $0 }.joined(separator: ", ")
        }
    }

    /// What a buyer reads on the product page, one line per way to deliver, pay or reach.
    public static func summary(_ s: SellingSettings, _ lang: Lang = .current) -> [String] {
        [
            s.pickupPlace.map { "\(lang.pick("Ambil sendiri", "Pick up")): \($0)" },
            s.courier.map { "\(lang.pick("Ongkir", "Delivery fee")): \(courierTerms($0, lang))" },
            s.bank.map { "\(lang.pick("Transfer bank", "Bank transfer")): \($0.bank) \($0.number) a.n. \($0.holder)" },
            s.qrisHash.map { _ in "QRIS" },
            s.cod ? lang.pick("Bayar di tempat (COD)", "Cash on delivery (COD)") : nil,
            s.whatsapp.map { "WhatsApp: \($0)" },
        ].compactMap { $0 }
    }

    /// What a buyer would miss: no way to deliver, or no way to pay.
    public static func warnings(_ s: SellingSettings, _ lang: Lang = .current) -> [String] {
        var out: [String] = []
        if s.pickupPlace == nil && s.courier == nil {
            out.append(lang.pick("Belum ada cara pengiriman: pembeli harus menghubungi Anda dulu.",
                                 "No way to deliver yet: buyers must contact you first."))
        }
        if s.bank == nil && s.qrisHash == nil && !s.cod {
            out.append(lang.pick("Belum ada cara pembayaran.", "No way to be paid yet."))
        }
        return out
    }

    /// An order card's payment line: choice, fee, paid or not; and whether "Tandai sudah
    /// dibayar" shows.
    public static func paymentLine(_ s: OrderSelling, closed: Bool, _ lang: Lang = .current) -> (text: String, canMarkPaid: Bool) {
        let delivery: String? = s.delivery.map {
            switch $0 {
            case .pickup: return lang.pick("Ambil sendiri", "Pick up")
            case .courier: return lang.pick("Dikirim kurir", "Courier delivery")
            }
        }
        let payment: String? = s.payment.map {
            switch $0 {
            case .bankTransfer: return lang.pick("Transfer bank", "Bank transfer")
            case .qris: return "QRIS"
            case .cod: return lang.pick("Bayar di tempat (COD)", "Cash on delivery (COD)")
            }
        }
        let parts: [String?] = [
            delivery,
            s.deliveryFee > 0 ? "\(lang.pick("Ongkir", "Delivery fee")) \(Rupiah.format(s.deliveryFee))" : nil,
            payment,
            s.paidAt != nil ? lang.pick("Sudah dibayar", "Paid") : lang.pick("Belum dibayar", "Not paid yet"),
        ]
        return (parts.compactMap { $0 }.joined(separator: " · "), s.paidAt == nil && !closed)
    }

    /// The action's label.
    public static func markPaidLabel(_ lang: Lang = .current) -> String {
        lang.pick("Tandai sudah dibayar", "Mark as paid")
    }
}
