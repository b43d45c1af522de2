//! A person's fields as a form or JSON sends them (field key → text), checked by the same
//! rules as an imported row; used by the API and the pages alike.
use std::collections::HashMap;

use wangge_domain::person_input::PersonInput;
use wangge_sheet::person_fields;
use wangge_store::StoreError;

/// Parses the fields; for an edit, `current` is the person's (ID number, name): the number
/// cannot change and the name is kept when none is given. Unknown keys and bad values are
/// errors naming the field.
pub fn person_input(
    fields: &HashMap<String, String>,
    current: Option<(&str, &str)>,
) -> Result<PersonInput, StoreError> {
    if let Some(key) = fields
        .keys()
        .find(|k| !person_fields().iter().any(|f| f.key == *k))
    {
        return Err(StoreError::invalid("field", format!("未知字段“{key}”")));
    }
    PersonInput::parse(|k| match (k, current) {
        ("id_number", Some((number, _))) => Some(number),
        ("name", Some((_, name))) => Some(
            fields
                .get(k)
                .map(String::as_str)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(name),
        ),
        _ => fields.get(k).map(String::as_str),
    })
    .map_err(|errors| {
        let field = errors.first().map_or("field", |e| e.field);
        let message = errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；");
        StoreError::invalid(field, message)
    })
}
