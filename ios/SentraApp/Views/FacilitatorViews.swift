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
                Text("\(p.ownerName) · \(p.regionCode)").foregroundStyle(.secondary)
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
            row("producer_region", $region, "region_code").keyboardType(.numberPad)
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
    private static func today() -> String {
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

/// Switch account on a shared phone: pick an account and enter its PIN; the server checks it.
struct SwitchAccountView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
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
        }
        .navigationTitle("nav_switch")
    }

    private func switchAccount() {
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
