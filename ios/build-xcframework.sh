#!/usr/bin/env bash
# Builds SentraFFIFFI.xcframework (the Rust core as static libraries for iPhone and the
# simulators) and generates the Swift bindings into Sources/SentraFFI/. Run on a Mac with
# Xcode and rustup:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   ios/build-xcframework.sh            (the size-optimised `mobile` profile; add --debug for a faster dev build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
profile=mobile
flag="--profile mobile"
[ "${1:-}" = "--debug" ] && profile=debug && flag=
cd "$root"

# The host build only supplies the metadata the bindings are generated from.
cargo build -p sentra-ffi -p uniffi-bindgen
generated="$here/build/generated"
rm -rf "$generated"
target/debug/uniffi-bindgen generate --no-format --library target/debug/libsentra_ffi.dylib \
    --language swift --out-dir "$generated"
mkdir -p "$here/Sources/SentraFFI"
cp "$generated/SentraFFI.swift" "$here/Sources/SentraFFI/SentraFFI.swift"

for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
    rustup target add "$target" >/dev/null
    # A static library for iOS without adding `staticlib` to every desktop build.
    cargo rustc $flag -p sentra-ffi --lib --crate-type staticlib --target "$target"
done

headers="$here/build/headers"
rm -rf "$headers"
mkdir -p "$headers"
cp "$generated/SentraFFIFFI.h" "$headers/"
cp "$generated/SentraFFIFFI.modulemap" "$headers/module.modulemap"

simulator="$here/build/simulator/libsentra_ffi.a"
mkdir -p "$(dirname "$simulator")"
lipo -create \
    "target/aarch64-apple-ios-sim/$profile/libsentra_ffi.a" \
    "target/x86_64-apple-ios/$profile/libsentra_ffi.a" \
    -output "$simulator"

rm -rf "$here/build/SentraFFIFFI.xcframework"
xcodebuild -create-xcframework \
    -library "target/aarch64-apple-ios/$profile/libsentra_ffi.a" -headers "$headers" \
    -library "$simulator" -headers "$headers" \
    -output "$here/build/SentraFFIFFI.xcframework"
echo "built $here/build/SentraFFIFFI.xcframework and Sources/SentraFFI/SentraFFI.swift"
