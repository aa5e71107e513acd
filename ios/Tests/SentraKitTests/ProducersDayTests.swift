import SentraFFI
@testable import SentraKit
import XCTest

/// The producer's day in SentraKit's portable logic (stock, variants, sales history and voids,
/// refusals, the sync card), against the real library where a device is needed.
final class ProducersDayTests: XCTestCase {
    private func status(quarantined: Int64 = 0, offsetMs: Int64 = 0, bytes: Int64 = 0, uploading: Int64 = 0,
                        percent: Int64? = nil) -> SyncStatus {
        SyncStatus(pending: [], photosWaiting: 3, photosUploading: uploading, photosUploadingPercent: percent,
                   photosFailed: 0, photosUploaded: 0, lastSuccessMs: 1_000_000, lastError: nil,
                   quarantined: quarantined, notices: 0, clockOffsetMs: offsetMs, dataMonthBytes: bytes)
    }

    func testTheSyncCardSaysWhenWhatAndHowMuch() {
        let lines = SyncStatusText.lines(status(quarantined: 2, offsetMs: 3 * 86_400_000, bytes: 12_595, uploading: 1, percent: 45),
                                         nowMs: 1_000_000 + 5 * 60_000, .id)
        XCTAssertEqual(lines.lastSync, "Terakhir sinkron 5 menit lalu")
        XCTAssertEqual(lines.photos, "Foto: 3 menunggu, 1 sedang dikirim 45%")
        XCTAssertEqual(lines.photoPercent, 45)
        XCTAssertEqual(lines.refusals, "2 perubahan ditolak server: lihat dan putuskan.")
        XCTAssertEqual(lines.clock, "Jam ponsel terlambat 3 hari. Betulkan tanggal dan jam di Pengaturan.")
        XCTAssertEqual(lines.data, "Data bulan ini: 12,3 KB")
        XCTAssertNil(SyncStatusText.clock(60_000, .en))
        XCTAssertEqual(SyncStatusText.bytes(3_250_586, .en), "3.1 MB")
    }

    func testARefusalSaysWhatAndWhyInBothLanguages() {
        let q = Quarantined(seq: 7, entity: "product", entityId: "x", op: "create", code: "forbidden", reason: "")
        XCTAssertEqual(RefusalText.line(q, .id).what, "Produk baru")
        XCTAssertEqual(RefusalText.line(q, .id).why, "Akun ini tidak berhak mengubah data ini.")
        XCTAssertEqual(RefusalText.line(q, .en).why, "This account may not change this data.")
        XCTAssertTrue(RefusalText.line(q, .id).fixInEditor)
    }

    func testTheEditorPlansAddsEditsAndRemovals() {
        let saved = [
            Variant(id: "a", sku: "J-30", options: ["30"], price: nil, effectivePrice: 150_000, stock: 10, oversold: false),
            Variant(id: "b", sku: "J-32", options: ["32"], price: 160_000, effectivePrice: 160_000, stock: 5, oversold: false),
        ]
        let rows = [VariantRow(id: "b", options: "32", price: "165.000", sku: "J-32"), VariantRow(options: "34", stock: "4")]
        let plan = ProductEditing.plan(saved: saved, rows: rows, .id)
        XCTAssertEqual(plan.add.map(\.options), [["34"]])
        XCTAssertEqual(plan.edit.map(\.id), ["b"])
        XCTAssertEqual(plan.edit.first?.changes.price, 165_000)
        XCTAssertEqual(plan.remove, ["a"])
        XCTAssertTrue(ProductEditing.units().contains("kodi"))
        XCTAssertEqual(ProductEditing.volumetricText(length: "30", width: "20", height: "10", .id),
                       "Berat volume 1.000 g (P\u{00d7}L\u{00d7}T/6000)")
    }

    func testAVoidedSaleIsStruckOutAndItsStockComesBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let device = try SentraDevice.open(path: dir.appendingPathComponent("a.db").path)
        let producer = try device.registerProducer(input: NewProducerInput(
            businessName: "Konveksi Rowosari Jaya", ownerName: "Siti Aminah", phone: "0812-3456-7890",
            regionCode: "3327", sector: "fashion_textiles"))
        let product = try device.createProduct(input: NewProductInput(
            producerId: producer, name: "Celana Jeans", category: "Celana", unit: "pcs", price: 150_000,
            status: .listed, tiers: ["Ukuran"], variants: [NewVariantInput(options: ["30"], initialStock: 10)]))
        let variant = try device.product(id: product).variants[0].id
        _ = try device.restock(variantId: variant, quantity: 5)
        _ = try device.adjustStockWithReason(variantId: variant, delta: -2, reason: "rusak")
        XCTAssertEqual(ProductEditing.movement(try device.stockHistory(variantId: variant, limit: 1)[0], .id).text,
                       "Koreksi hitung: rusak")
        let today = ISO8601DateFormatter.string(from: Date(), timeZone: .current, formatOptions: [.withFullDate])
        let sale = try device.recordSale(input: NewSaleInput(variantId: variant, quantity: 20, channel: .marketStall, soldOn: today))
        _ = try device.voidSale(saleId: sale, reason: "salah ketik")
        let entries = try device.salesHistory(from: today, to: today, limit: 10)
        let line = SalesHistoryText.line(entries[0], .id)
        XCTAssertTrue(line.voided)
        XCTAssertEqual(line.voidText, "Dibatalkan: salah ketik")
        XCTAssertEqual(line.title, "Celana Jeans \u{00b7} 30")
        XCTAssertEqual(SalesHistoryText.total(entries), "Rp 0")
        XCTAssertEqual(try device.product(id: product).variants[0].stock, 13)
    }
}
