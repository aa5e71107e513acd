package id.sentra.app.logic

import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration

/**
 * A real `sentra-server` on loopback (the binary in SENTRA_SERVER) in its own temporary
 * directory, with one facilitator account made by `sentra-server admin`. Buyers reach it as a
 * browser does: JSON over HTTP.
 */
class TestServer : AutoCloseable {
    val dir: File = Files.createTempDirectory("sentra-kt").toFile()
    private val binary = System.getenv("SENTRA_SERVER") ?: error("SENTRA_SERVER is not set")
    private val data = File(dir, "server-data")
    private val process: Process
    val url: String
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

    init {
        admin("create-account", "--login", FACILITATOR, "--secret", FACILITATOR_SECRET, "--role", "facilitator")
        admin("assign-region", "--login", FACILITATOR, "--region", REGION)
        val port = freePort()
        url = "http://127.0.0.1:$port"
        process = ProcessBuilder(binary, "serve", "--listen", "127.0.0.1:$port", "--data", data.path)
            .redirectErrorStream(true)
            .redirectOutput(File(dir, "server.log"))
            .start()
        val deadline = System.nanoTime() + 30_000_000_000
        while (true) {
            val up = runCatching { get("/healthz").first == 200 }.getOrDefault(false)
            if (up) break
            check(process.isAlive && System.nanoTime() < deadline) { "sentra-server did not start" }
            Thread.sleep(100)
        }
    }

    private fun admin(vararg args: String) {
        val command = listOf(binary, "admin", args[0], "--data", data.path) + args.drop(1)
        val done = ProcessBuilder(command).redirectErrorStream(true).start()
        val output = done.inputStream.readBytes().decodeToString()
        check(done.waitFor() == 0) { "admin ${args[0]} failed: $output" }
    }

    /** (status, body) of a GET. */
    fun get(path: String): Pair<Int, String> {
        val request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).GET().build()
        val answer = http.send(request, HttpResponse.BodyHandlers.ofString())
        return answer.statusCode() to answer.body()
    }

    /** (status, body) of a JSON POST. */
    fun post(path: String, json: String): Pair<Int, String> {
        val request = HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build()
        val answer = http.send(request, HttpResponse.BodyHandlers.ofString())
        return answer.statusCode() to answer.body()
    }

    override fun close() {
        process.destroy()
        process.waitFor()
        dir.deleteRecursively()
    }

    companion object {
        const val FACILITATOR = "pendamping"
        const val FACILITATOR_SECRET = "rahasia-kuat"
        const val REGION = "3327"

        /** A port nobody listens on now. */
        fun freePort(): Int = ServerSocket(0).use { it.localPort }

        /** A string field of a flat JSON answer (the order API's answers are flat). */
        fun field(json: String, name: String): String? =
            Regex("\"${Regex.escape(name)}\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1)
    }
}
