package id.sentra.app.sync

import android.content.Context
import android.net.ConnectivityManager
import android.net.NetworkCapabilities

/** What kind of network the phone is on now. */
object Network {
    /** Whether the active network is unmetered (Wi-Fi, usually): display photos may go. */
    fun isUnmetered(context: Context): Boolean {
        val connectivity = context.getSystemService(ConnectivityManager::class.java)
        val capabilities = connectivity.getNetworkCapabilities(connectivity.activeNetwork) ?: return false
        return capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED)
    }
}
