// The app imports SentraKit and gets the generated bindings' types with it.
@_exported import SentraFFI
