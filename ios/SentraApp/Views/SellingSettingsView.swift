import PhotosUI
import SentraFFI
import SentraKit
import SwiftUI

/// "Pengiriman & pembayaran": how the producer delivers and is paid, and their WhatsApp. The
/// decisions are in SentraKit's `Selling`; this view only draws them.
struct SellingSettingsView: View {
    @EnvironmentObject var model: AppModel
    let producerId: String
    @State private var draft = SellingDraft()
    @State private var errors: [String: String] = [:]
    @State private var summary: [String] = []
    @State private var warnings: [String] = []
    @State private var problem: String?
    @State private var picked: PhotosPickerItem?

    var body: some View {
        Form {
            Section(model.lang == .id ? "Cara pengiriman" : "How you deliver") {
                Toggle(model.lang == .id ? "Pembeli boleh ambil sendiri" : "Buyers may pick up", isOn: $draft.pickup)
                if draft.pickup {
                    TextField(model.lang == .id ? "Tempat ambil" : "Where to pick up", text: $draft.pickupPlace)
                    if let e = errors["delivery_pickup"] { Text(e).foregroundStyle(.red) }
                }
                Picker(model.lang == .id ? "Kurir" : "Courier", selection: $draft.courierMode) {
                    Text(model.lang == .id ? "Tanpa kurir" : "No courier").tag(CourierMode.none)
                    Text(model.lang == .id ? "Ongkir tetap" : "One fee per order").tag(CourierMode.flat)
                    Text(model.lang == .id ? "Per kg menurut wilayah" : "Per kg by zone").tag(CourierMode.perKg)
                }
                switch draft.courierMode {
                case .flat:
                    TextField("Rp", text: $draft.flatFee).keyboardType(.numberPad)
                case .perKg:
                    TextField(model.lang == .id ? "Per kg dalam kabupaten/kota" : "Per kg within the regency", text: $draft.rateRegency).keyboardType(.numberPad)
                    TextField(model.lang == .id ? "Per kg dalam provinsi" : "Per kg within the province", text: $draft.rateProvince).keyboardType(.numberPad)
                    TextField(model.lang == .id ? "Per kg luar provinsi (kosong: tidak dikirim)" : "Per kg outside (empty: not delivered)", text: $draft.rateNational).keyboardType(.numberPad)
                case .none:
                    EmptyView()
                }
                if let e = errors["delivery_courier"] { Text(e).foregroundStyle(.red) }
            }
            Section(model.lang == .id ? "Cara pembayaran" : "How you are paid") {
                Toggle(model.lang == .id ? "Transfer bank" : "Bank transfer", isOn: $draft.bank)
                if draft.bank {
                    TextField("Bank", text: $draft.bankName)
                    TextField(model.lang == .id ? "Nomor rekening" : "Account number", text: $draft.accountNumber).keyboardType(.numberPad)
                    TextField(model.lang == .id ? "Atas nama" : "Account holder", text: $draft.accountHolder)
                    if let e = errors["payment_bank"] { Text(e).foregroundStyle(.red) }
                }
                // `.compatible`: a JPEG, not the iPhone's HEIC original, which the core refuses.
                PhotosPicker(draft.qrisHash == nil ? (model.lang == .id ? "Foto kode QRIS" : "Photograph the QRIS code")
                                                   : (model.lang == .id ? "Ganti foto QRIS" : "Replace the QRIS photo"),
                             selection: $picked, matching: .images, preferredItemEncoding: .compatible)
                Toggle(model.lang == .id ? "Bayar di tempat (COD)" : "Cash on delivery (COD)", isOn: $draft.cod)
                TextField("WhatsApp", text: $draft.whatsapp).keyboardType(.phonePad)
                if let e = errors["contact_whatsapp"] { Text(e).foregroundStyle(.red) }
            }
            if !warnings.isEmpty || !summary.isEmpty {
                Section(model.lang == .id ? "Yang dilihat pembeli" : "Buyers will see") {
                    ForEach(warnings, id: \.self) { Text($0).foregroundStyle(.orange) }
                    ForEach(summary, id: \.self) { Text($0) }
                }
            }
            if let problem { Text(problem).foregroundStyle(.red) }
            Button(model.lang == .id ? "Simpan" : "Save", action: save)
        }
        .navigationTitle(model.lang == .id ? "Pengiriman & pembayaran" : "Delivery & payment")
        .task(id: model.version) { load() }
        .onChange(of: picked) { item in Task { await setQris(item) } }
    }

    private func setQris(_ item: PhotosPickerItem?) async {
        guard let item, let device = model.device,
              let data = try? await item.loadTransferable(type: Data.self) else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".jpg")
        do {
            try data.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            _ = try await device.setQrisPhoto(producerId: producerId, sourcePath: file.path)
            load()
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
    }

    private func load() {
        guard let saved = try? model.device?.selling(producerId: producerId) else { return }
        draft = SellingDraft(saved)
        summary = Selling.summary(saved, model.lang)
        warnings = Selling.warnings(saved, model.lang)
    }

    private func save() {
        let (settings, formErrors) = Selling.settings(of: draft, model.lang)
        guard let settings else {
            errors = formErrors
            return
        }
        do {
            try model.device?.setSelling(producerId: producerId, settings: settings)
            errors = [:]
            problem = nil
            load()
        } catch let error as SentraError {
            let message = ErrorText.of(error, model.lang)
            errors = message.fields
            problem = message.text
        } catch {}
    }
}
