package id.sentra.app.logic

import id.sentra.ffi.ChangeListener
import id.sentra.ffi.Change
import java.io.File
import java.nio.file.Files
import java.util.Collections

/** The real phone JPEG the suites add as a product photo (SENTRA_PHOTO). */
val PHOTO: String = System.getenv("SENTRA_PHOTO") ?: error("SENTRA_PHOTO is not set")

/** The PIN a facilitator sets for Siti. */
const val PIN = "246810"

/** A fresh directory for a test's databases. */
fun tempDir(): File = Files.createTempDirectory("sentra-test").toFile()

/** Siti's garment business, registered with an activation PIN. */
fun siti(phone: String = "0812-3456-7890") = ProducerDraft(
    businessName = "Konveksi Rowosari Jaya",
    ownerName = "Siti Aminah",
    phone = phone,
    regionCode = TestServer.REGION,
    sector = Sector.FASHION_TEXTILES,
    pin = PIN,
    pinAgain = PIN,
).consenting(true, java.time.LocalDate.of(2026, 11, 1)) // Without it, nothing of hers is public.

/** Jeans in two sizes, the second dearer. */
fun jeans(producerId: String, name: String = "Celana Jeans Rowosari") = ProductDraft(
    producerId = producerId,
    name = name,
    category = "Celana",
    unit = "pcs",
    price = "150.000",
    tiers = listOf("Ukuran"),
    variants = listOf(
        VariantDraft(options = listOf("30"), stock = "10"),
        VariantDraft(options = listOf("32"), price = "Rp 160.000", stock = "5"),
    ),
)

/** Records every change the core's bindings report. */
class Changes : ChangeListener {
    val seen: MutableList<Change> = Collections.synchronizedList(mutableListOf())
    override fun onChange(change: Change) {
        seen += change
    }
}
