//! `uniffi-bindgen`: generates the Kotlin, Swift and Python bindings from the built
//! `libsentra_ffi` (library mode), e.g.
//! `uniffi-bindgen generate --library target/debug/libsentra_ffi.so --language kotlin --out-dir OUT`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
