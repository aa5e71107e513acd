package id.sentra.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import id.sentra.app.SentraApp
import id.sentra.app.logic.PhotoPolicy

/**
 * "Use mobile data for photos": off by default (prepaid data). "Sync now" and the background
 * worker both honour it (see [PhotoPolicy]); the labels come from shared-logic in both languages.
 */
@Composable
fun PhotoDataSwitch(app: SentraApp) {
    var allowed by remember { mutableStateOf(app.sessions.allowMobileData) }
    Row(verticalAlignment = Alignment.CenterVertically) {
        Column {
            Text(PhotoPolicy.switchLabel(app.lang))
            Text(PhotoPolicy.switchHint(app.lang, allowed))
        }
        Switch(checked = allowed, onCheckedChange = {
            allowed = it
            app.sessions.allowMobileData = it
        })
    }
}
