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

/// The shape of an image's or video's patches, without their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatchShape {
    pub rows: usize,
    pub values_per_patch: usize,
    /// `(grid_t, grid_h, grid_w)` in patches.
    pub grid_thw: [usize; 3],
}

impl Patches {
    /// Collects patches handed over row by row (see `Patchifier::patchify_rows`) into one
    /// allocation of the `expected` shape's size.
    pub fn collect(
        expected: PatchShape,
        make: impl FnOnce(&mut dyn FnMut(&[f32])) -> crate::Result<PatchShape>,
    ) -> crate::Result<Patches> {
        let mut data = Vec::with_capacity(expected.rows * expected.values_per_patch);
        let shape = make(&mut |row| data.extend_from_slice(row))?;
        Ok(Patches {
            data,
            rows: shape.rows,
            values_per_patch: shape.values_per_patch,
            grid_thw: shape.grid_thw,
        })
    }
}
