import PhotosUI
import SentraFFI
import SentraKit
import SwiftUI

/// The product editor: fields, the unit from the catalogue's list, packed weight and size
/// (volumetric weight), variants (added, priced, dropped) with their stock (restocked or
/// corrected with a reason once saved), photos (the core makes them upright, strips GPS and
/// resizes them; removed or made the cover) and deleting the product. The decisions are in
/// SentraKit's `ProductEditing`; this view draws them.
struct ProductEditorView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    let productId: String?
    @State private var name = ""
    @State private var details = ""
    @State private var category = ""
    @State private var unit = "pcs"
    @State private var price = ""
    @State private var weight = ""
    @State private var length = ""
    @State private var width = ""
    @State private var height = ""
    @State private var tiers = ""
    @State private var variants: [VariantRow] = [VariantRow()]
    @State private var savedVariants: [Variant] = []
    @State private var listed = true
    @State private var savedId: String?
    @State private var photos: [Photo] = []
    @State private var picked: PhotosPickerItem?
    @State private var errors: [String: String] = [:]
    @State private var problem: String?
    @State private var confirmDelete = false
    /// Whose product a new one is: a facilitator picks among their producers (SentraKit's ProducerPicker).
    @State private var producers: [ProducerCard] = []
    @State private var producer: String?

    var body: some View {
        Form {
            if savedId == nil && model.session?.producerId == nil {
                Picker("editor_producer", selection: $producer) {
                    Text("editor_producer_none").tag(String?.none)
                    ForEach(producers, id: \.id) { Text($0.name).tag(String?.some($0.id)) }
                }
                if let error = errors["producer_id"] { Text(error).font(.caption).foregroundStyle(.red) }
            }
            field("editor_name", $name, "name")
            // What a buyer reads on the product page: material, size, how it is made.
            VStack(alignment: .leading) {
                TextField("editor_description", text: $details, axis: .vertical).lineLimit(3...8)
                if let error = errors["description"] { Text(error).font(.caption).foregroundStyle(.red) }
            }
            field("editor_category", $category, "category")
            // The unit comes from the catalogue's list (kodi, lusin, ton, …), never free text.
            Picker("editor_unit", selection: $unit) {
                ForEach(ProductEditing.units(), id: \.self) { Text(ProductEditing.unitLabel($0, model.lang)).tag($0) }
            }
            field("editor_price", $price, "price").keyboardType(.numberPad)
            Section {
                field("editor_weight", $weight, "weight_g").keyboardType(.numberPad)
                HStack {
                    field("editor_length", $length, "length_cm").keyboardType(.numberPad)
                    field("editor_width", $width, "width_cm").keyboardType(.numberPad)
                    field("editor_height", $height, "height_cm").keyboardType(.numberPad)
                }
                if let text = ProductEditing.volumetricText(length: length, width: width, height: height, model.lang) {
                    Text(text).foregroundStyle(.secondary)
                }
            }
            field("editor_tiers", $tiers, "tiers")
            ForEach(variants.indices, id: \.self) { i in
                Section(String(format: NSLocalizedString("editor_variant", comment: ""), i + 1)) {
                    if variants[i].id == nil {
                        TextField("editor_options", text: $variants[i].options)
                        TextField("editor_stock", text: $variants[i].stock).keyboardType(.numberPad)
                    } else {
                        // A saved variant is its options: another size is another variant.
                        Text(variants[i].options)
                    }
                    TextField("editor_variant_price", text: $variants[i].price).keyboardType(.numberPad)
                    if let error = errors["variants[\(i)].price"] { Text(error).font(.caption).foregroundStyle(.red) }
                    TextField("editor_sku", text: $variants[i].sku)
                    if let id = variants[i].id, let savedId {
                        StockSection(productId: savedId, variantId: id, stock: variants[i].stock) { load() }
                    }
                    if variants.count > 1 { Button("editor_remove_variant", role: .destructive) { variants.remove(at: i) } }
                }
            }
            Button("editor_add_variant") { variants.append(VariantRow()) }
            Toggle("editor_listed", isOn: $listed)
            Section(String(format: NSLocalizedString("editor_photos", comment: ""), photos.count)) {
                ForEach(Array(photos.enumerated()), id: \.element.id) { i, photo in
                    HStack {
                        Text(String(format: NSLocalizedString("editor_photo_n", comment: ""), i + 1))
                        if i > 0 { Button("editor_photo_cover") { photoCall { try $0.reorderPhotos(ownerId: $1, photoIds: [photo.id] + photos.map(\.id).filter { $0 != photo.id }) } } }
                        Button("editor_photo_remove", role: .destructive) { photoCall { d, _ in try d.removePhoto(id: photo.id) } }
                    }
                    .buttonStyle(.borderless)
                }
                // `.compatible`: Photos hands over a JPEG, not the iPhone's HEIC original, which the core
                // refuses (heic_not_supported; see core/src/photos/DECISIONS.md).
                PhotosPicker("editor_take_photo", selection: $picked, matching: .images,
                             preferredItemEncoding: .compatible).disabled(savedId == nil)
            }
            if let problem { Text(problem).foregroundStyle(.red) }
            Button("editor_save", action: save)
            if savedId != nil { Button("editor_delete", role: .destructive) { confirmDelete = true } }
            ShareProductLink(serverUrl: model.session?.serverUrl, productId: savedId, name: name, prices: variants.map { Rupiah.parse($0.price) ?? Rupiah.parse(price) ?? 0 }, unit: unit, listed: listed)
        }
        .navigationTitle("editor_title")
        .onChange(of: picked) { item in Task { await addPhoto(item) } }
        .confirmationDialog(String(format: NSLocalizedString("editor_delete_confirm", comment: ""), name),
                            isPresented: $confirmDelete) {
            Button("editor_delete", role: .destructive, action: delete)
        }
        .task { load() }
    }

    private func field(_ label: LocalizedStringKey, _ text: Binding<String>, _ key: String) -> some View {
        VStack(alignment: .leading) {
            TextField(label, text: text)
            if let error = errors[key] { Text(error).font(.caption).foregroundStyle(.red) }
        }
    }

    private var lastPickKey: String { "last_producer.\(model.login ?? "")" }

    private func load() {
        if let device = model.device, savedId == nil && productId == nil {
            let picker = ProducerPicker(device: device, lang: model.lang)
            producers = (try? picker.choices()) ?? []
            producer = picker.initial(ownProducerId: model.session?.producerId,
                                      lastPicked: UserDefaults.standard.string(forKey: lastPickKey))
        }
        guard let id = savedId ?? productId, let device = model.device, let p = try? device.product(id: id) else { return }
        savedId = p.id
        name = p.name; details = p.description; category = p.category; unit = p.unit
        price = Rupiah.format(p.price).replacingOccurrences(of: "Rp ", with: "")
        let whole = { (n: Int64) in n == 0 ? "" : String(n) }
        weight = whole(p.weightG); length = whole(p.lengthCm); width = whole(p.widthCm); height = whole(p.heightCm)
        tiers = p.tiers.joined(separator: ", ")
        savedVariants = p.variants
        variants = p.variants.map {
            VariantRow(id: $0.id, options: $0.options.joined(separator: ", "),
                       price: $0.price.map { Rupiah.format($0).replacingOccurrences(of: "Rp ", with: "") } ?? "",
                       sku: $0.sku, stock: String($0.stock))
        }
        listed = p.status == .listed
        photos = (try? device.photos(ownerId: p.id)) ?? []
    }

    private func save() {
        guard let device = model.device else { return }
        guard let amount = Rupiah.parse(price) else {
            errors = ["price": model.lang == .id ? "Tulis harga dalam rupiah, contoh 15.000." : "Write the price in rupiah, e.g. 15.000."]
            return
        }
        let size = [weight, length, width, height].map { Int64($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
        let plan = ProductEditing.plan(saved: savedVariants, rows: variants, model.lang)
        guard plan.errors.isEmpty else { errors = plan.errors; return }
        do {
            if let savedId {
                try device.editProduct(id: savedId, changes: ProductChanges(
                    name: name, description: details, category: category, unit: unit, price: amount, weightG: size[0],
                    dimensionsCm: Dimensions(lengthCm: size[1], widthCm: size[2], heightCm: size[3]),
                    status: listed ? .listed : .unlisted))
                // New rows first, so replacing the last variant never leaves the product without one.
                for variant in plan.add { _ = try device.addVariant(productId: savedId, input: variant) }
                for (id, changes) in plan.edit { try device.editVariant(variantId: id, changes: changes) }
                for id in plan.remove { try device.removeVariant(variantId: id) }
            } else {
                let owner = ProducerPicker(device: device, lang: model.lang)
                    .owner(ownProducerId: model.session?.producerId, picked: producer)
                guard case .success(let producer) = owner else {
                    if case .failure(let message) = owner { errors = message.fields; problem = message.text }
                    return
                }
                UserDefaults.standard.set(producer, forKey: lastPickKey)
                let split = { (s: String) in s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                savedId = try device.createProduct(input: NewProductInput(
                    producerId: producer, name: name, category: category, unit: unit, price: amount,
                    description: details, weightG: size[0], lengthCm: size[1], widthCm: size[2], heightCm: size[3],
                    status: listed ? .listed : .draft, tiers: split(tiers), variants: plan.add))
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

    private func delete() {
        guard let savedId, let device = model.device else { return }
        do {
            try device.deleteProduct(id: savedId)
            dismiss()
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
    }

    private func photoCall(_ call: (SentraDevice, String) throws -> Void) {
        guard let savedId, let device = model.device else { return }
        do {
            try call(device, savedId)
            photos = try device.photos(ownerId: savedId)
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
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

/// One saved variant's stock: add what arrived, or set it to what was counted, with a reason.
struct StockSection: View {
    @EnvironmentObject var model: AppModel
    let productId: String
    let variantId: String
    let stock: String
    let changed: () -> Void
    @State private var arrived = ""
    @State private var counted = ""
    @State private var reason = ""
    @State private var history: [(text: String, delta: String)] = []
    @State private var problem: String?

    var body: some View {
        Text(String(format: NSLocalizedString("editor_stock_now", comment: ""), stock))
        HStack {
            TextField("stock_arrived", text: $arrived).keyboardType(.numberPad)
            Button("stock_add") { act { try $0.restock(variantId: variantId, quantity: Int64(arrived) ?? 0) } }
        }
        TextField("stock_counted", text: $counted).keyboardType(.numberPad)
        TextField("stock_reason", text: $reason)
        Button("stock_correct") {
            act { device in
                // The difference between what was counted and what the phone holds is one correction.
                let now = Int64(stock) ?? 0
                _ = try device.adjustStockWithReason(variantId: variantId, delta: (Int64(counted) ?? now) - now, reason: reason)
            }
        }
        if let problem { Text(problem).foregroundStyle(.red) }
        Button("stock_history") {
            history = ((try? model.device?.stockHistory(variantId: variantId, limit: 20)) ?? [])
                .map { ProductEditing.movement($0, model.lang) }
        }
        ForEach(history.indices, id: \.self) { i in Text("\(history[i].delta)  \(history[i].text)") }
    }

    private func act(_ call: (SentraDevice) throws -> Void) {
        guard let device = model.device else { return }
        do {
            try call(device)
            problem = nil
            arrived = ""; counted = ""; reason = ""
            changed()
        } catch let error as SentraError {
            problem = ErrorText.of(error, model.lang).text
        } catch {
            problem = error.localizedDescription
        }
    }
}
