//! Handing out a listing a plugin read whole, page by page: the cursor is the offset of the
//! next page, so the host can ask for them in order and nothing is read twice.

use crate::ConnectorError;

/// The page of `all` that starts at `cursor` (`None`: the first), at most `size` items, and
/// the cursor of the next page (`None` after the last). A cursor this function did not make
/// is refused as invalid.
pub fn page<T: Clone>(
    all: &[T],
    cursor: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), ConnectorError> {
    let start = match cursor {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| {
            ConnectorError::invalid("cursor", format!("`{c}` is not this plugin's cursor"))
        })?,
    };
    let end = start.saturating_add(size.max(1)).min(all.len());
    let items = all.get(start..end).unwrap_or_default().to_vec();
    let next = (end < all.len()).then(|| end.to_string());
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_their_cursors_to_the_end() {
        let all: Vec<u32> = (0..5).collect();
        assert_eq!(
            page(&all, None, 2).expect("a page"),
            (vec![0, 1], Some("2".into()))
        );
        assert_eq!(page(&all, Some("4"), 2).expect("a page"), (vec![4], None));
        assert_eq!(page(&all, Some("9"), 2).expect("a page"), (vec![], None));
        assert!(page(&all, Some("x"), 2).is_err());
    }
}
