"""One module per FHIR resource type, between the domain models and FHIR JSON.

Each module exposes `to_fhir(obj, *, request) -> dict` and declares the type it
serves as a module-level `RESOURCE` (a clinic.fhir.registry.ResourceType); the
registry finds every module here that has one. See docs/fhir.md.
"""
