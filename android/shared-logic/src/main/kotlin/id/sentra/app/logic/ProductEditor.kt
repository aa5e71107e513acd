package id.sentra.app.logic

import id.sentra.ffi.NewProductInput
import id.sentra.ffi.NewVariantInput
import id.sentra.ffi.Photo
import id.sentra.ffi.ProductChanges
import id.sentra.ffi.ProductStatus
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SentraException
import id.sentra.ffi.Variant
import id.sentra.ffi.VariantChanges
import id.sentra.ffi.Dimensions
import id.sentra.ffi.productUnits
import id.sentra.ffi.volumetricWeightG
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/** One variant row of the editor, as typed. */
data class VariantDraft(
    /** The value per tier ("32", "Biru"), in the product's tier order. */
    val options: List<String> = emptyList(),
    /** Its own price, or blank for the product's price. */
    val price: String = "",
    /** Opening stock (a saved variant's stock changes by restock or correction, not here). */
    val stock: String = "0",
    /** The saved variant's id; `null` for a row added since the last save. */
    val id: String? = null,
    /** Its SKU (blank: the core makes one). */
    val sku: String = "",
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
    /** Packed weight in grams, and packed length, width and height in cm (blank: 0). */
    val weightG: String = "",
    val lengthCm: String = "",
    val widthCm: String = "",
    val heightCm: String = "",
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
    /** The variants as last saved, to tell what the user added, edited or removed. */
    val savedVariants: List<Variant> = emptyList(),
    /** The product was deleted: the screen closes. */
    val deleted: Boolean = false,
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

    /** Loads a saved product into the editor, to change its fields, variants and photos. */
    fun load(id: String) {
        val p = device.product(id)
        fun whole(n: Long) = if (n == 0L) "" else n.toString()
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
                    VariantDraft(
                        options = v.options,
                        price = v.price?.let { Rupiah.format(it).removePrefix("Rp ") } ?: "",
                        stock = v.stock.toString(),
                        id = v.id,
                        sku = v.sku,
                    )
                },
                listed = p.status == ProductStatus.LISTED,
                weightG = whole(p.weightG),
                lengthCm = whole(p.lengthCm),
                widthCm = whole(p.widthCm),
                heightCm = whole(p.heightCm),
            ),
            savedId = id,
            photos = device.photos(id),
            savedVariants = p.variants,
        )
    }

    /** Adds an empty variant row (one option per tier); it is saved with the product. */
    fun addVariantRow() = edit { d ->
        d.copy(variants = d.variants + VariantDraft(options = List(maxOf(1, d.tiers.size)) { "" }))
    }

    /** Drops the variant row at [index]; a saved one leaves sale when the product is saved. */
    fun removeVariantRow(index: Int) = edit { d ->
        d.copy(variants = d.variants.filterIndexed { i, _ -> i != index })
    }

    /**
     * Saves: creates the product the first time; afterwards changes its fields (name, category,
     * unit, price, description, weight, size, listing) and its variants: rows added are added,
     * rows whose price or SKU changed are edited, rows dropped leave sale. Returns its id, or
     * `null` with the problems in [view]. Stock of a saved variant changes by restock or count
     * correction ([StockActions]), never by editing it.
     */
    fun save(): String? {
        val saved = state.value.savedId
        if (saved != null) return saveChanges(saved)
        val draft = state.value.draft
        val errors = mutableMapOf<String, String>()
        val price = amount(draft.price, "price", errors) ?: 0L
        val size = measures(draft, errors)
        val variants = draft.variants.mapIndexed { i, v -> newVariant(v, i, errors) }
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
                    weightG = size[0],
                    lengthCm = size[1],
                    widthCm = size[2],
                    heightCm = size[3],
                    status = if (draft.listed) ProductStatus.LISTED else ProductStatus.DRAFT,
                    tiers = draft.tiers,
                    variants = variants,
                ),
            )
            state.value = state.value.copy(
                savedId = id,
                errors = emptyMap(),
                message = null,
                savedVariants = device.product(id).variants,
            )
            id
        } catch (e: SentraException) {
            val text = ErrorText.of(e, lang)
            state.value = state.value.copy(errors = text.fields, message = text)
            null
        }
    }

    private fun newVariant(v: VariantDraft, i: Int, errors: MutableMap<String, String>) = NewVariantInput(
        options = v.options,
        sku = v.sku.trim(),
        price = if (v.price.isBlank()) null else amount(v.price, "variants[$i].price", errors),
        initialStock = v.stock.trim().toLongOrNull()
            ?: 0L.also { errors["variants[$i].initial_stock"] = lang.pick("Stok harus angka.", "Stock must be a number.") },
    )

    /** Weight, length, width, height as whole numbers (blank is 0); a problem per field. */
    private fun measures(draft: ProductDraft, errors: MutableMap<String, String>): List<Long> =
        listOf("weight_g" to draft.weightG, "length_cm" to draft.lengthCm, "width_cm" to draft.widthCm, "height_cm" to draft.heightCm)
            .map { (field, text) ->
                if (text.isBlank()) {
                    0L
                } else {
                    text.trim().toLongOrNull() ?: 0L.also {
                        errors[field] = lang.pick("Tulis angka bulat.", "Write a whole number.")
                    }
                }
            }

    private fun saveChanges(id: String): String? {
        val draft = state.value.draft
        val errors = mutableMapOf<String, String>()
        val price = amount(draft.price, "price", errors)
        val size = measures(draft, errors)
        val before = state.value.savedVariants.associateBy { it.id }
        val prices = draft.variants.mapIndexed { i, v ->
            if (v.price.isBlank()) null else amount(v.price, "variants[$i].price", errors)
        }
        val added = draft.variants.withIndex().filter { it.value.id == null }
            .map { (i, v) -> newVariant(v, i, errors) }
        if (price == null || errors.isNotEmpty()) {
            state.value = state.value.copy(errors = errors, message = null)
            return null
        }
        var field = ""
        return try {
            device.editProduct(
                id,
                ProductChanges(
                    name = draft.name,
                    description = draft.description,
                    category = draft.category,
                    unit = draft.unit,
                    price = price,
                    weightG = size[0],
                    dimensionsCm = Dimensions(size[1], size[2], size[3]),
                    status = if (draft.listed) ProductStatus.LISTED else ProductStatus.UNLISTED,
                ),
            )
            // New rows first, so replacing the last variant never leaves the product without one.
            for (v in added) {
                field = "variants"
                device.addVariant(id, v)
            }
            draft.variants.forEachIndexed { i, v ->
                val old = v.id?.let { before[it] } ?: return@forEachIndexed
                val newPrice = prices[i]
                val skuChanged = v.sku.trim().isNotEmpty() && v.sku.trim() != old.sku
                if (newPrice != old.price || skuChanged) {
                    field = "variants[$i]"
                    device.editVariant(
                        old.id,
                        VariantChanges(
                            sku = if (skuChanged) v.sku.trim() else null,
                            price = newPrice,
                            clearPrice = newPrice == null && old.price != null,
                        ),
                    )
                }
            }
            val kept = draft.variants.mapNotNull { it.id }.toSet()
            for (gone in before.keys - kept) {
                field = "variants"
                device.removeVariant(gone)
            }
            load(id)
            id
        } catch (e: SentraException) {
            val text = ErrorText.of(e, lang)
            // A variant's own problem names its row: `price` of row 2 is `variants[2].price`.
            val fields = if (field.startsWith("variants[")) text.fields.mapKeys { "$field.${it.key}" } else text.fields
            state.value = state.value.copy(errors = fields, message = text)
            null
        }
    }

    /** Deletes the saved product (a synced delete: it leaves every phone and the storefront). */
    fun delete(): Boolean {
        val id = state.value.savedId ?: return false
        return try {
            device.deleteProduct(id)
            state.value = state.value.copy(deleted = true, message = null)
            true
        } catch (e: SentraException) {
            state.value = state.value.copy(message = ErrorText.of(e, lang))
            false
        }
    }

    /** Removes a photo of the saved product. */
    fun removePhoto(photoId: String): Boolean = photoCall { id ->
        device.removePhoto(photoId)
        device.photos(id)
    }

    /** Moves a photo to [toIndex] (0 is the cover). */
    fun movePhoto(photoId: String, toIndex: Int): Boolean = photoCall { id ->
        val order = state.value.photos.map { it.id }.toMutableList()
        if (order.remove(photoId)) order.add(toIndex.coerceIn(0, order.size), photoId)
        device.reorderPhotos(id, order)
        device.photos(id)
    }

    private fun photoCall(call: (String) -> List<Photo>): Boolean {
        val id = state.value.savedId ?: return false
        return try {
            state.value = state.value.copy(photos = call(id), message = null)
            true
        } catch (e: SentraException) {
            state.value = state.value.copy(message = ErrorText.of(e, lang))
            false
        }
    }

    /** "Berat volume 1.000 g" from the typed size, or `null` until all three are typed. */
    fun volumetricText(): String? {
        val d = state.value.draft
        val (l, w, h) = listOf(d.lengthCm, d.widthCm, d.heightCm).map { it.trim().toLongOrNull() ?: return null }
        val grams = volumetricWeightG(l, w, h)
        val shown = Rupiah.format(grams).removePrefix("Rp ")
        return lang.pick("Berat volume $shown g (P\u00d7L\u00d7T/6000)", "Volumetric weight $shown g (L\u00d7W\u00d7H/6000)")
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

    companion object {
        /** The units the catalogue knows, in the order the core lists them. */
        val UNITS: List<String> by lazy { productUnits() }

        /** A unit as the picker shows it: "kodi (20 buah)", "lusin (12 buah)", "ton". */
        fun unitLabel(unit: String, lang: Lang): String = when (unit) {
            "pcs" -> lang.pick("pcs (buah)", "pcs (pieces)")
            "lusin" -> lang.pick("lusin (12 buah)", "lusin (dozen)")
            "kodi" -> lang.pick("kodi (20 buah)", "kodi (score, 20)")
            "kuintal" -> lang.pick("kuintal (100 kg)", "kuintal (100 kg)")
            "pasang" -> lang.pick("pasang", "pasang (pair)")
            else -> unit
        }
    }
}
