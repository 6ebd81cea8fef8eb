//! What the widget does differently from the obvious standard-library call, because the
//! obvious call costs the bundle at least 1 KB gzip. Each rule is enforced where a tool
//! can enforce it (`clippy.toml`, `scripts/size-budget.mjs`); the figures are what the
//! standard call measured in the release build (docs/size.md).
//!
//! - **No library sort** (+2.0 KB): the list sorted at run time, the transcript entries
//!   changed since the last frame, is nearly sorted already; [`sort_nearly_sorted`]
//!   orders it in linear time with no code of the library's sorts.
//! - **No `HashMap` or `HashSet`** (+1.4 KB: SipHash and a copy of the hash table per
//!   key type): the widget's lookups have a handful of keys, kept in a `Vec` of pairs.
//! - **No float formatting** (+7.6 KB: core's `flt2dec`): numbers are shown as whole
//!   numbers (cast to an integer first), and times by the browser's `Intl`. serde_json
//!   writes the kept conversation's times with its own, smaller, routine.
//!
//! Measured and dropped, for costing less than 1 KB: a `join` of the widget's own
//! (the library's is 0.9 KB more), one-pass placeholder filling instead of
//! `str::replace` (0.7 KB; kept for another reason, see `i18n::fill_in`).

/// Sorts `items` ascending by insertion: linear when they are nearly in order, as the
/// changed-entry indices are (appends in order, a receipt touching one older entry).
pub fn sort_nearly_sorted<T: PartialOrd>(items: &mut [T]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && items[j - 1] > items[j] {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearly_sorted_and_reversed_lists_come_out_ascending() {
        for (mut items, sorted) in [
            (vec![0, 1, 2, 7, 3, 8], vec![0, 1, 2, 3, 7, 8]),
            (vec![5, 4, 3, 2, 1], vec![1, 2, 3, 4, 5]),
            (vec![2, 2, 1], vec![1, 2, 2]),
            (vec![], vec![]),
        ] {
            sort_nearly_sorted(&mut items);
            assert_eq!(items, sorted);
        }
    }
}
