package id.sentra.app.ui

import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.core.content.FileProvider
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.ProducerPicker
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.TextButton
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import id.sentra.app.logic.ProductEditor
import id.sentra.app.logic.StockActions
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File
import java.util.UUID

/**
 * The product editor: name, category, the unit from the catalogue's list, price in rupiah,
 * packed weight and size (volumetric weight), variants (added, priced, dropped) with their
 * stock (restocked or corrected with a reason once saved), photos from the system camera (the
 * core makes them upright, strips GPS and resizes them; removed or moved to the front), and
 * deleting the product. [ProductEditor] and [StockActions] decide; this draws them.
 */
@Composable
fun ProductEditorScreen(app: SentraApp, productId: String?, onDone: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val context = LocalContext.current
    val producerId = remember(open.device) {
        app.sessions.of(open.login).load()?.producerId
            // A facilitator adds for the producer picked on "My producers", never silently the first.
            ?: ProducerPicker(open.device, app.lang).initial(null, app.sessions.lastPickedProducer(open.login)).orEmpty()
    }
    val editor = remember(open.device, productId) { ProductEditor(open.device, app.lang, producerId) }
    val view by editor.view.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(productId) {
        if (productId != null && productId != "new") withContext(Dispatchers.IO) { editor.load(productId) }
    }
    // The camera writes to a file in our cache; the core takes it from there.
    val shot = remember { mutableListOf<File>() }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        val file = shot.removeLastOrNull() ?: return@rememberLauncherForActivityResult
        if (ok) scope.launch { editor.addPhoto(file.path) }
    }
    fun takePhoto() {
        val dir = File(context.cacheDir, "camera").apply { mkdirs() }
        val file = File(dir, "${UUID.randomUUID()}.jpg")
        shot += file
        val uri: Uri = FileProvider.getUriForFile(context, "${context.packageName}.photos", file)
        camera.launch(uri)
    }
    val d = view.draft
    val stock = remember(open.device) { StockActions(open.device, app.lang) }
    var unitsOpen by remember { mutableStateOf(false) }
    var confirmDelete by remember { mutableStateOf(false) }
    LaunchedEffect(view.deleted) { if (view.deleted) onDone() }
    Screen(stringResource(R.string.editor_title)) {
        Column(Modifier.verticalScroll(rememberScrollState())) {
            Field(stringResource(R.string.editor_name), d.name, view.errors["name"]) { v -> editor.edit { it.copy(name = v) } }
            Field(stringResource(R.string.editor_category), d.category, view.errors["category"]) { v -> editor.edit { it.copy(category = v) } }
            // The unit comes from the catalogue's list (kodi, lusin, ton, …), never free text.
            OutlinedButton(onClick = { unitsOpen = true }) {
                Text(stringResource(R.string.editor_unit) + ": " + ProductEditor.unitLabel(d.unit, app.lang))
            }
            DropdownMenu(expanded = unitsOpen, onDismissRequest = { unitsOpen = false }) {
                ProductEditor.UNITS.forEach { unit ->
                    DropdownMenuItem(text = { Text(ProductEditor.unitLabel(unit, app.lang)) }, onClick = {
                        editor.edit { it.copy(unit = unit) }
                        unitsOpen = false
                    })
                }
            }
            view.errors["unit"]?.let { Problem(id.sentra.app.logic.UserMessage(it)) }
            Field(stringResource(R.string.editor_price), d.price, view.errors["price"], KeyboardType.Number) { v -> editor.edit { it.copy(price = v) } }
            Field(stringResource(R.string.editor_description), d.description, view.errors["description"]) { v -> editor.edit { it.copy(description = v) } }
            Field(stringResource(R.string.editor_weight), d.weightG, view.errors["weight_g"], KeyboardType.Number) { v -> editor.edit { it.copy(weightG = v) } }
            Row {
                Field(stringResource(R.string.editor_length), d.lengthCm, view.errors["length_cm"], KeyboardType.Number) { v -> editor.edit { it.copy(lengthCm = v) } }
                Field(stringResource(R.string.editor_width), d.widthCm, view.errors["width_cm"], KeyboardType.Number) { v -> editor.edit { it.copy(widthCm = v) } }
                Field(stringResource(R.string.editor_height), d.heightCm, view.errors["height_cm"], KeyboardType.Number) { v -> editor.edit { it.copy(heightCm = v) } }
            }
            editor.volumetricText()?.let { Text(it) }
            Field(stringResource(R.string.editor_tiers), d.tiers.joinToString(", "), view.errors["tiers"]) { v ->
                editor.edit { it.copy(tiers = v.split(',').map(String::trim).filter(String::isNotEmpty).take(2)) }
            }
            d.variants.forEachIndexed { i, variant ->
                Text(stringResource(R.string.editor_variant, i + 1))
                if (variant.id == null) {
                    Field(stringResource(R.string.editor_options), variant.options.joinToString(", "), view.errors["variants[$i].options"]) { v ->
                        editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(options = v.split(',').map(String::trim)))) }
                    }
                } else {
                    // A saved variant is its options: another size is another variant.
                    Text(variant.options.joinToString(" / "))
                }
                Field(stringResource(R.string.editor_variant_price), variant.price, view.errors["variants[$i].price"], KeyboardType.Number) { v ->
                    editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(price = v))) }
                }
                Field(stringResource(R.string.editor_sku), variant.sku, view.errors["variants[$i].sku"]) { v ->
                    editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(sku = v))) }
                }
                val saved = view.savedId
                if (variant.id == null || saved == null) {
                    Field(stringResource(R.string.editor_stock), variant.stock, view.errors["variants[$i].initial_stock"], KeyboardType.Number) { v ->
                        editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(stock = v))) }
                    }
                } else {
                    StockPanel(stock, saved, variant.id!!, variant.stock) {
                        scope.launch(Dispatchers.IO) { editor.load(saved) }
                    }
                }
                if (d.variants.size > 1) {
                    OutlinedButton(onClick = { editor.removeVariantRow(i) }) { Text(stringResource(R.string.editor_remove_variant)) }
                }
            }
            OutlinedButton(onClick = editor::addVariantRow) { Text(stringResource(R.string.editor_add_variant)) }
            Row {
                Text(stringResource(R.string.editor_listed))
                Switch(checked = d.listed, onCheckedChange = { v -> editor.edit { it.copy(listed = v) } })
            }
            Text(stringResource(R.string.editor_photos, view.photos.size + d.pendingPhotos.size))
            view.photos.forEachIndexed { i, photo ->
                Row {
                    Text(stringResource(R.string.editor_photo_n, i + 1))
                    if (i > 0) {
                        OutlinedButton(onClick = { scope.launch(Dispatchers.IO) { editor.movePhoto(photo.id, 0) } }) {
                            Text(stringResource(R.string.editor_photo_cover))
                        }
                    }
                    OutlinedButton(onClick = { scope.launch(Dispatchers.IO) { editor.removePhoto(photo.id) } }) {
                        Text(stringResource(R.string.editor_photo_remove))
                    }
                }
            }
            OutlinedButton(onClick = ::takePhoto) { Text(stringResource(R.string.editor_take_photo)) }
            Problem(view.message)
            Button(onClick = {
                scope.launch {
                    val saved = withContext(Dispatchers.IO) { editor.save() }
                    if (saved != null && editor.addPendingPhotos()) onDone()
                }
            }) { Text(stringResource(R.string.editor_save)) }
            if (view.savedId != null) {
                OutlinedButton(onClick = { confirmDelete = true }) { Text(stringResource(R.string.editor_delete)) }
            }
            ShareProductButton(app, view)
        }
    }
    if (confirmDelete) {
        AlertDialog(
            onDismissRequest = { confirmDelete = false },
            title = { Text(stringResource(R.string.editor_delete_confirm, d.name)) },
            confirmButton = {
                TextButton(onClick = {
                    confirmDelete = false
                    scope.launch(Dispatchers.IO) { editor.delete() }
                }) { Text(stringResource(R.string.editor_delete)) }
            },
            dismissButton = { TextButton(onClick = { confirmDelete = false }) { Text(stringResource(R.string.cancel)) } },
        )
    }
}

private fun <T> List<T>.replace(index: Int, value: T): List<T> = toMutableList().also { it[index] = value }
