//! The endpoints' error bodies (API.md §0) → the message a person should read.

use serde_json::Value;

/// The endpoint's own message from any documented error shape, else the raw text.
pub(crate) fn message_of(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return String::from_utf8_lossy(body).trim().to_string();
    };
    // Array: {"errors": [{"context", "message"}]}
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        let msgs: Vec<String> = errors.iter().filter_map(array_error).collect();
        if !msgs.is_empty() {
            return msgs.join("; ");
        }
    }
    // Neutron: {"NeutronError": {"type", "message", "detail"}} (older ones: a plain string)
    if let Some(ne) = v.get("NeutronError") {
        if let Some(s) = ne.as_str() {
            return s.to_string();
        }
        if let Some(m) = ne.get("message").and_then(Value::as_str) {
            return m.to_string();
        }
    }
    // Keystone {"error": {...}}, Nova/Cinder {"itemNotFound": {"code", "message"}} and kin.
    if let Some(obj) = v.as_object() {
        for inner in obj.values() {
            if let Some(m) = inner.get("message").and_then(Value::as_str) {
                return m.to_string();
            }
        }
        if let Some(m) = obj.get("message").and_then(Value::as_str) {
            return m.to_string();
        }
    }
    v.to_string()
}

fn array_error(e: &Value) -> Option<String> {
    let message = e.get("message").and_then(Value::as_str)?;
    match e.get("context").and_then(Value::as_str) {
        Some(ctx) if !ctx.is_empty() => Some(format!("{ctx}: {message}")),
        _ => Some(message.to_string()),
    }
}
