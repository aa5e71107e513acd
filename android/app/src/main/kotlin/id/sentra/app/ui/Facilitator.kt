package id.sentra.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.Switch
import id.sentra.app.logic.ErrorText
import id.sentra.app.logic.ProducerDirectory
import id.sentra.app.logic.ProducerDraft
import id.sentra.app.logic.RegionSearch
import id.sentra.app.logic.consenting
import id.sentra.app.logic.Sector
import id.sentra.app.logic.UserMessage
import id.sentra.ffi.SentraException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * Facilitator mode: the producers this facilitator registered, each with its region's name, its
 * consent to publish (recorded here when the producer agrees later), its clusters and
 * cooperatives, and "add a product" for exactly that producer.
 */
@Composable
fun MyProducersScreen(app: SentraApp, onRegister: () -> Unit, onClusters: (String) -> Unit, onAddProduct: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val directory = remember(open.device) { ProducerDirectory(open.device, app.lang) }
    val view by directory.view.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(open.version) { withContext(Dispatchers.IO) { directory.refresh() } }
    Screen(stringResource(R.string.nav_producers)) {
        Button(onClick = onRegister) { Text(stringResource(R.string.nav_register)) }
        Problem(view.message)
        LazyColumn {
            items(view.producers, key = { it.id }) { p ->
                ListItem(
                    headlineContent = { Text(p.name) },
                    supportingContent = {
                        Column {
                            Text("${p.owner} · ${p.sector} · ${p.region}")
                            Text(
                                p.consent?.let { stringResource(R.string.producer_consent_given, it) }
                                    ?: stringResource(R.string.producer_consent_missing),
                            )
                            Row {
                                TextButton(onClick = {
                                    app.sessions.setLastPickedProducer(open.login, p.id)
                                    onAddProduct()
                                }) { Text(stringResource(R.string.producer_add_product)) }
                                TextButton(onClick = { onClusters(p.id) }) { Text(stringResource(R.string.producer_clusters)) }
                                if (p.consent == null) {
                                    TextButton(onClick = { scope.launch(Dispatchers.IO) { directory.recordConsent(p.id, true) } }) {
                                        Text(stringResource(R.string.producer_consent_record))
                                    }
                                }
                            }
                        }
                    },
                )
            }
        }
    }
}

/**
 * The region field of the registration form: the facilitator types a name ("pemalang") and
 * picks "Kabupaten Pemalang, Jawa Tengah"; the form keeps the Kemendagri code.
 */
@Composable
fun RegionPicker(app: SentraApp, code: String, error: String?, onPick: (String) -> Unit) {
    var query by remember { mutableStateOf("") }
    val found = remember(query) { if (query.length >= 3) RegionSearch.find(query, 8) else emptyList() }
    val chosen = remember(code) { RegionSearch.label(code) }
    Field(stringResource(R.string.producer_region_search), query, error) { query = it }
    chosen?.let { Text(stringResource(R.string.producer_region_chosen, it)) }
    found.forEach { region ->
        ListItem(
            modifier = Modifier.clickable {
                onPick(region.code)
                query = ""
            },
            headlineContent = { Text(region.label) },
        )
    }
}

/**
 * Facilitator mode: register a producer in the field, offline, with the 6-digit PIN they will
 * sign in with on their own phone after the facilitator's next sync.
 */
@Composable
fun RegisterProducerScreen(app: SentraApp, onDone: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val directory = remember(open.device) { ProducerDirectory(open.device, app.lang) }
    val view by directory.view.collectAsState()
    var draft by remember { mutableStateOf(ProducerDraft()) }
    val scope = rememberCoroutineScope()
    Screen(stringResource(R.string.nav_register)) {
        Column(Modifier.verticalScroll(rememberScrollState())) {
            Field(stringResource(R.string.producer_business), draft.businessName, view.errors["business_name"]) { draft = draft.copy(businessName = it) }
            Field(stringResource(R.string.producer_owner), draft.ownerName, view.errors["owner_name"]) { draft = draft.copy(ownerName = it) }
            Field(stringResource(R.string.login_phone), draft.phone, view.errors["phone"], KeyboardType.Phone) { draft = draft.copy(phone = it) }
            RegionPicker(app, draft.regionCode, view.errors["region_code"]) { draft = draft.copy(regionCode = it) }
            Field(stringResource(R.string.producer_address), draft.address, view.errors["address"]) { draft = draft.copy(address = it) }
            Field(stringResource(R.string.producer_workforce), draft.workforce, view.errors["workforce"], KeyboardType.Number) { draft = draft.copy(workforce = it) }
            Row {
                Sector.entries.forEach { s ->
                    FilterChip(selected = draft.sector == s, onClick = { draft = draft.copy(sector = s) }, label = { Text(s.label(app.lang)) })
                }
            }
            Field(stringResource(R.string.producer_pin), draft.pin, view.errors["activation_pin"], KeyboardType.NumberPassword) { draft = draft.copy(pin = it) }
            Field(stringResource(R.string.producer_pin_again), draft.pinAgain, null, KeyboardType.NumberPassword) { draft = draft.copy(pinAgain = it) }
            Row(verticalAlignment = Alignment.CenterVertically) {
                Checkbox(checked = draft.consentDate != null, onCheckedChange = { draft = draft.consenting(it) })
                Text(stringResource(R.string.producer_consent))
            }
            view.errors["consent_date"]?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            Problem(view.message)
            Button(onClick = {
                scope.launch { if (withContext(Dispatchers.IO) { directory.register(draft) } != null) onDone() }
            }) { Text(stringResource(R.string.producer_save)) }
        }
    }
}

/**
 * Switch account on a shared phone: pick an account that signed in here before and enter its
 * PIN or password; the server checks it, and each account keeps its own database file.
 */
@Composable
fun SwitchAccountScreen(app: SentraApp, preselect: String?, onSignIn: () -> Unit, onSwitched: () -> Unit) {
    val known = remember { app.accounts.known() }
    var chosen by remember { mutableStateOf(preselect ?: known.firstOrNull()?.login.orEmpty()) }
    var secret by remember { mutableStateOf("") }
    var problem by remember { mutableStateOf<UserMessage?>(null) }
    val scope = rememberCoroutineScope()
    Screen(stringResource(R.string.nav_switch)) {
        LazyColumn {
            items(known, key = { it.login }) { account ->
                ListItem(
                    modifier = Modifier.clickable { chosen = account.login },
                    headlineContent = { Text(if (chosen == account.login) "✓ ${account.login}" else account.login) },
                    supportingContent = { Text(account.role) },
                )
            }
        }
        Text(stringResource(R.string.switch_needs_network))
        TextButton(onClick = onSignIn) { Text(stringResource(R.string.switch_other_account)) }
        Field(stringResource(R.string.login_pin), secret, null, KeyboardType.NumberPassword) { secret = it }
        Problem(problem)
        Button(enabled = chosen.isNotEmpty() && secret.isNotEmpty(), onClick = {
            scope.launch {
                val server = app.sessions.of(chosen).load()?.serverUrl ?: app.current.value?.let { app.sessions.of(it.login).load()?.serverUrl }
                if (server == null) {
                    problem = UserMessage(app.lang.pick("Masuk dulu dengan alamat server.", "Sign in with the server address first."))
                    return@launch
                }
                try {
                    // Offline first: the PIN is checked against the hash in that account's file.
                    // The other account's database stays open until the switch succeeds.
                    when (val switched = withContext(Dispatchers.IO) { app.accounts.switchTo(chosen, secret) }) {
                        is Switch.Opened -> {
                            app.use(chosen, switched.device)
                            onSwitched()
                        }
                        is Switch.WrongPin -> problem = UserMessage(app.lang.pick(
                            "PIN salah. Sisa ${switched.attemptsLeft} kali coba.",
                            "Wrong PIN. ${switched.attemptsLeft} tries left."))
                        is Switch.Locked -> problem = UserMessage(app.lang.pick(
                            "Terlalu banyak PIN salah. Coba lagi 15 menit lagi.",
                            "Too many wrong PINs. Try again in 15 minutes."))
                        Switch.NeedsSignIn -> {
                            val device = withContext(Dispatchers.IO) { app.accounts.signIn(server, chosen, secret, app.sessions.of(chosen)) }
                            app.use(chosen, device)
                            onSwitched()
                        }
                    }
                } catch (e: SentraException) {
                    problem = ErrorText.of(e, app.lang)
                }
            }
        }) { Text(stringResource(R.string.switch_button)) }
    }
}
