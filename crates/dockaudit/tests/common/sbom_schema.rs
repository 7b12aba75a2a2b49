//! The published CycloneDX 1.6 and SPDX 2.3 JSON schemas (tests/data/sbom-schemas, see its
//! NOTICE.md) as validators, for the tests that check dockaudit's bills of materials.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

fn manifest(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for a published schema; the CycloneDX one refers to its SPDX licence list and its
/// JSF signature schema by relative URL, handed over here (no network).
pub fn validator(schema_file: &str) -> jsonschema::Validator {
    let dir = manifest("tests/data/sbom-schemas");
    let schema = read_json(&dir.join(schema_file));
    let mut options = jsonschema::options().should_validate_formats(true);
    for (uri, file) in [
        (
            "http://cyclonedx.org/schema/spdx.schema.json",
            "spdx.schema.json",
        ),
        (
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            "jsf-0.82.schema.json",
        ),
    ] {
        let resource = jsonschema::Resource::from_contents(read_json(&dir.join(file)))
            .expect("a schema resource");
        options = options.with_resource(uri, resource);
    }
    options.build(&schema).expect("the schema compiles")
}

pub fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid:\n{}",
        errors.join("\n")
    );
}
