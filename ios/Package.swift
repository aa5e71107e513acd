// swift-tools-version:5.9
// SentraKit: the Swift package around Sentra's Rust core. `build-xcframework.sh` builds the
// static libraries into build/SentraFFIFFI.xcframework and generates Sources/SentraFFI/
// (the UniFFI Swift bindings); neither is committed. SentraKit adds the app logic that needs
// no UI (rupiah, error text, sync policy, accounts on a shared phone, the token in the Keychain).
import PackageDescription

let package = Package(
    name: "SentraKit",
    defaultLocalization: "id",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "SentraKit", targets: ["SentraKit", "SentraFFI"]),
    ],
    targets: [
        .binaryTarget(name: "SentraFFIFFI", path: "build/SentraFFIFFI.xcframework"),
        .target(name: "SentraFFI", dependencies: ["SentraFFIFFI"], path: "Sources/SentraFFI"),
        .target(name: "SentraKit", dependencies: ["SentraFFI"], path: "Sources/SentraKit"),
        .testTarget(name: "SentraKitTests", dependencies: ["SentraKit"], path: "Tests/SentraKitTests"),
    ]
)
