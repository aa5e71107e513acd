// The Android app: Jetpack Compose screens over the Rust core. Before every build, cargo-ndk
// compiles libsentra_ffi for the three ABIs into src/main/jniLibs, and uniffi-bindgen generates
// the Kotlin bindings with `android = true` (bindings/uniffi-android.toml) from the host build.
// Needs: Android Studio (or the SDK + Gradle), the NDK, `cargo install cargo-ndk`, and
// `rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

val workspace = rootDir.parentFile
val jniLibs = layout.projectDirectory.dir("src/main/jniLibs")
val generatedBindings = layout.buildDirectory.dir("generated/uniffi-android")
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

android {
    namespace = "id.sentra.app"
    compileSdk = 35
    ndkVersion = "27.2.12479018"

    defaultConfig {
        applicationId = "id.sentra.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += abis }
        resourceConfigurations += listOf("en", "in")
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    buildFeatures { compose = true }
    sourceSets["main"].java.srcDir(generatedBindings)
}

// 16 KB pages (Play, targetSdk 35): the workspace's .cargo/config.toml links arm64-v8a and x86_64
// with `-z max-page-size=16384`; a RUSTFLAGS variable in this task's environment would replace it.
// HTTPS needs nothing from the app: the core verifies certificates with roots bundled in the
// library, not rustls-platform-verifier (no JNI initialisation, no Kotlin component; SECURITY.md).
val cargoNdk by tasks.registering(Exec::class) {
    description = "Builds libsentra_ffi.so (the size-optimised `mobile` profile) for ${abis.joinToString()} with cargo-ndk."
    workingDir = workspace
    outputs.dir(jniLibs)
    val targets = abis.flatMap { listOf("-t", it) }
    commandLine(listOf("cargo", "ndk") + targets + listOf("-o", jniLibs.asFile.path, "build", "--profile", "mobile", "-p", "sentra-ffi"))
}

val hostLibrary by tasks.registering(Exec::class) {
    description = "Builds libsentra_ffi and uniffi-bindgen for this machine, to read the bindings' metadata."
    workingDir = workspace
    commandLine("cargo", "build", "-p", "sentra-ffi", "-p", "uniffi-bindgen")
}

val generateBindings by tasks.registering(Exec::class) {
    description = "Generates the Android Kotlin bindings (android = true) from the host library."
    dependsOn(hostLibrary)
    workingDir = workspace
    outputs.dir(generatedBindings)
    val extension = if (System.getProperty("os.name").startsWith("Mac")) "dylib" else "so"
    commandLine(
        "target/debug/uniffi-bindgen", "generate", "--no-format",
        "--library", "target/debug/libsentra_ffi.$extension",
        "--language", "kotlin", "--config", "bindings/uniffi-android.toml",
        "--out-dir", generatedBindings.get().asFile.path,
    )
}

tasks.named("preBuild") { dependsOn(cargoNdk, generateBindings) }

dependencies {
    implementation(project(":shared-logic"))
    implementation("${libs.jna.get()}@aar")
    implementation(libs.kotlinx.coroutines.android)
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.navigation.compose)
    implementation(libs.androidx.work.runtime)
    implementation(libs.androidx.security.crypto)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.compose.icons)
    implementation(libs.compose.tooling.preview)
    implementation(libs.coil.compose)
    debugImplementation(libs.compose.tooling)
}
