package id.sentra.app.ui

import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.RadioButton
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
import id.sentra.app.logic.CourierMode
import id.sentra.app.logic.PaidMark
import id.sentra.app.logic.SellingSettingsState
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File
import java.util.UUID

/**
 * "Pengiriman & pembayaran": how the producer delivers (pick-up, a flat courier fee, or a fee
 * per kg by zone), how they are paid (bank transfer, a QRIS photo, cash on delivery) and their
 * WhatsApp. Every decision is in `SellingSettingsState`; this file only draws it.
 */
@Composable
fun SellingSettingsScreen(app: SentraApp, onDone: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val context = LocalContext.current
    val producerId = remember(open.device) {
        app.sessions.of(open.login).load()?.producerId
            ?: open.device.producers(true, 0, 1).firstOrNull()?.id.orEmpty()
    }
    val settings = remember(open.device, producerId) { SellingSettingsState(open.device, app.lang, producerId) }
    val view by settings.view.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(producerId) { withContext(Dispatchers.IO) { settings.load() } }
    // The QRIS code is photographed like a product: the core makes it upright and small.
    val shot = remember { mutableListOf<File>() }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        val file = shot.removeLastOrNull() ?: return@rememberLauncherForActivityResult
        if (ok) scope.launch(Dispatchers.IO) { settings.setQrisPhoto(file.path) }
    }
    fun photographQris() {
        val dir = File(context.cacheDir, "camera").apply { mkdirs() }
        val file = File(dir, "${UUID.randomUUID()}.jpg")
        shot += file
        val uri: Uri = FileProvider.getUriForFile(context, "${context.packageName}.photos", file)
        camera.launch(uri)
    }
    val d = view.draft
    Screen(stringResource(R.string.selling_title)) {
        Column(Modifier.verticalScroll(rememberScrollState())) {
            Text(stringResource(R.string.selling_delivery))
            Row {
                Switch(checked = d.pickup, onCheckedChange = { v -> settings.edit { it.copy(pickup = v) } })
                Text(stringResource(R.string.selling_pickup))
            }
            if (d.pickup) {
                Field(stringResource(R.string.selling_pickup_place), d.pickupPlace, view.errors["delivery_pickup"]) { v ->
                    settings.edit { it.copy(pickupPlace = v) }
                }
            }
            listOf(
                CourierMode.NONE to R.string.selling_courier_none,
                CourierMode.FLAT to R.string.selling_courier_flat,
                CourierMode.PER_KG to R.string.selling_courier_per_kg,
            ).forEach { (mode, label) ->
                Row {
                    RadioButton(selected = d.courierMode == mode, onClick = { settings.edit { it.copy(courierMode = mode) } })
                    Text(stringResource(label))
                }
            }
            val courierError = view.errors["delivery_courier"]
            when (d.courierMode) {
                CourierMode.FLAT -> Field(stringResource(R.string.selling_flat_fee), d.flatFee, courierError, KeyboardType.Number) { v ->
                    settings.edit { it.copy(flatFee = v) }
                }
                CourierMode.PER_KG -> {
                    Field(stringResource(R.string.selling_rate_regency), d.rateRegency, courierError, KeyboardType.Number) { v ->
                        settings.edit { it.copy(rateRegency = v) }
                    }
                    Field(stringResource(R.string.selling_rate_province), d.rateProvince, null, KeyboardType.Number) { v ->
                        settings.edit { it.copy(rateProvince = v) }
                    }
                    Field(stringResource(R.string.selling_rate_national), d.rateNational, null, KeyboardType.Number) { v ->
                        settings.edit { it.copy(rateNational = v) }
                    }
                }
                CourierMode.NONE -> Unit
            }
            Text(stringResource(R.string.selling_payment))
            Row {
                Switch(checked = d.bank, onCheckedChange = { v -> settings.edit { it.copy(bank = v) } })
                Text(stringResource(R.string.selling_bank))
            }
            if (d.bank) {
                val bankError = view.errors["payment_bank"]
                Field(stringResource(R.string.selling_bank_name), d.bankName, bankError) { v -> settings.edit { it.copy(bankName = v) } }
                Field(stringResource(R.string.selling_account_number), d.accountNumber, null, KeyboardType.Number) { v ->
                    settings.edit { it.copy(accountNumber = v) }
                }
                Field(stringResource(R.string.selling_account_holder), d.accountHolder, null) { v -> settings.edit { it.copy(accountHolder = v) } }
            }
            Row {
                Text(stringResource(if (d.qrisHash != null) R.string.selling_qris_set else R.string.selling_qris_none))
                OutlinedButton(onClick = ::photographQris) { Text(stringResource(R.string.selling_qris_photo)) }
            }
            Row {
                Switch(checked = d.cod, onCheckedChange = { v -> settings.edit { it.copy(cod = v) } })
                Text(stringResource(R.string.selling_cod))
            }
            Field(stringResource(R.string.selling_whatsapp), d.whatsapp, view.errors["contact_whatsapp"], KeyboardType.Phone) { v ->
                settings.edit { it.copy(whatsapp = v) }
            }
            view.warnings.forEach { Text(it) }
            if (view.summary.isNotEmpty()) {
                Card {
                    Text(stringResource(R.string.selling_buyers_see))
                    view.summary.forEach { Text(it) }
                }
            }
            Problem(view.message)
            Button(onClick = {
                scope.launch {
                    if (withContext(Dispatchers.IO) { settings.save() }) onDone()
                }
            }) { Text(stringResource(R.string.selling_save)) }
        }
    }
}

/**
 * An order card's payment line and its "Tandai sudah dibayar" button, hooked into the order
 * screen with one line.
 */
@Composable
fun PaymentOnOrder(app: SentraApp, orderId: String, closed: Boolean, version: Long) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val mark = remember(open.device) { PaidMark(open.device, app.lang) }
    val scope = rememberCoroutineScope()
    val line = remember(orderId, version) { runCatching { mark.line(orderId, closed) }.getOrNull() } ?: return
    Column {
        Text(line.text)
        if (line.canMarkPaid) {
            OutlinedButton(onClick = { scope.launch(Dispatchers.IO) { mark.markPaid(orderId) } }) {
                Text(PaidMark.actionLabel(app.lang))
            }
        }
    }
}
