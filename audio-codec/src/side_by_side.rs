//! Several frames computed side by side: a per-frame sum over a frame's values (a filterbank,
//! a DCT) is a chain of additions that each wait for the one before; running the same chain
//! for [`FRAMES`] frames at once keeps the processor busy and lets it use vector instructions
//! across frames. Every frame's sums keep their order, so a frame gets the same values alone
//! (as a stream computes it) or among others.

/// Frames computed together.
pub(crate) const FRAMES: usize = 8;

/// Runs `group` on consecutive groups of [`FRAMES`] frames of `input` (`n_in` values a frame):
/// it gets, value by value, the frames' values side by side (converted to `T`), and writes
/// `n_out` values a frame into its output, frame after frame. The last group is completed with
/// frames of zeros whose outputs are dropped.
pub(crate) fn for_each_group<T: From<f32> + Copy + Default>(
    input: &[f32],
    n_in: usize,
    output: &mut [f32],
    n_out: usize,
    mut group: impl FnMut(&[[T; FRAMES]], &mut [f32]),
) {
    let mut values = vec![[T::default(); FRAMES]; n_in];
    let mut spare = Vec::new();
    let groups = input
        .chunks(FRAMES * n_in)
        .zip(output.chunks_mut(FRAMES * n_out));
    for (frames, out) in groups {
        for slot in values.iter_mut() {
            *slot = [T::default(); FRAMES];
        }
        for (f, frame) in frames.chunks_exact(n_in).enumerate() {
            for (slot, &x) in values.iter_mut().zip(frame) {
                slot[f] = T::from(x);
            }
        }
        if out.len() == FRAMES * n_out {
            group(&values, out);
        } else {
            spare.resize(FRAMES * n_out, 0.0);
            group(&values, &mut spare);
            out.copy_from_slice(&spare[..out.len()]);
        }
    }
}
