// swift-tools-version:5.9
// SentraKit: the Swift package around Sentra's Rust core. SentraKit adds the app logic that needs
// no UI (rupiah, error text, sync policy, accounts on a shared phone, the token in the Keychain,
// the facilitator's producers, regions, clusters and product picker, refusals, order alerts and
// the photo policy); the SwiftUI views in SentraApp/ only draw it.
// The generated Swift bindings (Sources/SentraFFI/SentraFFI.swift) are never committed.
//
// On Apple platforms `build-xcframework.sh` builds the static libraries into
// build/SentraFFIFFI.xcframework and generates the bindings. On Linux `scripts/test-swift` lays
// the package out in a Swift 6 chroot with the generated C header and a module map that links the
// host's libsentra_ffi.so in Sources/SentraFFIFFI/, and runs SentraKitTests there.
import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "SentraFFIFFI", path: "Sources/SentraFFIFFI")
#else
let ffi: Target = .binaryTarget(name: "SentraFFIFFI", path: "build/SentraFFIFFI.xcframework")
#endif

let package = Package(
    name: "SentraKit",
    defaultLocalization: "id",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "SentraKit", targets: ["SentraKit", "SentraFFI"]),
    ],
    targets: [
        ffi,
        .target(name: "SentraFFI", dependencies: ["SentraFFIFFI"], path: "Sources/SentraFFI",
                exclude: ["README.md"]),
        .target(name: "SentraKit", dependencies: ["SentraFFI"], path: "Sources/SentraKit"),
        .testTarget(name: "SentraKitTests", dependencies: ["SentraKit"], path: "Tests/SentraKitTests"),
    ]
)
