//! [`IdRange`], a named half-open range of IDs, and the check that ranges do not overlap.

use serde::{Deserialize, Serialize};

use crate::{TokenId, VocabError};

/// A named half-open range of token IDs, `start..end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRange {
    /// What the range holds, e.g. `"text"` or `"special"`.
    pub name: String,
    /// First ID of the range.
    pub start: TokenId,
    /// One past the last ID of the range.
    pub end: TokenId,
}

impl IdRange {
    /// A range named `name` covering `start..end`.
    pub fn new(name: impl Into<String>, start: TokenId, end: TokenId) -> Self {
        Self {
            name: name.into(),
            start,
            end,
        }
    }

    /// Number of IDs in the range.
    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the range holds no ID.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `id` lies in the range.
    pub fn contains(&self, id: TokenId) -> bool {
        (self.start..self.end).contains(&id)
    }
}

/// Checks that `ranges` are well formed, pairwise disjoint and uniquely named.
pub fn check_disjoint(ranges: &[IdRange]) -> Result<(), VocabError> {
    for range in ranges {
        if range.end < range.start {
            return Err(VocabError::Inverted {
                name: range.name.clone(),
                start: range.start,
                end: range.end,
            });
        }
    }
    let mut sorted: Vec<&IdRange> = ranges.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in sorted.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(VocabError::DuplicateName {
                name: pair[0].name.clone(),
            });
        }
    }
    // Sorted by start, a range overlaps an earlier one exactly when it starts before the
    // furthest end seen so far. Empty ranges hold no ID and overlap nothing.
    sorted.retain(|r| !r.is_empty());
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut furthest: Option<&IdRange> = None;
    for range in sorted {
        if let Some(previous) = furthest {
            if range.start < previous.end {
                return Err(VocabError::Overlap {
                    first: previous.name.clone(),
                    second: range.name.clone(),
                    id: range.start,
                });
            }
        }
        if furthest.is_none_or(|f| range.end > f.end) {
            furthest = Some(range);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disjoint_ranges_pass() {
        let ranges = [IdRange::new("text", 0, 10), IdRange::new("special", 10, 12)];
        assert_eq!(check_disjoint(&ranges), Ok(()));
    }

    #[test]
    fn overlap_is_reported_with_the_first_shared_id() {
        let ranges = [IdRange::new("special", 8, 12), IdRange::new("text", 0, 10)];
        assert_eq!(
            check_disjoint(&ranges),
            Err(VocabError::Overlap {
                first: "text".into(),
                second: "special".into(),
                id: 8
            })
        );
    }

    #[test]
    fn duplicate_names_and_inverted_ranges_are_errors() {
        let dup = [IdRange::new("a", 0, 1), IdRange::new("a", 5, 6)];
        assert!(matches!(
            check_disjoint(&dup),
            Err(VocabError::DuplicateName { .. })
        ));
        let inv = [IdRange::new("a", 5, 1)];
        assert!(matches!(
            check_disjoint(&inv),
            Err(VocabError::Inverted { .. })
        ));
    }

    #[test]
    fn a_range_inside_a_long_one_is_found_past_its_neighbours() {
        let ranges = [
            IdRange::new("long", 0, 100),
            IdRange::new("a", 100, 110),
            IdRange::new("inside", 50, 60),
        ];
        assert_eq!(
            check_disjoint(&ranges),
            Err(VocabError::Overlap {
                first: "long".into(),
                second: "inside".into(),
                id: 50
            })
        );
    }

    #[test]
    fn empty_ranges_never_overlap() {
        let ranges = [IdRange::new("a", 0, 10), IdRange::new("b", 5, 5)];
        assert_eq!(check_disjoint(&ranges), Ok(()));
        assert!(ranges[1].is_empty());
        assert!(ranges[0].contains(9) && !ranges[0].contains(10));
    }
}
