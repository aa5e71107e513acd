import Foundation
import SentraFFI

/// One cluster or cooperative as a producer's screen lists it.
public struct OrganisationCard: Equatable, Sendable {
    public let id: String
    public let name: String
    /// "Sentra/klaster" or "Koperasi".
    public let kindText: String
    /// Whether the producer is a member.
    public let member: Bool
}

/// A producer's clusters and cooperatives, changed from the phone by their facilitator (or by
/// the producer): join one, leave one, or start a cluster in their region (android/shared-logic's
/// `Clusters`). Each change syncs; the server checks it with the web member page's rules, and one
/// outside the account's rights comes back refused and shows among the refusals.
public struct Clusters {
    public let device: SentraDevice
    public let lang: Lang
    public let producerId: String

    public init(device: SentraDevice, lang: Lang, producerId: String) {
        self.device = device
        self.lang = lang
        self.producerId = producerId
    }

    /// Every organisation this phone knows, the producer's own first, then by name.
    public func cards() throws -> [OrganisationCard] {
        let all = try device.organisations().map { o in
            OrganisationCard(
                id: o.id, name: o.name,
                kindText: o.kind == "cooperative" ? lang.pick("Koperasi", "Cooperative") : lang.pick("Sentra/klaster", "Cluster"),
                member: o.members.contains(producerId))
        }
        return all.filter(\.member) + all.filter { !$0.member }
    }

    /// Puts the producer into `organisationId`.
    public func join(_ organisationId: String) -> Result<Void, UserMessage> {
        attempt { try device.addMember(organisationId: organisationId, producerId: producerId) }
    }

    /// Takes the producer out of `organisationId`.
    public func leave(_ organisationId: String) -> Result<Void, UserMessage> {
        attempt { try device.removeMember(organisationId: organisationId, producerId: producerId) }
    }

    /// Starts a cluster (`cluster`) or cooperative (`cooperative`) called `name` in `regionCode`
    /// with the producer in it; returns its id.
    public func create(kind: String, name: String, regionCode: String) -> Result<String, UserMessage> {
        attempt {
            let id = try device.createOrganisation(kind: kind, name: name, regionCode: regionCode)
            try device.addMember(organisationId: id, producerId: producerId)
            return id
        }
    }

    private func attempt<T>(_ call: () throws -> T) -> Result<T, UserMessage> { ErrorText.attempt(lang, call) }
}
