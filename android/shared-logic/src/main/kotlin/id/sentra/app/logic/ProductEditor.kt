package id.sentra.app.logic

import id.sentra.ffi.NewProductInput
import id.sentra.ffi.NewVariantInput
import id.sentra.ffi.Photo
import id.sentra.ffi.ProductChanges
import id.sentra.ffi.ProductStatus
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** One variant row of the editor, as typed. */
data class VariantDraft(
    /** The value per tier ("32", "Biru"), in the product's tier order. */
    val options: List<String> = emptyList(),
    /** Its own price, or blank for the product's price. */
    val price: String = "",
    /** Opening stock. */
    val stock: String = "0",
)

/** The product editor's fields, as typed. */
data class ProductDraft(
    val producerId: String,
    val name: String = "",
    val category: String = "",
    val unit: String = "pcs",
    val price: String = "",
    val description: String = "",
    /** Variant tier names ("Ukuran", "Warna"), at most 2. */
    val tiers: List<String> = emptyList(),
    val variants: List<VariantDraft> = listOf(VariantDraft()),
    val listed: Boolean = true,
    /** Photos taken before the first save (camera files), added right after it. */
    val pendingPhotos: List<String> = emptyList(),
)

/** What the editor shows. */
data class EditorView(
    val draft: ProductDraft,
    /** Per field (`name`, `price`, `variants[1].price`...), what to fix. */
    val errors: Map<String, String> = emptyMap(),
    val message: UserMessage? = null,
    /** The product's id once saved. */
    val savedId: String? = null,
    val photos: List<Photo> = emptyList(),
)

/**
 * The product editor: holds the typed fields, turns rupiah text into amounts, and saves
 * through the core, which checks every rule. The core's refusals come back per field.
 */
class ProductEditor(private val device: SentraDevice, private val lang: Lang, producerId: String) {
    private val state = MutableStateFlow(EditorView(ProductDraft(producerId)))

    /** The current view. */
    val view: StateFlow<EditorView> = state.asStateFlow()

    /** Changes the typed fields. */
    fun edit(change: (ProductDraft) -> ProductDraft) {
        state.value = state.value.copy(draft = change(state.value.draft))
    }

    /** Loads a saved product into the editor, to change its fields and photos. */
    fun load(id: String) {
        val p = device.product(id)
        state.value = EditorView(
            draft = ProductDraft(
                producerId = p.producerId,
                name = p.name,
                category = p.category,
                unit = p.unit,
                price = Rupiah.format(p.price).removePrefix("Rp "),
                description = p.description,
                tiers = p.tiers,
                variants = p.variants.map { v ->
                    VariantDraft(v.options, v.price?.let { Rupiah.format(it).removePrefix("Rp ") } ?: "", v.stock.toString())
                },
                listed = p.status == ProductStatus.LISTED,
            ),
            savedId = id,
            photos = device.photos(id),
        )
    }

    /**
     * Saves: creates the product the first time, then changes its fields (name, category,
     * unit, price, description, listing). Returns its id, or `null` with the problems in [view].
     * Stock of a saved product changes by restock or count correction, never by editing it.
     */
    fun save(): String? {
        val saved = state.value.savedId
        if (saved != null) return saveChanges(saved)
        val draft = state.value.draft
        val errors = mutableMapOf<String, String>()
        val price = amount(draft.price, "price", errors) ?: 0L
        val variants = draft.variants.mapIndexed { i, v ->
            NewVariantInput(
                options = v.options,
                sku = "",
                price = if (v.price.isBlank()) null else amount(v.price, "variants[$i].price", errors),
                initialStock = v.stock.trim().toLongOrNull()
                    ?: 0L.also { errors["variants[$i].initial_stock"] = lang.pick("Stok harus angka.", "Stock must be a number.") },
            )
        }
        if (errors.isNotEmpty()) {
            state.value = state.value.copy(errors = errors, message = null)
            return null
        }
        return try {
            val id = device.createProduct(
                NewProductInput(
                    producerId = draft.producerId,
                    name = draft.name,
                    category = draft.category,
                    unit = draft.unit,
                    price = price,
                    description = draft.description,
                    status = if (draft.listed) ProductStatus.LISTED else ProductStatus.DRAFT,
                    tiers = draft.tiers,
                    variants = variants,
                ),
            )
            state.value = state.value.copy(savedId = id, errors = emptyMap(), message = null)
            id
        } catch (e: SentraException) {
            val text = ErrorText.of(e, lang)
            state.value = state.value.copy(errors = text.fields, message = text)
            null
        }
    }

    private fun saveChanges(id: String): String? {
        val draft = state.value.draft
        val errors = mutableMapOf<String, String>()
        val price = amount(draft.price, "price", errors)
        if (price == null) {
            state.value = state.value.copy(errors = errors, message = null)
            return null
        }
        return try {
            device.editProduct(
                id,
                ProductChanges(
                    name = draft.name,
                    description = draft.description,
                    category = draft.category,
                    unit = draft.unit,
                    price = price,
                    status = if (draft.listed) ProductStatus.LISTED else ProductStatus.UNLISTED,
                ),
            )
            state.value = state.value.copy(errors = emptyMap(), message = null)
            id
        } catch (e: SentraException) {
            val text = ErrorText.of(e, lang)
            state.value = state.value.copy(errors = text.fields, message = text)
            null
        }
    }

    /**
     * Adds a photo the camera wrote at [path] to the saved product: the core turns it upright,
     * strips its GPS and resizes it, off the caller's thread. Returns `false` with the reason
     * in [view] when the photo is refused.
     */
    suspend fun addPhoto(path: String): Boolean {
        val id = state.value.savedId ?: run {
            edit { it.copy(pendingPhotos = it.pendingPhotos + path) }
            return true
        }
        return try {
            device.addPhoto(id, path)
            state.value = state.value.copy(photos = device.photos(id), message = null)
            true
        } catch (e: SentraException) {
            state.value = state.value.copy(message = ErrorText.of(e, lang))
            false
        }
    }

    /** Adds the photos taken before the first save; call after [save] succeeded. */
    suspend fun addPendingPhotos(): Boolean {
        val pending = state.value.draft.pendingPhotos
        edit { it.copy(pendingPhotos = emptyList()) }
        return pending.all { addPhoto(it) }
    }

    private fun amount(text: String, field: String, errors: MutableMap<String, String>): Long? =
        Rupiah.parse(text) ?: null.also {
            errors[field] = lang.pick("Tulis harga dalam rupiah, contoh 15.000.", "Write the price in rupiah, e.g. 15.000.")
        }
}
