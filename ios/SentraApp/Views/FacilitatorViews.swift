import SentraFFI
import SentraKit
import SwiftUI

/// Facilitator mode: the producers this facilitator registered.
struct ProducersView: View {
    @EnvironmentObject var model: AppModel
    @State private var producers: [ProducerCard] = []
    @State private var problem: String?

    var body: some View {
        List {
            if let problem { Text(problem).foregroundStyle(.red) }
            ForEach(producers, id: \.id) { p in
                VStack(alignment: .leading) {
                    Text(p.name)
                    Text("\(p.owner) · \(p.region)").foregroundStyle(.secondary)
                    if let date = p.consent {
                        Text(String(format: NSLocalizedString("producer_consent_given", comment: ""), date)).font(.caption)
                    } else {
                        HStack {
                            Text("producer_consent_missing").font(.caption)
                            // Consent recorded on the phone when the producer agrees after registering.
                            Button("producer_consent_record") { recordConsent(p.id) }
                        }
                    }
                    NavigationLink("producer_clusters") { ClustersView(producer: p) }
                }
            }
        }
        .toolbar { NavigationLink("nav_register") { RegisterProducerView() } }
        .navigationTitle("nav_producers")
        .task(id: model.version) { reload() }
    }

    private func reload() {
        guard let device = model.device else { return }
        producers = (try? ProducerDirectory(device: device, lang: model.lang).producers()) ?? []
    }

    private func recordConsent(_ id: String) {
        guard let device = model.device else { return }
        if case .failure(let message) = ProducerDirectory(device: device, lang: model.lang).recordConsent(id, given: true) {
            problem = message.text
        } else {
            problem = nil
        }
        reload()
    }
}

/// Facilitator mode: register a producer offline, with the PIN for their own phone.
struct RegisterProducerView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var draft = ProducerDraft()
    @State private var errors: [String: String] = [:]
    @State private var problem: String?

    var body: some View {
        Form {
            row("producer_business", $draft.businessName, "business_name")
            row("producer_owner", $draft.ownerName, "owner_name")
            row("login_phone", $draft.phone, "phone").keyboardType(.phonePad)
            RegionField(code: $draft.regionCode, error: errors["region_code"])
            Picker("producer_sector", selection: $draft.sector) {
                ForEach(Sector.allCases, id: \.self) { Text($0.label(model.lang)).tag($0) }
            }
            row("producer_address", $draft.address, "address")
            row("producer_workforce", $draft.workforce, "workforce").keyboardType(.numberPad)
            SecureField("producer_pin", text: $draft.pin).keyboardType(.numberPad)
            if let error = errors["activation_pin"] { Text(error).font(.caption).foregroundStyle(.red) }
            SecureField("producer_pin_again", text: $draft.pinAgain).keyboardType(.numberPad)
            Toggle("producer_consent", isOn: Binding(get: { draft.consentDate != nil }, set: { draft.consent($0) }))
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

    private func register() {
        guard let device = model.device else { return }
        switch ProducerDirectory(device: device, lang: model.lang).register(draft) {
        case .success:
            dismiss()
        case .failure(let message):
            errors = message.fields
            problem = message.text
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
            Text("switch_offline").foregroundStyle(.secondary)
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
            let outcome = try model.accounts.switchTo(chosen, pin: secret)
            switch outcome {
            case .opened(let device):
                model.use(login: chosen, device: device)
                dismiss()
                return
            case .wrongPin, .locked:
                problem = outcome.problem(model.lang)
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
            if let chosen = RegionSearch.label(code) { Text(chosen).font(.caption) }
            if query.count >= 3 {
                ForEach(RegionSearch.find(query, limit: 8), id: \.code) { region in
                    Button(region.label) {
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
    let producer: ProducerCard
    @State private var organisations: [OrganisationCard] = []
    @State private var name = ""
    @State private var problem: String?

    var body: some View {
        List {
            if let problem { Text(problem).foregroundStyle(.red) }
            ForEach(organisations, id: \.id) { o in
                HStack {
                    VStack(alignment: .leading) {
                        Text(o.name)
                        Text(o.kindText).foregroundStyle(.secondary)
                    }
                    Spacer()
                    if o.member {
                        Button("clusters_leave") { act { $0.leave(o.id) } }
                    } else {
                        Button("clusters_join") { act { $0.join(o.id) } }
                    }
                }
            }
            TextField("clusters_new_name", text: $name)
            Button("clusters_create") {
                act { clusters in
                    clusters.create(kind: "cluster", name: name, regionCode: producer.regionCode).map { _ in name = "" }
                }
            }
            .disabled(name.isEmpty)
        }
        .navigationTitle("clusters_title")
        .task(id: model.version) { reload() }
    }

    private var clusters: Clusters? {
        model.device.map { Clusters(device: $0, lang: model.lang, producerId: producer.id) }
    }

    private func reload() { organisations = (try? clusters?.cards()) ?? [] }

    private func act(_ change: (Clusters) -> Result<Void, UserMessage>) {
        guard let clusters else { return }
        if case .failure(let message) = change(clusters) { problem = message.text } else { problem = nil }
        reload()
    }
}
