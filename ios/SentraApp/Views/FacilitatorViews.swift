import SentraFFI
import SentraKit
import SwiftUI

/// Facilitator mode: the producers this facilitator registered.
struct ProducersView: View {
    @EnvironmentObject var model: AppModel
    @State private var producers: [Producer] = []

    var body: some View {
        List(producers, id: \.id) { p in
            VStack(alignment: .leading) {
                Text(p.businessName)
                Text("\(p.ownerName) · \(regionOf(code: p.regionCode)?.name ?? p.regionCode)").foregroundStyle(.secondary)
                if let date = p.consentDate {
                    Text(String(format: NSLocalizedString("producer_consent_given", comment: ""), date)).font(.caption)
                } else {
                    HStack {
                        Text("producer_consent_missing").font(.caption)
                        // Consent recorded on the phone when the producer agrees after registering.
                        Button("producer_consent_record") {
                            try? model.device?.editProducer(id: p.id, changes: ProducerChanges(
                                consentPublish: true, consentDate: RegisterProducerView.today()))
                        }
                    }
                }
                NavigationLink("producer_clusters") { ClustersView(producer: p) }
            }
        }
        .toolbar { NavigationLink("nav_register") { RegisterProducerView() } }
        .navigationTitle("nav_producers")
        .task(id: model.version) { producers = (try? model.device?.producers(onlyMine: true, offset: 0, limit: 200)) ?? [] }
    }
}

/// Facilitator mode: register a producer offline, with the PIN for their own phone.
struct RegisterProducerView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var business = ""
    @State private var owner = ""
    @State private var phone = ""
    @State private var region = ""
    @State private var sector = "fashion_textiles"
    @State private var pin = ""
    @State private var pinAgain = ""
    @State private var consent = false
    @State private var errors: [String: String] = [:]
    @State private var problem: String?
    private let sectors = ["fashion_textiles", "food_beverage", "crafts", "processed_agriculture", "other"]

    var body: some View {
        Form {
            row("producer_business", $business, "business_name")
            row("producer_owner", $owner, "owner_name")
            row("login_phone", $phone, "phone").keyboardType(.phonePad)
            RegionField(code: $region, error: errors["region_code"])
            Picker("producer_sector", selection: $sector) {
                ForEach(sectors, id: \.self) { Text(LocalizedStringKey("sector_\($0)")).tag($0) }
            }
            SecureField("producer_pin", text: $pin).keyboardType(.numberPad)
            SecureField("producer_pin_again", text: $pinAgain).keyboardType(.numberPad)
            Toggle("producer_consent", isOn: $consent)
            if let problem { Text(problem).foregroundStyle(.red) }
            Button("producer_save", action: register)
        }
        .navigationTitle("nav_register")
    }

    private func row(_ label: LocalizedStringKey, _ text: Binding<String>, _ key: String) -> some View {
        VStack(alignment: .leading) {
            TextField(label, text: text)
            if let error = errors[key] { Text(error).font(.caption).foregroundStyle(.red) }
        }
    }

    /// Today as `YYYY-MM-DD`, the day the producer's consent is recorded.
    static func today() -> String {
        let format = DateFormatter()
        format.calendar = Calendar(identifier: .gregorian)
        format.locale = Locale(identifier: "en_US_POSIX")
        format.dateFormat = "yyyy-MM-dd"
        return format.string(from: Date())
    }

    private func register() {
        guard pin == pinAgain else {
            problem = NSLocalizedString("producer_pin_mismatch", comment: "")
            return
        }
        do {
            _ = try model.device?.registerProducer(input: NewProducerInput(
                businessName: business, ownerName: owner, phone: phone, regionCode: region, sector: sector,
                consentPublish: consent, consentDate: consent ? Self.today() : nil,
                activationPin: pin.isEmpty ? nil : pin))
            dismiss()
        } catch let error as SentraError {
            let message = ErrorText.of(error, model.lang)
            errors = message.fields
            problem = message.text
        } catch {
            problem = error.localizedDescription
        }
    }
}

/// Switch account on a shared phone: pick an account and enter its PIN, checked offline by the
/// core against the hash in that account's own file; an account without a PIN here signs in.
struct SwitchAccountView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    let preselect: String?
    @State private var chosen = ""
    @State private var secret = ""
    @State private var problem: String?

    var body: some View {
        Form {
            ForEach(model.accounts.known(), id: \.login) { account in
                Button { chosen = account.login } label: {
                    Text(chosen == account.login ? "✓ \(account.login) (\(account.role))" : "\(account.login) (\(account.role))")
                }
            }
            Text("switch_needs_network").foregroundStyle(.secondary)
            SecureField("login_pin", text: $secret)
            if let problem { Text(problem).foregroundStyle(.red) }
            Button("switch_button", action: switchAccount).disabled(chosen.isEmpty || secret.isEmpty)
            NavigationLink("switch_other_account") { LoginView() }
        }
        .navigationTitle("nav_switch")
        .onAppear { if chosen.isEmpty { chosen = preselect ?? model.accounts.known().first?.login ?? "" } }
    }

    private func switchAccount() {
        do {
            switch try model.accounts.switchTo(chosen, pin: secret) {
            case .opened(let device):
                model.use(login: chosen, device: device)
                dismiss()
                return
            case .wrongPin(let left):
                problem = model.lang == .id ? "PIN salah. Sisa \(left) kali coba." : "Wrong PIN. \(left) tries left."
                return
            case .locked:
                problem = model.lang == .id ? "Terlalu banyak PIN salah. Coba lagi 15 menit lagi."
                    : "Too many wrong PINs. Try again in 15 minutes."
                return
            case .needsSignIn:
                break
            }
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
            return
        } catch {
            problem = error.localizedDescription
            return
        }
        // No PIN on this phone yet: the server checks the secret once.
        guard let server = Keychain.load(chosen)?.serverUrl ?? model.session?.serverUrl else { return }
        Task {
            do {
                let device = try await model.accounts.signIn(serverUrl: server, login: chosen, secret: secret)
                model.use(login: chosen, device: device)
                dismiss()
            } catch let error as SentraError {
                problem = ErrorText.of(error, model.lang).text
            } catch {
                problem = error.localizedDescription
            }
        }
    }
}

/// The region field: type a name ("pemalang"), pick "Kabupaten Pemalang, Jawa Tengah"; the form
/// keeps the Kemendagri code.
struct RegionField: View {
    @Binding var code: String
    let error: String?
    @State private var query = ""

    var body: some View {
        VStack(alignment: .leading) {
            TextField("producer_region_search", text: $query)
            if let chosen = regionOf(code: code) { Text("\(chosen.name), \(chosen.province)").font(.caption) }
            if query.count >= 3 {
                ForEach(searchRegions(query: query, limit: 8), id: \.code) { region in
                    Button("\(region.name), \(region.province)") {
                        code = region.code
                        query = ""
                    }
                }
            }
            if let error { Text(error).font(.caption).foregroundStyle(.red) }
        }
    }
}

/// A producer's clusters and cooperatives: join, leave, or start one in their region. The
/// server applies the same rules as the web's member page.
struct ClustersView: View {
    @EnvironmentObject var model: AppModel
    let producer: Producer
    @State private var organisations: [Organisation] = []
    @State private var name = ""
    @State private var problem: String?

    var body: some View {
        List {
            if let problem { Text(problem).foregroundStyle(.red) }
            ForEach(organisations, id: \.id) { o in
                HStack {
                    VStack(alignment: .leading) {
                        Text(o.name)
                        Text(LocalizedStringKey(o.kind == "cooperative" ? "clusters_kind_cooperative" : "clusters_kind_cluster"))
                            .foregroundStyle(.secondary)
                    }
                    Spacer()
                    if o.members.contains(producer.id) {
                        Button("clusters_leave") { act { try model.device?.removeMember(organisationId: o.id, producerId: producer.id) } }
                    } else {
                        Button("clusters_join") { act { try model.device?.addMember(organisationId: o.id, producerId: producer.id) } }
                    }
                }
            }
            TextField("clusters_new_name", text: $name)
            Button("clusters_create") {
                act {
                    if let id = try model.device?.createOrganisation(kind: "cluster", name: name, regionCode: producer.regionCode) {
                        try model.device?.addMember(organisationId: id, producerId: producer.id)
                    }
                    name = ""
                }
            }
            .disabled(name.isEmpty)
        }
        .navigationTitle("clusters_title")
        .task(id: model.version) { organisations = (try? model.device?.organisations()) ?? [] }
    }

    private func act(_ change: () throws -> Void) {
        do {
            try change()
            problem = nil
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
        organisations = (try? model.device?.organisations()) ?? []
    }
}
