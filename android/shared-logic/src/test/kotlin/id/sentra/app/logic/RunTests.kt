package id.sentra.app.logic

import org.junit.platform.engine.TestExecutionResult
import org.junit.platform.engine.discovery.DiscoverySelectors
import org.junit.platform.launcher.TestExecutionListener
import org.junit.platform.launcher.TestIdentifier
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder
import org.junit.platform.launcher.core.LauncherFactory
import org.junit.platform.launcher.listeners.SummaryGeneratingListener
import java.io.PrintWriter
import kotlin.system.exitProcess

/**
 * Runs the JVM suite through the JUnit Platform and prints `N passed, N failed` (the line CI
 * reads). Gradle runs the same classes with `useJUnitPlatform()`.
 */
fun main() {
    val classes = listOf(
        FormattingTest::class,
        ErrorMappingTest::class,
        ProductEditorTest::class,
        AccountsTest::class,
        ListenerTest::class,
        EndToEndTest::class,
        VariantsAndNoticesTest::class,
        SharedPhoneTest::class,
        ProducersDayTest::class,
        SellingTest::class,
        ShareTest::class,
        AppStringsTest::class,
    )
    val request = LauncherDiscoveryRequestBuilder.request()
        .selectors(classes.map { DiscoverySelectors.selectClass(it.java) })
        .build()
    val summary = SummaryGeneratingListener()
    val ran = mutableSetOf<String>()
    val lines = object : TestExecutionListener {
        override fun executionFinished(id: TestIdentifier, result: TestExecutionResult) {
            if (!id.isTest) return
            ran += id.uniqueId.substringAfter("[class:").substringBefore("]")
            val verdict = if (result.status == TestExecutionResult.Status.SUCCESSFUL) "PASS" else "FAIL"
            println("$verdict ${id.displayName}")
            result.throwable.ifPresent { if (verdict == "FAIL") it.printStackTrace(System.out) }
        }
    }
    LauncherFactory.create().execute(request, summary, lines)
    val s = summary.summary
    // JUnit skips a test method silently if it returns a value: every class must have run.
    val silent = classes.map { it.java.name }.filter { it !in ran }
    silent.forEach { println("FAIL $it: no test ran (does a test return a value?)") }
    val failed = s.testsFailedCount + s.testsAbortedCount + silent.size
    if (failed > 0) s.printFailuresTo(PrintWriter(System.out, true), 30)
    println("${s.testsSucceededCount} passed, $failed failed")
    exitProcess(if (failed == 0L && s.testsSucceededCount > 0) 0 else 1)
}
