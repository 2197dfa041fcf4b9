//! Patches: what a model's vision encoder reads.

/// The patches of one image or video, one row each.
#[derive(Debug, Clone, PartialEq)]
pub struct Patches {
    /// `[rows, values_per_patch]`, row after row.
    pub data: Vec<f32>,
    pub rows: usize,
    pub values_per_patch: usize,
    /// `(grid_t, grid_h, grid_w)` in patches.
    pub grid_thw: [usize; 3],
}
