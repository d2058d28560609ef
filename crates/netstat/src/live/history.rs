//! The last minutes of a few numbers, for the States view's sparklines.

use std::collections::VecDeque;

/// Samples kept per series: ten minutes at the default interval.
pub const KEPT: usize = 600;

/// One number over time, oldest first, at most [`KEPT`] samples.
#[derive(Clone, Debug, Default)]
pub struct Series {
    values: VecDeque<u64>,
}

impl Series {
    pub fn push(&mut self, value: u64) {
        if self.values.len() == KEPT {
            self.values.pop_front();
        }
        self.values.push_back(value);
    }

    /// The last `n` samples (fewer while the history is short), oldest first.
    pub fn last(&self, n: usize) -> Vec<u64> {
        let skip = self.values.len().saturating_sub(n);
        self.values.iter().skip(skip).copied().collect()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_keeps_the_newest_samples() {
        let mut series = Series::default();
        for value in 0..(KEPT as u64 + 5) {
            series.push(value);
        }
        assert_eq!(series.len(), KEPT);
        assert_eq!(series.last(2), vec![KEPT as u64 + 3, KEPT as u64 + 4]);
        assert_eq!(series.last(KEPT * 2).first(), Some(&5));
    }
}
