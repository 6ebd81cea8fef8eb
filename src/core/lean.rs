//! Small stand-ins for standard-library helpers whose generic code would cost the
//! widget more bytes than the few lines written here.

/// `parts` with `separator` between them. Written out because the standard `join`
/// adds its own generic copy per element type to the widget.
pub fn join_with<'a>(parts: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_joined_with_the_separator_between_them() {
        assert_eq!(
            join_with(["You", "10:04", "Delivered"], " · "),
            "You · 10:04 · Delivered"
        );
        assert_eq!(join_with(["only"], ", "), "only");
        assert_eq!(join_with([], ", "), "");
    }
}
