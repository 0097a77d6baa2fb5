//! The OpenAPI 3.1 document of `/api/v1`, built from the one route table
//! (`api::ROUTES`) so the document and the router list the same routes.
//!
//! Invariants: every route in `api::ROUTES` appears once under its method; all but the
//! document itself and the public checks require the bearer scheme.

use serde_json::{Map, Value, json};

use super::api::ROUTES;

/// Routes a client may call without a token (the checks only when the operator turned
/// public checks on).
const OPEN_ROUTES: &[&str] = &["/api/v1/openapi.json"];

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, summary) in ROUTES {
        let mut operation = json!({
            "summary": summary,
            "responses": {
                "200": {"description": "OK"},
                "default": {
                    "description": "An error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                }
            }
        });
        if !OPEN_ROUTES.contains(path) {
            operation["security"] = json!([{"bearer": []}]);
        }
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[*method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "sellerguard", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
                }
            }
        }
    })
}
