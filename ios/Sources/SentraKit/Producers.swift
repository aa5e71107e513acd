import Foundation
import SentraFFI

/// A producer sector, with its label (android/shared-logic's `Sector`).
public enum Sector: String, CaseIterable, Sendable {
    case fashionTextiles = "fashion_textiles"
    case foodBeverage = "food_beverage"
    case crafts
    case processedAgriculture = "processed_agriculture"
    case other

    public func label(_ lang: Lang) -> String {
        switch self {
        case .fashionTextiles: return lang.pick("Fesyen & tekstil", "Fashion & textiles")
        case .foodBeverage: return lang.pick("Makanan & minuman", "Food & drink")
        case .crafts: return lang.pick("Kerajinan", "Crafts")
        case .processedAgriculture: return lang.pick("Olahan hasil tani", "Processed farm produce")
        case .other: return lang.pick("Lainnya", "Other")
        }
    }

    /// The sector of a stored code; an unknown one reads as "other".
    public static func of(_ code: String) -> Sector { Sector(rawValue: code) ?? .other }
}

/// One regency or city the region search offers: the code the form keeps, the name it shows.
public struct RegionChoice: Equatable, Sendable {
    public let code: String
    public let label: String

    public init(code: String, label: String) {
        self.code = code
        self.label = label
    }
}

/// Regions by name for the registration form: the facilitator types "pemalang" and picks
/// "Kabupaten Pemalang, Jawa Tengah"; the form keeps `3327`. Offline: the table is in the core.
public enum RegionSearch {
    /// Up to `limit` regencies and cities whose name holds every typed word.
    public static func find(_ query: String, limit: Int = 20) -> [RegionChoice] {
        searchRegions(query: query, limit: UInt32(max(1, min(100, limit))))
            .map { RegionChoice(code: $0.code, label: "\($0.name), \($0.province)") }
    }

    /// The name of a code the form already holds (`3327`, `33.27.05`), or nil for an unknown code.
    public static func label(_ code: String) -> String? {
        regionOf(code: code).map { "\($0.name), \($0.province)" }
    }
}

/// Calendar days as the core takes them.
public enum Day {
    /// Today as `YYYY-MM-DD` in the phone's time zone: the day a consent is recorded.
    public static func today(_ now: Date = Date()) -> String {
        let format = DateFormatter()
        format.calendar = Calendar(identifier: .gregorian)
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = .current
        format.dateFormat = "yyyy-MM-dd"
        return format.string(from: now)
    }
}

/// The facilitator's form for registering a producer in the field, as typed.
public struct ProducerDraft: Equatable, Sendable {
    public var businessName = ""
    public var ownerName = ""
    public var phone = ""
    /// The Kemendagri code picked through `RegionSearch`, never typed.
    public var regionCode = ""
    public var sector = Sector.fashionTextiles
    /// Where the workshop is (up to 300 characters; may be empty).
    public var address = ""
    /// How many people work there, as typed (a whole number, 0 to 100,000).
    public var workforce = "1"
    /// The 6-digit PIN the producer will sign in with on their own phone (empty: none).
    public var pin = ""
    public var pinAgain = ""
    /// The day (`YYYY-MM-DD`) the producer agreed to have their shop and products published, or
    /// nil: without consent nothing of theirs appears on the public storefront.
    public var consentDate: String?

    public init() {}

    /// The producer's answer to "may your shop and products be shown to the public?", today.
    public mutating func consent(_ given: Bool, on day: String = Day.today()) {
        consentDate = given ? day : nil
    }
}

/// One producer in the facilitator's list.
public struct ProducerCard: Equatable, Sendable {
    public let id: String
    public let name: String
    public let owner: String
    public let sector: String
    /// The Kemendagri code (`3327`).
    public let regionCode: String
    /// "Kabupaten Pemalang, Jawa Tengah" (the code when unknown).
    public let region: String
    /// The day the producer consented to publication, or nil (nothing of theirs is public).
    public let consent: String?
}

/// The facilitator mode (android/shared-logic's `ProducerDirectory`): register a producer
/// offline with the PIN for their own phone and their consent, list "my producers", and record
/// consent given later. The core checks every field; its refusal comes back worded.
public struct ProducerDirectory {
    public let device: SentraDevice
    public let lang: Lang

    public init(device: SentraDevice, lang: Lang) {
        self.device = device
        self.lang = lang
    }

    /// The producers this facilitator registered, by name.
    public func producers() throws -> [ProducerCard] {
        try device.producers(onlyMine: true, offset: 0, limit: 500).map(card)
    }

    /// Registers the producer and returns their id, or what to fix (with a hint per field).
    public func register(_ draft: ProducerDraft) -> Result<String, UserMessage> {
        guard draft.pin == draft.pinAgain else {
            let text = lang.pick("PIN tidak sama.", "The PINs do not match.")
            return .failure(UserMessage(text: text, fields: ["activation_pin": text]))
        }
        let consent = draft.consentDate.flatMap { $0.isEmpty ? nil : $0 }
        return attempt {
            try device.registerProducer(input: NewProducerInput(
                businessName: draft.businessName, ownerName: draft.ownerName, phone: draft.phone,
                regionCode: draft.regionCode, sector: draft.sector.rawValue,
                address: draft.address.trimmingCharacters(in: .whitespacesAndNewlines),
                // Not a whole number: -1, which the core refuses on the `workforce` field.
                workforce: Int64(draft.workforce.trimmingCharacters(in: .whitespaces)) ?? -1,
                consentPublish: consent != nil, consentDate: consent,
                activationPin: draft.pin.isEmpty ? nil : draft.pin))
        }
    }

    /// Records the producer's answer on `day` (given, or withdrawn); it syncs like any edit,
    /// and the storefront shows their listed products only while it is given.
    public func recordConsent(_ producerId: String, given: Bool, on day: String = Day.today()) -> Result<Void, UserMessage> {
        attempt {
            try device.editProducer(id: producerId, changes: ProducerChanges(
                consentPublish: given, consentDate: given ? day : nil))
        }
    }

    private func card(_ p: Producer) -> ProducerCard {
        ProducerCard(id: p.id, name: p.businessName, owner: p.ownerName, sector: Sector.of(p.sector).label(lang),
                     regionCode: p.regionCode, region: RegionSearch.label(p.regionCode) ?? p.regionCode, consent: p.consentDate)
    }

    private func attempt<T>(_ call: () throws -> T) -> Result<T, UserMessage> { ErrorText.attempt(lang, call) }
}

/// Whose product is being added (android/shared-logic's `ProducerPicker`). A producer's own
/// account adds to their own shop; a facilitator picks one of their producers, starting from the
/// one picked last: never silently the first.
public struct ProducerPicker {
    public let device: SentraDevice
    public let lang: Lang

    public init(device: SentraDevice, lang: Lang) {
        self.device = device
        self.lang = lang
    }

    /// The producers to pick from, by name.
    public func choices() throws -> [ProducerCard] { try ProducerDirectory(device: device, lang: lang).producers() }

    /// The producer selected when the product screen opens: the signed-in producer, or the
    /// facilitator's last pick while it is still one of theirs, or none (the form then asks).
    public func initial(ownProducerId: String?, lastPicked: String?) -> String? {
        if let ownProducerId { return ownProducerId }
        guard let lastPicked, let mine = try? choices(), mine.contains(where: { $0.id == lastPicked }) else { return nil }
        return lastPicked
    }

    /// The owner of a new product: the signed-in producer, else the one picked; without either,
    /// what to say instead of saving it to someone.
    public func owner(ownProducerId: String?, picked: String?) -> Result<String, UserMessage> {
        if let id = ownProducerId ?? picked.flatMap({ $0.isEmpty ? nil : $0 }) { return .success(id) }
        let text = lang.pick("Pilih produsen pemilik produk ini.", "Choose the producer this product belongs to.")
        return .failure(UserMessage(text: text, fields: ["producer_id": text]))
    }
}
