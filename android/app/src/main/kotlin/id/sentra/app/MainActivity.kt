package id.sentra.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import id.sentra.app.ui.CatalogueScreen
import id.sentra.app.ui.HomeScreen
import id.sentra.app.ui.LoginScreen
import id.sentra.app.ui.MyProducersScreen
import id.sentra.app.ui.OrdersScreen
import id.sentra.app.ui.ProductEditorScreen
import id.sentra.app.ui.QuickSaleScreen
import id.sentra.app.ui.SellingSettingsScreen
import id.sentra.app.ui.RegisterProducerScreen
import id.sentra.app.ui.SwitchAccountScreen

/** The one activity: a Compose navigation graph over the screens. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as SentraApp
        setContent {
            MaterialTheme {
                val account by app.current.collectAsState()
                val nav = rememberNavController()
                NavHost(nav, startDestination = if (account == null) "login" else "home") {
                    composable("login") { LoginScreen(app) { nav.navigate("home") { popUpTo("login") { inclusive = true } } } }
                    composable("home") { HomeScreen(app) { route -> nav.navigate(route) } }
                    composable("catalogue") { CatalogueScreen(app, onOpen = { nav.navigate("product/$it") }, onNew = { nav.navigate("product/new") }) }
                    composable("product/{id}") { entry ->
                        ProductEditorScreen(app, entry.arguments?.getString("id")) { nav.popBackStack() }
                    }
                    composable("orders") { OrdersScreen(app) }
                    composable("selling") { SellingSettingsScreen(app) { nav.popBackStack() } }
                    composable("sale") { QuickSaleScreen(app) { nav.popBackStack() } }
                    composable("producers") { MyProducersScreen(app) { nav.navigate("register") } }
                    composable("register") { RegisterProducerScreen(app) { nav.popBackStack() } }
                    composable("switch") {
                        SwitchAccountScreen(app) { nav.navigate("home") { popUpTo("home") { inclusive = true } } }
                    }
                }
            }
        }
    }
}
