package id.sentra.app.logic

import org.junit.jupiter.api.Test
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * The apps' own texts, read from the resource files the apps ship: Bahasa Indonesia is the
 * default (a phone set to Javanese, French or anything but English reads Indonesian, as
 * [Lang.of] decides for the shared logic), English is the only other language, and both
 * languages have the same keys with the same placeholders, on Android and on iOS.
 */
class AppStringsTest {
    private val res = File("android/app/src/main/res")
    private val ios = File("ios/SentraApp/Resources")

    private fun android(folder: String): Map<String, String> {
        val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(File(res, "$folder/strings.xml"))
        val nodes = doc.getElementsByTagName("string")
        return (0 until nodes.length).associate { i ->
            val node = nodes.item(i)
            node.attributes.getNamedItem("name").nodeValue to node.textContent
        }
    }

    private fun ios(lproj: String): Map<String, String> {
        val line = Regex("""^"([^"]+)"\s*=\s*"((?:[^"\\]|\\.)*)";\s*$""")
        return File(ios, "$lproj/Localizable.strings").readLines()
            .mapNotNull { line.matchEntire(it.trim())?.destructured }
            .associate { (key, text) -> key to text }
    }

    /** The placeholders of a text, in order (`%s`, `%1$s`, `%d`, `%@`), so both languages fill the same. */
    private fun placeholders(text: String): List<String> =
        Regex("""%(\d+\$)?[sd@]""").findAll(text).map { it.value }.sorted().toList()

    @Test
    fun `the default Android resources are Bahasa Indonesia and English is only for English phones`() {
        val folders = res.listFiles()!!.filter { it.isDirectory && it.name.startsWith("values") }.map { it.name }.sorted()
        assertEquals(listOf("values", "values-en"), folders, "only the default (Indonesian) and English")
        val default = android("values")
        val english = android("values-en")
        assertEquals("Batal", default["cancel"])
        assertEquals("Cancel", english["cancel"])
        assertEquals("Sinkronisasi", default["sync_channel"])
        // Most texts differ between the languages (names such as "Sentra" and "SKU" may not).
        val same = default.keys.count { default[it] == english[it] }
        assertTrue(same * 10 < default.size, "$same of ${default.size} texts are the same in both languages")
        assertEquals(Lang.ID, Lang.of("jv-ID"))
        assertEquals(Lang.ID, Lang.of("fr-FR"))
        assertEquals(Lang.EN, Lang.of("en-GB"))
    }

    @Test
    fun `every text exists in both languages with the same placeholders, on Android and on iOS`() {
        for ((idText, enText) in listOf(android("values") to android("values-en"), ios("id.lproj") to ios("en.lproj"))) {
            assertEquals(idText.keys.sorted(), enText.keys.sorted())
            for ((key, text) in idText) {
                assertEquals(placeholders(text), placeholders(enText.getValue(key)), "placeholders of $key")
                assertFalse(text.isBlank(), "$key is empty")
            }
        }
    }
}
