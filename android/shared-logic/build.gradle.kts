// The app logic that needs no Android: view-state holders, error text, rupiah. Compiled and
// tested on the JVM (scripts/test-bindings does the same with kotlinc, without Gradle).
//
// It compiles against the JVM flavour of the generated bindings (no android.* imports), kept in
// their own source set: `compileOnly` for main, so the app supplies its Android flavour at run
// time without duplicate classes; on the test classpath, so the tests drive the real library.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

kotlin {
    jvmToolchain(17)
}

val workspace = rootDir.parentFile
val generatedBindings = layout.buildDirectory.dir("generated/uniffi-jvm")
val hostLibrary = File(workspace, "target/debug/libsentra_ffi.so")

val buildHostLibrary by tasks.registering(Exec::class) {
    description = "Builds libsentra_ffi for this machine, the server and the bindgen (dev profile)."
    workingDir = workspace
    commandLine("cargo", "build", "-p", "sentra-ffi", "-p", "uniffi-bindgen", "-p", "sentra-server")
}

val generateJvmBindings by tasks.registering(Exec::class) {
    description = "Generates the JVM Kotlin bindings from the built library (library mode)."
    dependsOn(buildHostLibrary)
    workingDir = workspace
    outputs.dir(generatedBindings)
    commandLine(
        "target/debug/uniffi-bindgen", "generate", "--no-format", "--library", hostLibrary.path,
        "--language", "kotlin", "--out-dir", generatedBindings.get().asFile.path,
    )
}

val ffi: SourceSet by sourceSets.creating {
    kotlin.srcDir(generatedBindings)
}

tasks.named("compileFfiKotlin") { dependsOn(generateJvmBindings) }

dependencies {
    "ffiImplementation"(libs.jna)
    "ffiImplementation"(libs.kotlinx.coroutines.core)
    compileOnly(ffi.output)
    implementation(libs.kotlinx.coroutines.core)
    testImplementation(ffi.output)
    testImplementation(libs.jna)
    testImplementation(libs.kotlin.test.junit5)
    testImplementation(libs.junit.jupiter)
    testRuntimeOnly(libs.junit.platform.launcher)
}

// The benchmark program lives beside the tests (src/bench): `./gradlew :shared-logic:bench`.
val bench: SourceSet by sourceSets.creating {
    kotlin.srcDir("src/bench/kotlin")
    compileClasspath += ffi.output + configurations["ffiCompileClasspath"]
    runtimeClasspath += ffi.output + configurations["ffiRuntimeClasspath"]
}

tasks.register<JavaExec>("bench") {
    description = "p50 of one FFI call returning a 50-product page."
    classpath = bench.runtimeClasspath
    mainClass.set("id.sentra.app.bench.PageBenchmarkKt")
    systemProperty("jna.library.path", hostLibrary.parent)
}

tasks.test {
    useJUnitPlatform()
    dependsOn(buildHostLibrary)
    systemProperty("jna.library.path", hostLibrary.parent)
    environment("SENTRA_SERVER", File(workspace, "target/debug/sentra-server").path)
    environment("SENTRA_PHOTO", File(workspace, "bindings/fixtures/phone-photo.jpg").path)
}
