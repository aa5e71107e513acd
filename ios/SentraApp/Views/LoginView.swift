import SentraFFI
import SentraKit
import SwiftUI

/// Onboarding and sign-in: server address, then phone and PIN (or a facilitator's name and
/// password). Each account gets its own database file on the phone.
struct LoginView: View {
    @EnvironmentObject var model: AppModel
    @State private var server = "https://"
    @State private var login = ""
    @State private var secret = ""
    /// Staff sign in with a password; a 6-digit PIN for this phone then guards their data.
    @State private var phonePin = ""
    @State private var problem: String?
    @State private var busy = false

    var body: some View {
        Form {
            Text("login_intro")
            TextField("login_server", text: $server).keyboardType(.URL).textInputAutocapitalization(.never)
            TextField("login_phone", text: $login).keyboardType(.phonePad)
            SecureField("login_pin", text: $secret)
            if isStaff { SecureField("login_phone_pin", text: $phonePin).keyboardType(.numberPad) }
            if let problem { Text(problem).foregroundStyle(.red) }
            Button("login_button") {
                busy = true
                Task {
                    defer { busy = false }
                    do {
                        let id = login.trimmingCharacters(in: .whitespaces)
                        let device = try await model.accounts.signIn(serverUrl: server, login: id, secret: secret)
                        // The PIN that opens this account's file on a cold start or a switch, offline.
                        try device.setUnlockPin(pin: isStaff ? phonePin : secret)
                        model.use(login: id, device: device)
                    } catch let error as SentraError {
                        problem = ErrorText.of(error, model.lang).text
                    } catch {
                        problem = error.localizedDescription
                    }
                }
            }
            .disabled(busy || login.isEmpty || secret.isEmpty || (isStaff && !Self.isPin(phonePin)))
        }
        .navigationTitle("login_title")
    }

    private var isStaff: Bool { !secret.isEmpty && !Self.isPin(secret) }

    static func isPin(_ text: String) -> Bool { text.count == 6 && text.allSatisfy(\.isNumber) }
}
