//! Printing results: one JSON object with `--json`, readable lines otherwise.

use serde::Serialize;

/// Prints `value` as the single JSON object on stdout.
pub fn json(value: &impl Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("results serialise")
    );
}

/// A short rendering of a long vector for terminals.
pub fn preview(values: &[f64]) -> String {
    const SHOWN: usize = 8;
    let head: Vec<String> = values.iter().take(SHOWN).map(|v| format!("{v}")).collect();
    if values.len() > SHOWN {
        format!("[{}, ... ({} values)]", head.join(", "), values.len())
    } else {
        format!("[{}]", head.join(", "))
    }
}

/// A short rendering of `y`: one vector, or the first of a batch and the count.
pub fn preview_value(y: &serde_json::Value) -> String {
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default()
    };
    match y.as_array() {
        Some(items) if items.first().is_some_and(serde_json::Value::is_array) => format!(
            "{} vectors; the first: {}",
            items.len(),
            preview(&floats(&items[0]))
        ),
        _ => preview(&floats(y)),
    }
}

/// The warning shown whenever the development SRS was used.
pub const UNSAFE_SRS: &str =
    "UNSAFE: development SRS (its secret is public; proofs under it can be forged)";
