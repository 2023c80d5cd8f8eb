//! Reading members of parsed JSON (`serde_json::Value`) by name, in one place.
//!
//! The identity provider's configuration, key sets, headers and claims are read from `Value`s by
//! hand, since every derived deserializer adds its own code to the size-budgeted bundle. A lookup
//! left to inline would copy the object-map search into every caller, so these stay out of line.

use serde_json::Value;

/// The member `name` of an object (`None` for a missing member, or when `value` is no object).
#[inline(never)]
pub fn member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object()?.get(name)
}

/// The member `name` when it is a string.
#[inline(never)]
pub fn text<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    member(value, name)?.as_str()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn members_are_found_by_name_in_objects_only() {
        let value = json!({ "a": "x", "n": 1 });
        assert_eq!(text(&value, "a"), Some("x"));
        assert_eq!(member(&value, "n"), Some(&json!(1)));
        assert_eq!(text(&value, "n"), None, "not a string");
        assert_eq!(member(&value, "b"), None);
        assert_eq!(member(&json!(["a"]), "a"), None, "not an object");
    }
}
