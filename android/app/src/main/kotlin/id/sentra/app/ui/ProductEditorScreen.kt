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
import id.sentra.app.logic.ProductEditor
import id.sentra.app.logic.VariantDraft
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File
import java.util.UUID

/**
 * The product editor: name, category, unit, price in rupiah, variants with their stock, and
 * photos from the system camera (the core makes them upright, strips GPS and resizes them).
 */
@Composable
fun ProductEditorScreen(app: SentraApp, productId: String?, onDone: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val context = LocalContext.current
    val producerId = remember(open.device) {
        app.sessions.of(open.login).load()?.producerId
            ?: open.device.producers(true, 0, 1).firstOrNull()?.id.orEmpty()
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
    Screen(stringResource(R.string.editor_title)) {
        Column(Modifier.verticalScroll(rememberScrollState())) {
            Field(stringResource(R.string.editor_name), d.name, view.errors["name"]) { v -> editor.edit { it.copy(name = v) } }
            Field(stringResource(R.string.editor_category), d.category, view.errors["category"]) { v -> editor.edit { it.copy(category = v) } }
            Field(stringResource(R.string.editor_unit), d.unit, view.errors["unit"]) { v -> editor.edit { it.copy(unit = v) } }
            Field(stringResource(R.string.editor_price), d.price, view.errors["price"], KeyboardType.Number) { v -> editor.edit { it.copy(price = v) } }
            Field(stringResource(R.string.editor_description), d.description, view.errors["description"]) { v -> editor.edit { it.copy(description = v) } }
            Field(stringResource(R.string.editor_tiers), d.tiers.joinToString(", "), view.errors["tiers"]) { v ->
                editor.edit { it.copy(tiers = v.split(',').map(String::trim).filter(String::isNotEmpty).take(2)) }
            }
            d.variants.forEachIndexed { i, variant ->
                Text(stringResource(R.string.editor_variant, i + 1))
                Field(stringResource(R.string.editor_options), variant.options.joinToString(", "), view.errors["variants[$i].options"]) { v ->
                    editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(options = v.split(',').map(String::trim)))) }
                }
                Field(stringResource(R.string.editor_variant_price), variant.price, view.errors["variants[$i].price"], KeyboardType.Number) { v ->
                    editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(price = v))) }
                }
                if (view.savedId == null) {
                    Field(stringResource(R.string.editor_stock), variant.stock, view.errors["variants[$i].initial_stock"], KeyboardType.Number) { v ->
                        editor.edit { it.copy(variants = it.variants.replace(i, variant.copy(stock = v))) }
                    }
                } else {
                    Text(stringResource(R.string.editor_stock_now, variant.stock))
                }
            }
            if (view.savedId == null) {
                OutlinedButton(onClick = { editor.edit { it.copy(variants = it.variants + VariantDraft()) } }) {
                    Text(stringResource(R.string.editor_add_variant))
                }
            }
            Row {
                Text(stringResource(R.string.editor_listed))
                Switch(checked = d.listed, onCheckedChange = { v -> editor.edit { it.copy(listed = v) } })
            }
            Text(stringResource(R.string.editor_photos, view.photos.size + d.pendingPhotos.size))
            OutlinedButton(onClick = ::takePhoto) { Text(stringResource(R.string.editor_take_photo)) }
            Problem(view.message)
            Button(onClick = {
                scope.launch {
                    val saved = withContext(Dispatchers.IO) { editor.save() }
                    if (saved != null && editor.addPendingPhotos()) onDone()
                }
            }) { Text(stringResource(R.string.editor_save)) }
            ShareProductButton(app, view)
        }
    }
}

private fun <T> List<T>.replace(index: Int, value: T): List<T> = toMutableList().also { it[index] = value }
