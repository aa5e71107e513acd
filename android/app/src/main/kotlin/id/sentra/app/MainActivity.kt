package id.sentra.app

import android.Manifest
import android.net.Uri
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.navArgument
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import id.sentra.app.logic.ColdStart
import id.sentra.app.ui.CatalogueScreen
import id.sentra.app.ui.ClustersScreen
import id.sentra.app.ui.HomeScreen
import id.sentra.app.ui.LoginScreen
import id.sentra.app.ui.MyProducersScreen
import id.sentra.app.ui.OrdersScreen
import id.sentra.app.ui.ProductEditorScreen
import id.sentra.app.ui.QuickSaleScreen
import id.sentra.app.ui.RefusalsScreen
import id.sentra.app.ui.SellingSettingsScreen
import id.sentra.app.ui.RegisterProducerScreen
import id.sentra.app.ui.SalesHistoryScreen
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
                // Order notifications need the user's leave on Android 13 and later.
                val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { }
                LaunchedEffect(Unit) {
                    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) ask.launch(Manifest.permission.POST_NOTIFICATIONS)
                }
                // A cold start never reopens the last account: its PIN first (see SentraApp.coldStart).
                val start = when {
                    account != null -> "home"
                    else -> when (val cold = app.coldStart) {
                        ColdStart.SignIn -> "login"
                        ColdStart.Choose -> "switch"
                        is ColdStart.AskPin -> "switch?login=${Uri.encode(cold.login)}"
                    }
                }
                NavHost(nav, startDestination = start) {
                    composable("login") { LoginScreen(app) { nav.navigate("home") { popUpTo("login") { inclusive = true } } } }
                    composable("home") { HomeScreen(app) { route -> nav.navigate(route) } }
                    composable("catalogue") { CatalogueScreen(app, onOpen = { nav.navigate("product/$it") }, onNew = { nav.navigate("product/new") }) }
                    composable("product/{id}") { entry ->
                        ProductEditorScreen(app, entry.arguments?.getString("id")) { nav.popBackStack() }
                    }
                    composable("orders") { OrdersScreen(app) }
                    composable("selling") { SellingSettingsScreen(app) { nav.popBackStack() } }
                    composable("sale") { QuickSaleScreen(app) { nav.popBackStack() } }
                    composable("sales") { SalesHistoryScreen(app) }
                    composable("refusals") { RefusalsScreen(app) { nav.navigate("product/$it") } }
                    composable("producers") {
                        MyProducersScreen(
                            app,
                            onRegister = { nav.navigate("register") },
                            onClusters = { producer -> nav.navigate("clusters/$producer") },
                            onAddProduct = { nav.navigate("product/new") },
                        )
                    }
                    composable("clusters/{producer}") { entry ->
                        ClustersScreen(app, entry.arguments?.getString("producer").orEmpty())
                    }
                    composable("register") { RegisterProducerScreen(app) { nav.popBackStack() } }
                    composable(
                        "switch?login={login}",
                        arguments = listOf(navArgument("login") { type = NavType.StringType; nullable = true; defaultValue = null }),
                    ) { entry ->
                        SwitchAccountScreen(app, entry.arguments?.getString("login"), onSignIn = { nav.navigate("login") }) {
                            nav.navigate("home") { popUpTo(0) { inclusive = true } }
                        }
                    }
                }
            }
        }
    }
}
