package id.sentra.app.ui

import androidx.compose.material3.Button
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.ErrorText
import id.sentra.app.logic.UserMessage
import id.sentra.app.logic.isPin
import id.sentra.ffi.SentraException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * Onboarding and sign-in: the server's address, then a producer's phone number and PIN (or a
 * facilitator's name and password). Each account gets its own database on this phone.
 */
@Composable
fun LoginScreen(app: SentraApp, onSignedIn: () -> Unit) {
    var server by remember { mutableStateOf("https://") }
    var login by remember { mutableStateOf("") }
    var secret by remember { mutableStateOf("") }
    // Staff sign in with a password; a 6-digit PIN for this phone then guards their data on a
    // cold start and when switching, offline.
    var phonePin by remember { mutableStateOf("") }
    var busy by remember { mutableStateOf(false) }
    var problem by remember { mutableStateOf<UserMessage?>(null) }
    val scope = rememberCoroutineScope()
    Screen(stringResource(R.string.login_title)) {
        Text(stringResource(R.string.login_intro))
        Field(stringResource(R.string.login_server), server, null, KeyboardType.Uri) { server = it }
        Field(stringResource(R.string.login_phone), login, null, KeyboardType.Phone) { login = it }
        Field(stringResource(R.string.login_pin), secret, null, KeyboardType.NumberPassword) { secret = it }
        val staff = secret.isNotEmpty() && !isPin(secret)
        if (staff) {
            Field(stringResource(R.string.login_phone_pin), phonePin, null, KeyboardType.NumberPassword) { phonePin = it }
        }
        Problem(problem)
        Button(enabled = !busy && login.isNotBlank() && secret.isNotBlank() && (!staff || isPin(phonePin)), onClick = {
            busy = true
            scope.launch {
                try {
                    val device = withContext(Dispatchers.IO) {
                        app.accounts.signIn(
                            server.trim(), login.trim(), secret, app.sessions.of(login.trim()),
                            phonePin = phonePin.takeIf { staff },
                        )
                    }
                    app.use(login.trim(), device)
                    onSignedIn()
                } catch (e: SentraException) {
                    problem = ErrorText.of(e, app.lang)
                } finally {
                    busy = false
                }
            }
        }) { Text(stringResource(R.string.login_button)) }
    }
}
