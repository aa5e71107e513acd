// Sentra's Android project: the Compose app, and the plain-Kotlin logic it shares with the JVM
// tests. The Rust core is built by cargo-ndk and reached through UniFFI (see app/build.gradle.kts).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "sentra"
include(":app", ":shared-logic")
