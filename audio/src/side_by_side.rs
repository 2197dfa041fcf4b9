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
/// frames of zeros whose outputs are dropped. Frames without values or without outputs have
/// nothing to compute.
pub(crate) fn for_each_group<T: From<f32> + Copy + Default>(
    input: &[f32],
    n_in: usize,
    output: &mut [f32],
    n_out: usize,
    mut group: impl FnMut(&[[T; FRAMES]], &mut [f32]),
) {
    if n_in == 0 || n_out == 0 {
        return;
    }
    let mut values = vec![[T::default(); FRAMES]; n_in];
    let mut spare = Vec::new();
    let groups = input
        .chunks(FRAMES * n_in)
        .zip(output.chunks_mut(FRAMES * n_out));
    for (frames, out) in groups {
        if frames.len() < FRAMES * n_in {
            // The last group: the frames it lacks are zeros, not the previous group's values.
            values.fill([T::default(); FRAMES]);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Per frame: the running sum of its values, weighted by the output's index plus one.
    fn weighted_sums(input: &[f32], n_in: usize, n_out: usize) -> Vec<f32> {
        let mut output = vec![f32::NAN; input.len() / n_in * n_out];
        for_each_group(
            input,
            n_in,
            &mut output,
            n_out,
            |values: &[[f32; FRAMES]], out| {
                for k in 0..n_out {
                    let mut sums = [-0.0f32; FRAMES];
                    for value in values {
                        for (sum, &x) in sums.iter_mut().zip(value) {
                            *sum += (k + 1) as f32 * x;
                        }
                    }
                    for (f, sum) in sums.iter().enumerate() {
                        out[f * n_out + k] = *sum;
                    }
                }
            },
        );
        output
    }

    #[test]
    fn a_frame_gets_the_same_values_alone_or_among_others() {
        let (n_in, n_out) = (3, 2);
        for frames in [1, 7, 8, 9, 19] {
            let input: Vec<f32> = (0..frames * n_in).map(|i| (i as f32).sin() * 1e3).collect();
            let together = weighted_sums(&input, n_in, n_out);
            let alone: Vec<f32> = input
                .chunks(n_in)
                .flat_map(|frame| weighted_sums(frame, n_in, n_out))
                .collect();
            assert_eq!(together, alone, "{frames} frames");
            let first = input[0] + input[1] + input[2];
            assert_eq!((together[0], together[1]), (first, 2.0 * first));
        }
        assert!(weighted_sums(&[], n_in, n_out).is_empty());
    }
}
