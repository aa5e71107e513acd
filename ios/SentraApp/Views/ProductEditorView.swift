import PhotosUI
import SentraFFI
import SentraKit
import SwiftUI

/// The product editor: fields, variants with opening stock, and photos (the core makes them
/// upright, strips GPS and resizes them).
struct ProductEditorView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    let productId: String?
    @State private var name = ""
    @State private var category = ""
    @State private var unit = "pcs"
    @State private var price = ""
    @State private var tiers = ""
    @State private var variants: [(options: String, price: String, stock: String)] = [("", "", "0")]
    @State private var listed = true
    @State private var savedId: String?
    @State private var photos: [Photo] = []
    @State private var picked: PhotosPickerItem?
    @State private var errors: [String: String] = [:]
    @State private var problem: String?

    var body: some View {
        Form {
            field("editor_name", $name, "name")
            field("editor_category", $category, "category")
            field("editor_unit", $unit, "unit")
            field("editor_price", $price, "price").keyboardType(.numberPad)
            field("editor_tiers", $tiers, "tiers")
            ForEach(variants.indices, id: \.self) { i in
                Section(String(format: NSLocalizedString("editor_variant", comment: ""), i + 1)) {
                    TextField("editor_options", text: $variants[i].options)
                    TextField("editor_variant_price", text: $variants[i].price).keyboardType(.numberPad)
                    if savedId == nil { TextField("editor_stock", text: $variants[i].stock).keyboardType(.numberPad) }
                }
            }
            if savedId == nil { Button("editor_add_variant") { variants.append(("", "", "0")) } }
            Toggle("editor_listed", isOn: $listed)
            Section(String(format: NSLocalizedString("editor_photos", comment: ""), photos.count)) {
                // `.compatible`: Photos hands over a JPEG, not the iPhone's HEIC original, which the core
                // refuses (heic_not_supported; see core/src/photos/DECISIONS.md).
                PhotosPicker("editor_take_photo", selection: $picked, matching: .images,
                             preferredItemEncoding: .compatible).disabled(savedId == nil)
            }
            if let problem { Text(problem).foregroundStyle(.red) }
            Button("editor_save", action: save)
            ShareProductLink(serverUrl: model.session?.serverUrl, productId: savedId, name: name, prices: variants.map { Rupiah.parse($0.price) ?? Rupiah.parse(price) ?? 0 }, unit: unit, listed: listed)
        }
        .navigationTitle("editor_title")
        .onChange(of: picked) { item in Task { await addPhoto(item) } }
        .task { load() }
    }

    private func field(_ label: LocalizedStringKey, _ text: Binding<String>, _ key: String) -> some View {
        VStack(alignment: .leading) {
            TextField(label, text: text)
            if let error = errors[key] { Text(error).font(.caption).foregroundStyle(.red) }
        }
    }

    private func load() {
        guard let productId, let device = model.device, let p = try? device.product(id: productId) else { return }
        savedId = p.id
        name = p.name; category = p.category; unit = p.unit
        price = Rupiah.format(p.price).replacingOccurrences(of: "Rp ", with: "")
        tiers = p.tiers.joined(separator: ", ")
        variants = p.variants.map { ($0.options.joined(separator: ", "), $0.price.map { String($0) } ?? "", String($0.stock)) }
        listed = p.status == .listed
        photos = (try? device.photos(ownerId: p.id)) ?? []
    }

    private func save() {
        guard let device = model.device else { return }
        guard let amount = Rupiah.parse(price) else {
            errors = ["price": model.lang == .id ? "Tulis harga dalam rupiah, contoh 15.000." : "Write the price in rupiah, e.g. 15.000."]
            return
        }
        do {
            if let savedId {
                try device.editProduct(id: savedId, changes: ProductChanges(
                    name: name, category: category, unit: unit, price: amount, status: listed ? .listed : .unlisted))
            } else {
                let producer = model.session?.producerId ?? ((try? device.producers(onlyMine: true, offset: 0, limit: 1))?.first?.id ?? "")
                let split = { (s: String) in s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                savedId = try device.createProduct(input: NewProductInput(
                    producerId: producer, name: name, category: category, unit: unit, price: amount,
                    status: listed ? .listed : .draft, tiers: split(tiers),
                    variants: variants.map { NewVariantInput(options: split($0.options), price: Rupiah.parse($0.price),
                                                             initialStock: Int64($0.stock) ?? 0) }))
            }
            errors = [:]
            problem = nil
            dismiss()
        } catch let error as SentraError {
            let message = ErrorText.of(error, model.lang)
            errors = message.fields
            problem = message.text
        } catch {
            problem = error.localizedDescription
        }
    }

    private func addPhoto(_ item: PhotosPickerItem?) async {
        guard let item, let savedId, let device = model.device,
              let data = try? await item.loadTransferable(type: Data.self) else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".jpg")
        do {
            try data.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            _ = try await device.addPhoto(ownerId: savedId, sourcePath: file.path)
            photos = try device.photos(ownerId: savedId)
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
    }
}
