import Foundation
import XCTest

/// The iOS app's screen texts (`SentraApp/Resources/{id,en}.lproj/Localizable.strings`), read
/// as files the way Xcode ships them: both languages have the same keys with the same format
/// placeholders, none is empty, every key a view names exists (or the screen would show the raw
/// key), and every key is used by some view (or it is a text nobody sees). The SwiftUI views
/// are not compiled here, so this is what checks them against their texts.
final class AppStringsTests: XCTestCase {
    private static let app = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SentraApp")

    /// `"key" = "value";` lines of one language, in order.
    private func strings(_ lang: String) throws -> [(key: String, value: String)] {
        let file = Self.app.appendingPathComponent("Resources/\(lang).lproj/Localizable.strings")
        let line = try NSRegularExpression(pattern: #"^"([^"]+)" = "((?:[^"\\]|\\.)*)";$"#)
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { raw in
            let text = String(raw)
            guard text.hasPrefix("\"") else { return nil }
            guard let m = line.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                  let key = Range(m.range(at: 1), in: text), let value = Range(m.range(at: 2), in: text) else {
                XCTFail("\(lang): not a `\"key\" = \"value\";` line: \(text)")
                return nil
            }
            return (String(text[key]), String(text[value]))
        }
    }

    /// The Swift source of every view of the app.
    private func views() throws -> String {
        let files = FileManager.default.enumerator(at: Self.app, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        XCTAssertGreaterThan(files.count, 5, "the app's views were not found at \(Self.app.path)")
        return try files.map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    private func placeholders(_ value: String) -> [String] {
        let format = try! NSRegularExpression(pattern: #"%(?:\d+\$)?[@dsf]|%lld|%ld"#)
        return format.matches(in: value, range: NSRange(value.startIndex..., in: value))
            .compactMap { Range($0.range, in: value).map { String(value[$0]) } }
    }

    func testBothLanguagesHaveTheSameKeysAndPlaceholders() throws {
        let id = try strings("id"), en = try strings("en")
        XCTAssertGreaterThan(id.count, 50)
        XCTAssertEqual(Set(id.map(\.key)).count, id.count, "a key is written twice in id")
        XCTAssertEqual(id.map(\.key), en.map(\.key), "the same keys, in the same order")
        let english = Dictionary(uniqueKeysWithValues: en.map { ($0.key, $0.value) })
        for (key, value) in id {
            XCTAssertFalse(value.trimmingCharacters(in: .whitespaces).isEmpty, "id \(key) is empty")
            XCTAssertFalse(english[key, default: ""].trimmingCharacters(in: .whitespaces).isEmpty, "en \(key) is empty")
            XCTAssertEqual(placeholders(value), placeholders(english[key, default: ""]), key)
        }
    }

    func testEveryKeyAViewNamesExistsAndEveryKeyIsUsed() throws {
        let source = try views()
        let keys = Set(try strings("id").map(\.key))
        // The literals a view hands to a localising call: Text("key"), Button("key"),
        // TextField("key", …), NSLocalizedString("key", …), the views' own row("key", …) …
        let call = try NSRegularExpression(pattern:
            #"\b(?:Text|Button|TextField|SecureField|Toggle|Picker|Label|NavigationLink|navigationTitle|Section|row|field|NSLocalizedString)\("([a-z][a-z0-9_]*)""#)
        let named = Set(call.matches(in: source, range: NSRange(source.startIndex..., in: source))
            .compactMap { Range($0.range(at: 1), in: source).map { String(source[$0]) } })
        XCTAssertGreaterThan(named.count, 50, "the views' keys were not found")
        XCTAssertEqual(named.subtracting(keys).sorted(), [], "views name keys Localizable.strings lacks")
        let unused = keys.filter { !source.contains("\"\($0)\"") }
        XCTAssertEqual(unused.sorted(), [], "keys no view uses")
    }
}
