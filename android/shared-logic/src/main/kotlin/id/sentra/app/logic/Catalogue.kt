package id.sentra.app.logic

import id.sentra.ffi.ProductPageQuery
import id.sentra.ffi.ProductRow
import id.sentra.ffi.ProductStatus
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** One product as the catalogue list draws it. */
data class ProductCard(
    val id: String,
    val name: String,
    /** "Rp 150.000" or "Rp 150.000 – Rp 160.000" over its variants. */
    val priceText: String,
    /** "Stok 13" / "Stock 13", or "Habis" / "Sold out". */
    val stockText: String,
    /** More was sold than was in stock: the seller must check. */
    val oversold: Boolean,
    /** Shown in the storefront: listed, and not refused by the server. */
    val listed: Boolean,
    /** Content hash of the cover photo, for the image loader. */
    val coverPhoto: String?,
    /** The server refused a change to it: it is not in the storefront whatever its status. */
    val refused: Boolean = false,
    /** "Tayang", "Draf", "Tidak tayang", or "Ditolak server": the badge on the card. */
    val statusText: String = "",
)

/** What the catalogue screen shows. */
data class CatalogueView(
    val search: String = "",
    val products: List<ProductCard> = emptyList(),
    val endReached: Boolean = false,
    val error: UserMessage? = null,
)

/**
 * The catalogue screen's state: one page of products per call to the core (50 rows), more
 * pages as the list scrolls, and a search box. Call from a background thread (each call reads
 * the database); collect [view] on the UI thread.
 */
class CatalogueState(
    private val device: SentraDevice,
    private val lang: Lang,
    private val producerId: String? = null,
    private val pageSize: Long = 50,
) {
    private val state = MutableStateFlow(CatalogueView())

    /** The current view. */
    val view: StateFlow<CatalogueView> = state.asStateFlow()

    /** Shows the first page of products matching [text] (all products for blank text). */
    fun search(text: String) {
        state.value = CatalogueView(search = text)
        loadMore()
    }

    /** Appends the next page, unless the last one was short. */
    fun loadMore() {
        val current = state.value
        if (current.endReached) return
        state.value = try {
            val rows = page(current.search, current.products.size.toLong(), pageSize)
            val refused = device.refusedProducts().toSet()
            current.copy(
                products = current.products + rows.map { card(it, refused) },
                endReached = rows.size < pageSize,
                error = null,
            )
        } catch (e: SentraException) {
            current.copy(error = ErrorText.of(e, lang))
        }
    }

    /** Reloads what is shown (after a change or a sync), keeping as many rows. */
    fun refresh() {
        val current = state.value
        val wanted = maxOf(pageSize, current.products.size.toLong())
        state.value = try {
            val rows = mutableListOf<ProductRow>()
            while (rows.size < wanted) {
                val page = page(current.search, rows.size.toLong(), minOf(200L, wanted - rows.size))
                rows += page
                if (page.isEmpty()) break
            }
            val refused = device.refusedProducts().toSet()
            current.copy(products = rows.map { card(it, refused) }, endReached = rows.size < wanted, error = null)
        } catch (e: SentraException) {
            current.copy(error = ErrorText.of(e, lang))
        }
    }

    private fun page(search: String, offset: Long, limit: Long): List<ProductRow> =
        device.listProducts(
            ProductPageQuery(
                producerId = producerId,
                search = search.trim().ifEmpty { null },
                offset = offset,
                limit = limit,
            ),
        )

    private fun card(row: ProductRow, refused: Set<String>): ProductCard {
        val isRefused = row.id in refused
        return ProductCard(
            id = row.id,
            name = row.name,
            priceText = priceRange(row.minPrice, row.maxPrice),
            stockText = if (row.totalStock <= 0) lang.pick("Habis", "Sold out") else lang.pick("Stok ", "Stock ") + row.totalStock,
            oversold = row.oversold,
            listed = row.status == ProductStatus.LISTED && !isRefused,
            coverPhoto = row.coverPhoto,
            refused = isRefused,
            statusText = when {
                isRefused -> lang.pick("Ditolak server", "Refused by the server")
                row.status == ProductStatus.LISTED -> lang.pick("Tayang", "Listed")
                row.status == ProductStatus.DRAFT -> lang.pick("Draf", "Draft")
                else -> lang.pick("Tidak tayang", "Unlisted")
            },
        )
    }

    companion object {
        /** "Rp 150.000", or "Rp 150.000 – Rp 160.000" when variants differ in price. */
        fun priceRange(min: Long, max: Long): String =
            if (min == max) Rupiah.format(min) else "${Rupiah.format(min)} – ${Rupiah.format(max)}"
    }
}
