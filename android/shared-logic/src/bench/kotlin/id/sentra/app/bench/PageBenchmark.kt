package id.sentra.app.bench

import id.sentra.ffi.NewProducerInput
import id.sentra.ffi.NewProductInput
import id.sentra.ffi.NewVariantInput
import id.sentra.ffi.ProductPageQuery
import id.sentra.ffi.ProductStatus
import id.sentra.ffi.SentraDevice
import java.io.File
import java.nio.file.Files

/**
 * The cost of one FFI call that returns a page of 50 products, from Kotlin on the JVM: what a
 * catalogue screen pays per scroll step. 500 products with two variants each; pages at offsets
 * 0 to 450; the JIT and SQLite's cache warmed first. Prints p50/p90/p99 (goal: p50 < 1 ms).
 */
fun main() {
    val dir: File = Files.createTempDirectory("sentra-bench").toFile()
    try {
        SentraDevice.open(File(dir, "bench.db").path).use { device ->
            val producer = device.registerProducer(
                NewProducerInput(
                    businessName = "Konveksi Rowosari Jaya", ownerName = "Siti Aminah", phone = "0812-3456-7890",
                    regionCode = "3327", sector = "fashion_textiles",
                ),
            )
            repeat(500) { i ->
                device.createProduct(
                    NewProductInput(
                        producerId = producer, name = "Celana Jeans model %03d".format(i), category = "Celana",
                        unit = "pcs", price = 150_000L + i, status = ProductStatus.LISTED, tiers = listOf("Ukuran"),
                        variants = listOf(
                            NewVariantInput(options = listOf("30"), initialStock = 10),
                            NewVariantInput(options = listOf("32"), price = 160_000L, initialStock = 5),
                        ),
                    ),
                )
            }
            val page = { i: Int -> ProductPageQuery(offset = (i % 10) * 50L, limit = 50) }
            repeat(500) { device.listProducts(page(it)) }
            val n = 2_000
            val pages = LongArray(n)
            for (i in 0 until n) {
                val started = System.nanoTime()
                val rows = device.listProducts(page(i))
                pages[i] = System.nanoTime() - started
                check(rows.size == 50) { "a page held ${rows.size} rows" }
            }
            val trivial = LongArray(n)
            repeat(500) { device.deviceId() }
            for (i in 0 until n) {
                val started = System.nanoTime()
                device.deviceId()
                trivial[i] = System.nanoTime() - started
            }
            pages.sort()
            trivial.sort()
            fun ms(sorted: LongArray, q: Double) = sorted[((sorted.size - 1) * q).toInt()] / 1e6
            println(
                "list_products (50-product page) from Kotlin/JVM: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (n=%d, 500 products, offsets 0-450)"
                    .format(ms(pages, 0.5), ms(pages, 0.9), ms(pages, 0.99), n),
            )
            println("device_id (a trivial FFI call) from Kotlin/JVM: p50 %.4f ms".format(ms(trivial, 0.5)))
        }
    } finally {
        dir.deleteRecursively()
    }
}
