//! A VQ codebook of image patches learned by mini-batch k-means (Sculley, 2010), and images
//! encoded to code indices with it and decoded back.
//!
//! A patch is `patch_size x patch_size` RGB pixels, `patch_size² · 3` values in row, column,
//! channel order; a code is such a patch of real values. An image is cut into a grid of
//! patches (its right and bottom edges repeated up to a multiple of the patch size), each patch
//! is replaced by the index of its nearest code (squared Euclidean distance, the lower index on
//! a tie), and decoding puts the codes back in place, rounded to bytes and cropped to the
//! original size.
//!
//! Training ([`train`]): the codes start as distinct patches drawn at random from the training
//! set; each epoch visits the patches in a fresh random order, in batches; every batch is
//! assigned to the codes as they stand, then each code moves to the running mean of all the
//! patches ever assigned to it (`c += Σ(x - c) / n`, `n` counting every patch it has taken).
//! A code that no patch chose during an epoch is moved onto a random training patch for the
//! next one. The generator is ChaCha8 seeded with `seed`; the nearest-code search splits patches
//! across threads but computes every distance with the same products whatever the split, and
//! the updates are applied in sample order: the same patches and settings give the same
//! codebook on every run and for any thread count.
//!
//! Files ([`Codebook::to_bytes`], [`Codebook::from_bytes`], [`Codebook::read_file`]): safetensors with one float32
//! tensor `codes` of shape `[size, patch_size, patch_size, 3]` on the 0..255 pixel scale, and
//! one metadata entry, `format = omnitok-vq-codebook/1` (one entry, so that the file's bytes do
//! not depend on the order of a map).

use std::collections::{HashMap, HashSet};

use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Result, VisionError};
use crate::image::RgbImage;

/// Patches searched together per thread, and codes per matrix product.
const ROWS_PER_TASK: usize = 64;
const CODES_PER_PRODUCT: usize = 4096;

/// The `format` metadata value of a codebook file.
pub const FILE_FORMAT: &str = "omnitok-vq-codebook/1";

/// The largest codebook file [`Codebook::read_file`] reads: 1 GiB (a codebook of 65,536 codes of
/// 16 x 16 patches is 192 MiB). Reading stops there, whatever size the file claims to have.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// A codebook: `size` codes of `patch_size x patch_size` RGB pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebook {
    patch_size: usize,
    /// `[size, values]`, each value `pixel / 255 - ½` (centred, so that the products that find
    /// the nearest code keep their precision).
    codes: Array2<f32>,
    /// `½ ‖code‖²` of each code.
    half_norms: Vec<f32>,
}

/// Patches of `patch_size x patch_size` RGB pixels, `patch_size² · 3` bytes each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchSet {
    pub patch_size: usize,
    pub data: Vec<u8>,
}

/// The grid of code indices of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrid {
    /// Row after row, `grid_h · grid_w` indices.
    pub indices: Vec<u32>,
    pub grid_h: usize,
    pub grid_w: usize,
}

impl CodeGrid {
    /// The grids of a video's frames (all of one size) as one `[frames, grid_h, grid_w]`
    /// array of indices, and that shape (all 0 for no grids).
    pub fn stack(grids: &[CodeGrid]) -> Result<(Vec<u32>, [usize; 3])> {
        let (h, w) = grids.first().map_or((0, 0), |g| (g.grid_h, g.grid_w));
        if let Some(other) = grids.iter().find(|g| (g.grid_h, g.grid_w) != (h, w)) {
            return Err(VisionError::BadParameter(format!(
                "the code grids of a video must have one size: {h} x {w} and {} x {}",
                other.grid_h, other.grid_w
            )));
        }
        let indices = grids
            .iter()
            .flat_map(|g| g.indices.iter().copied())
            .collect();
        Ok((indices, [grids.len(), h, w]))
    }
}

/// The side of a codebook's patches, in pixels, when none is given.
pub const DEFAULT_PATCH_SIZE: usize = 8;

/// How a codebook is trained by mini-batch k-means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KMeansConfig {
    /// Number of codes.
    pub size: usize,
    /// Passes over the training patches.
    pub epochs: usize,
    /// Patches per update.
    pub batch_size: usize,
    pub seed: u64,
}

impl Default for KMeansConfig {
    fn default() -> Self {
        Self {
            size: 1024,
            epochs: 5,
            batch_size: 8192,
            seed: 0,
        }
    }
}

/// What one epoch of training measured, on the assignments it made (before each batch's
/// update).
#[derive(Debug, Clone, PartialEq)]
pub struct EpochReport {
    pub epoch: usize,
    /// Mean squared error per value, on the 0..255 scale.
    pub mse: f64,
    /// `10 log10(255² / mse)`.
    pub psnr: f64,
    /// Codes that no patch chose (moved onto random patches unless it was the last epoch).
    pub unused: usize,
}

/// Largest side of a patch, in pixels: far above any model's (8 to 32), and small enough that a
/// patch's buffers stay small.
pub const MAX_PATCH_SIZE: usize = 256;

/// Checks that a patch side is between 1 and [`MAX_PATCH_SIZE`] pixels.
pub fn check_patch_size(patch_size: usize) -> Result<()> {
    if (1..=MAX_PATCH_SIZE).contains(&patch_size) {
        Ok(())
    } else {
        Err(VisionError::BadParameter(format!(
            "a patch size of {patch_size} pixels: it must be 1 to {MAX_PATCH_SIZE}"
        )))
    }
}

impl PatchSet {
    /// An empty set of `patch_size x patch_size` patches.
    pub fn new(patch_size: usize) -> Result<Self> {
        check_patch_size(patch_size)?;
        Ok(Self {
            patch_size,
            data: Vec::new(),
        })
    }

    /// Values per patch.
    pub fn values(&self) -> usize {
        self.patch_size * self.patch_size * 3
    }

    /// Number of patches.
    pub fn len(&self) -> usize {
        self.data.len() / self.values()
    }

    /// Whether there are no patches.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Adds the patches of `image` whose corners lie `stride` pixels apart (`stride =
    /// patch_size`: the tiling that encoding uses, edges repeated; a smaller stride adds
    /// overlapping patches inside the image).
    pub fn add_image(&mut self, image: &RgbImage, stride: usize) -> Result<()> {
        let p = self.patch_size;
        if stride == 0 {
            return Err(VisionError::BadParameter("a stride of 0".into()));
        }
        if stride == p {
            let padded = pad_to_multiple(image, p);
            for y in (0..padded.height).step_by(p) {
                for x in (0..padded.width).step_by(p) {
                    push_patch(&mut self.data, &padded, x, y, p);
                }
            }
        } else if image.width >= p && image.height >= p {
            for y in (0..=image.height - p).step_by(stride) {
                for x in (0..=image.width - p).step_by(stride) {
                    push_patch(&mut self.data, image, x, y, p);
                }
            }
        }
        Ok(())
    }
}

fn push_patch(out: &mut Vec<u8>, image: &RgbImage, x: usize, y: usize, p: usize) {
    for row in y..y + p {
        out.extend_from_slice(&image.row(row)[x * 3..(x + p) * 3]);
    }
}

/// `image` with its last column and row repeated up to multiples of `p`.
fn pad_to_multiple(image: &RgbImage, p: usize) -> std::borrow::Cow<'_, RgbImage> {
    let (width, height) = (image.width.div_ceil(p) * p, image.height.div_ceil(p) * p);
    if (width, height) == (image.width, image.height) {
        return std::borrow::Cow::Borrowed(image);
    }
    let mut data = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let row = image.row(y.min(image.height - 1));
        data.extend_from_slice(row);
        let last = &row[row.len() - 3..];
        for _ in image.width..width {
            data.extend_from_slice(last);
        }
    }
    std::borrow::Cow::Owned(RgbImage {
        width,
        height,
        data,
    })
}

fn centred(byte: u8) -> f32 {
    f32::from(byte) / 255.0 - 0.5
}

fn to_byte(value: f32) -> u8 {
    ((value + 0.5) * 255.0).round().clamp(0.0, 255.0) as u8
}

/// `rows` patches of `set` as centred values.
fn centred_rows(set: &PatchSet, rows: impl ExactSizeIterator<Item = usize>) -> Array2<f32> {
    let values = set.values();
    let count = rows.len();
    let mut data = Vec::with_capacity(count * values);
    for row in rows {
        data.extend(
            set.data[row * values..(row + 1) * values]
                .iter()
                .map(|&b| centred(b)),
        );
    }
    Array2::from_shape_vec((count, values), data).expect("rows of `values` values")
}

impl Codebook {
    fn from_codes(patch_size: usize, codes: Array2<f32>) -> Self {
        let half_norms = codes
            .outer_iter()
            .map(|c| 0.5 * c.dot(&c))
            .collect::<Vec<f32>>();
        Self {
            patch_size,
            codes,
            half_norms,
        }
    }

    /// Number of codes.
    pub fn size(&self) -> usize {
        self.codes.nrows()
    }

    /// Side of a patch in pixels.
    pub fn patch_size(&self) -> usize {
        self.patch_size
    }

    /// Code `index` as `patch_size² · 3` bytes (row, column, channel).
    pub fn code_pixels(&self, index: u32) -> Result<Vec<u8>> {
        let row = self.check_index(index, 0)?;
        Ok(self.codes.row(row).iter().map(|&v| to_byte(v)).collect())
    }

    fn check_index(&self, index: u32, position: usize) -> Result<usize> {
        let row = index as usize;
        if row >= self.size() {
            return Err(VisionError::BadParameter(format!(
                "index {index} at position {position} is outside the {} codes",
                self.size()
            )));
        }
        Ok(row)
    }

    /// The nearest code of each row of `vectors` (centred values), and its squared distance.
    fn nearest(&self, vectors: ArrayView2<f32>) -> (Vec<u32>, Vec<f32>) {
        let n = vectors.nrows();
        let mut indices = vec![0u32; n];
        let mut distances = vec![0f32; n];
        indices
            .par_chunks_mut(ROWS_PER_TASK)
            .zip(distances.par_chunks_mut(ROWS_PER_TASK))
            .enumerate()
            .for_each(|(task, (indices, distances))| {
                let start = task * ROWS_PER_TASK;
                let rows = vectors.slice(s![start..start + indices.len(), ..]);
                self.nearest_block(rows, indices, distances);
            });
        (indices, distances)
    }

    fn nearest_block(&self, rows: ArrayView2<f32>, indices: &mut [u32], distances: &mut [f32]) {
        let n = rows.nrows();
        let mut best = vec![f32::NEG_INFINITY; n];
        let mut products = Array2::<f32>::zeros((n, CODES_PER_PRODUCT.min(self.size())));
        for first in (0..self.size()).step_by(CODES_PER_PRODUCT) {
            let last = (first + CODES_PER_PRODUCT).min(self.size());
            let codes = self.codes.slice(s![first..last, ..]);
            let mut block = products.slice_mut(s![.., ..last - first]);
            general_mat_mul(1.0, &rows, &codes.t(), 0.0, &mut block);
            for (r, scores) in block.outer_iter().enumerate() {
                for (k, &product) in scores.iter().enumerate() {
                    // The nearest code maximises x·c - ½‖c‖².
                    let score = product - self.half_norms[first + k];
                    if score > best[r] {
                        best[r] = score;
                        indices[r] = (first + k) as u32;
                    }
                }
            }
        }
        for (r, row) in rows.outer_iter().enumerate() {
            distances[r] = (row.dot(&row) - 2.0 * best[r]).max(0.0);
        }
    }

    /// The code grid of `image`.
    pub fn encode(&self, image: &RgbImage) -> Result<CodeGrid> {
        let mut patches = PatchSet::new(self.patch_size)?;
        patches.add_image(image, self.patch_size)?;
        let vectors = centred_rows(&patches, 0..patches.len());
        let (indices, _) = self.nearest(vectors.view());
        Ok(CodeGrid {
            indices,
            grid_h: image.height.div_ceil(self.patch_size),
            grid_w: image.width.div_ceil(self.patch_size),
        })
    }

    /// The image of `grid`, cropped to `width` x `height` (at most the grid's size in pixels).
    pub fn decode(&self, grid: &CodeGrid, width: usize, height: usize) -> Result<RgbImage> {
        let p = self.patch_size;
        if grid.indices.len() != grid.grid_h * grid.grid_w {
            return Err(VisionError::BadParameter(format!(
                "{} indices do not fill a {} x {} grid",
                grid.indices.len(),
                grid.grid_h,
                grid.grid_w
            )));
        }
        if width > grid.grid_w * p || height > grid.grid_h * p {
            return Err(VisionError::BadParameter(format!(
                "a {} x {} grid of {p}-pixel patches cannot fill {width} x {height} pixels",
                grid.grid_w, grid.grid_h
            )));
        }
        let mut data = vec![0u8; width * height * 3];
        for (position, &index) in grid.indices.iter().enumerate() {
            let code = self.codes.row(self.check_index(index, position)?);
            let (gy, gx) = (position / grid.grid_w, position % grid.grid_w);
            for dy in 0..p {
                let y = gy * p + dy;
                if y >= height {
                    break;
                }
                for dx in 0..p.min(width.saturating_sub(gx * p)) {
                    let x = gx * p + dx;
                    for c in 0..3 {
                        data[(y * width + x) * 3 + c] = to_byte(code[(dy * p + dx) * 3 + c]);
                    }
                }
            }
        }
        RgbImage::new(width, height, data)
    }

    /// The SHA-256 of the codebook's file ([`Codebook::to_bytes`]) in hex: what a layout
    /// records of it.
    pub fn checksum(&self) -> Result<String> {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.to_bytes()?);
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The codebook as a safetensors file.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let p = self.patch_size;
        let bytes: Vec<u8> = self
            .codes
            .iter()
            .flat_map(|&v| ((v + 0.5) * 255.0).to_le_bytes())
            .collect();
        let view = safetensors::tensor::TensorView::new(
            safetensors::Dtype::F32,
            vec![self.size(), p, p, 3],
            &bytes,
        )
        .map_err(|e| VisionError::BadParameter(format!("codebook tensor: {e}")))?;
        let metadata = HashMap::from([("format".to_owned(), FILE_FORMAT.to_owned())]);
        safetensors::tensor::serialize([("codes", view)], Some(metadata))
            .map_err(|e| VisionError::BadParameter(format!("codebook file: {e}")))
    }

    /// A codebook from its file (as [`Codebook::to_bytes`] writes it); at most
    /// [`MAX_FILE_BYTES`] bytes are read, so that an endless file is an error and not an ever
    /// larger buffer.
    pub fn read_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = read_bounded(path, MAX_FILE_BYTES)?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// A codebook from a file written by [`Codebook::to_bytes`] (`path` names it in errors).
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Self> {
        let bad = |message: String| VisionError::BadInput {
            path: path.to_owned(),
            message,
        };
        let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let format = metadata
            .metadata()
            .as_ref()
            .and_then(|m| m.get("format"))
            .map(String::as_str);
        if format != Some(FILE_FORMAT) {
            let found = format.map_or_else(|| "missing".to_owned(), |f| format!("{f:?}"));
            return Err(bad(format!(
                "metadata format is {found}, not {FILE_FORMAT:?}"
            )));
        }
        let file = safetensors::SafeTensors::deserialize(bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let codes = file
            .tensor("codes")
            .map_err(|_| bad("no tensor named `codes`".into()))?;
        let shape = codes.shape().to_vec();
        if codes.dtype() != safetensors::Dtype::F32
            || shape.len() != 4
            || shape[1] != shape[2]
            || shape[3] != 3
            || shape[0] == 0
            || shape[1] == 0
        {
            return Err(bad(format!(
                "tensor `codes` is {:?} {shape:?}; float32 [size, patch, patch, 3] is expected",
                codes.dtype()
            )));
        }
        let values: Vec<f32> = codes
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) / 255.0 - 0.5)
            .collect();
        if let Some(at) = values.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!(
                "tensor `codes` holds a non-finite value at {at}"
            )));
        }
        let p = shape[1];
        let codes = Array2::from_shape_vec((shape[0], p * p * 3), values)
            .map_err(|e| bad(format!("tensor `codes`: {e}")))?;
        Ok(Self::from_codes(p, codes))
    }
}

/// The bytes of `path`, of which at most `max_bytes` are read: a longer file (or an endless one,
/// such as `/dev/zero`) is a [`VisionError::Limit`] error.
fn read_bounded(path: &std::path::Path, max_bytes: u64) -> Result<Vec<u8>> {
    omnitok_files::read_bounded(path, max_bytes).map_err(|e| match e {
        omnitok_files::BoundedReadError::Io(source) => VisionError::Io {
            path: path.display().to_string(),
            source,
        },
        too_large => VisionError::Limit {
            path: path.display().to_string(),
            message: format!("{too_large} for a codebook file"),
        },
    })
}

/// A codebook of `config.size` codes learned from `patches`; `on_epoch` sees each epoch's
/// report as it ends, `on_batch` the patches done so far out of the total.
pub fn train(
    patches: &PatchSet,
    config: &KMeansConfig,
    on_epoch: &mut dyn FnMut(&EpochReport),
    on_batch: &mut dyn FnMut(u64, u64),
) -> Result<Codebook> {
    let (n, values) = (patches.len(), patches.values());
    if config.size == 0 || config.size > 1 << 32 {
        return Err(VisionError::BadParameter(format!(
            "a codebook of {} codes; 1 to 2^32 are possible",
            config.size
        )));
    }
    if config.epochs == 0 || config.batch_size == 0 {
        return Err(VisionError::BadParameter(
            "epochs and batch size must be at least 1".into(),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    let mut seen = HashSet::new();
    let starts: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| seen.insert(&patches.data[i * values..(i + 1) * values]))
        .take(config.size)
        .collect();
    if starts.len() < config.size {
        return Err(VisionError::BadParameter(format!(
            "{} codes need at least as many distinct patches; the training images give {} ({n} \
             patches in all)",
            config.size,
            starts.len()
        )));
    }
    let mut book = Codebook::from_codes(
        patches.patch_size,
        centred_rows(patches, starts.into_iter()),
    );
    let mut counts = vec![0u64; config.size];
    let total = (n as u64) * config.epochs as u64;
    let mut done = 0u64;
    for epoch in 0..config.epochs {
        order.shuffle(&mut rng);
        let mut hits = vec![false; config.size];
        let mut squared_error = 0f64;
        for batch in order.chunks(config.batch_size) {
            let vectors = centred_rows(patches, batch.iter().copied());
            let (assigned, distances) = book.nearest(vectors.view());
            squared_error += distances.iter().map(|&d| f64::from(d)).sum::<f64>();
            update(&mut book, &mut counts, &vectors, &assigned);
            for &code in &assigned {
                hits[code as usize] = true;
            }
            done += batch.len() as u64;
            on_batch(done, total);
        }
        let unused: Vec<usize> = (0..config.size).filter(|&k| !hits[k]).collect();
        let mse = squared_error * 255.0 * 255.0 / (n * values) as f64;
        on_epoch(&EpochReport {
            epoch: epoch + 1,
            mse,
            psnr: 10.0 * (255.0f64 * 255.0 / mse).log10(),
            unused: unused.len(),
        });
        if epoch + 1 < config.epochs {
            for k in unused {
                let sample = rng.random_range(0..n);
                let row = centred_rows(patches, std::iter::once(sample));
                book.codes.row_mut(k).assign(&row.row(0));
                book.half_norms[k] = 0.5 * row.row(0).dot(&row.row(0));
                counts[k] = 0;
            }
        }
    }
    Ok(book)
}

/// Moves every code that took patches of this batch to the running mean of all its patches.
fn update(book: &mut Codebook, counts: &mut [u64], vectors: &Array2<f32>, assigned: &[u32]) {
    let mut by_code: Vec<(u32, usize)> = assigned.iter().copied().zip(0..).collect();
    by_code.sort_unstable();
    let mut sum = vec![0f64; vectors.ncols()];
    for group in by_code.chunk_by(|a, b| a.0 == b.0) {
        let k = group[0].0 as usize;
        let mut code = book.codes.row_mut(k);
        sum.fill(0.0);
        for &(_, row) in group {
            for ((total, &x), &c) in sum.iter_mut().zip(vectors.row(row)).zip(code.iter()) {
                *total += f64::from(x - c);
            }
        }
        counts[k] += group.len() as u64;
        let weight = 1.0 / counts[k] as f64;
        for (c, &total) in code.iter_mut().zip(&sum) {
            *c += (total * weight) as f32;
        }
        book.half_norms[k] = 0.5 * code.dot(&code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_stack_into_one_array() {
        let grid = |indices: Vec<u32>, grid_w| CodeGrid {
            grid_h: indices.len() / grid_w,
            indices,
            grid_w,
        };
        let (indices, thw) =
            CodeGrid::stack(&[grid(vec![1, 2], 2), grid(vec![3, 4], 2)]).expect("one size");
        assert_eq!((indices, thw), (vec![1, 2, 3, 4], [2, 1, 2]));
        assert_eq!(CodeGrid::stack(&[]).expect("none"), (Vec::new(), [0, 0, 0]));
        assert!(CodeGrid::stack(&[grid(vec![1, 2], 2), grid(vec![3, 4], 1)]).is_err());
    }

    #[test]
    #[cfg(unix)]
    fn endless_files_are_a_limit_error() {
        let error = read_bounded(std::path::Path::new("/dev/zero"), 4096).expect_err("endless");
        assert!(matches!(error, VisionError::Limit { .. }), "{error}");
        assert_eq!(
            error.to_string(),
            "/dev/zero: over the limit of 4096 bytes for a codebook file"
        );
        let error = Codebook::read_file("/dev/null").expect_err("empty");
        assert!(error.to_string().starts_with("/dev/null: "), "{error}");
    }

    fn noise_image(width: usize, height: usize, seed: u64) -> RgbImage {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = (0..width * height * 3)
            .map(|_| rng.random::<u8>())
            .collect();
        RgbImage::new(width, height, data).expect("sized")
    }

    #[test]
    fn a_codebook_holding_every_patch_reconstructs_exactly() {
        // 4 distinct 2x2 patches, a codebook of 4: every patch is its own code.
        let image = noise_image(4, 4, 1);
        let mut set = PatchSet::new(2).expect("patch size");
        set.add_image(&image, 2).expect("stride");
        let config = KMeansConfig {
            size: 4,
            epochs: 2,
            batch_size: 3,
            seed: 7,
        };
        let book = train(&set, &config, &mut |_| {}, &mut |_, _| {}).expect("trained");
        let grid = book.encode(&image).expect("encoded");
        assert_eq!((grid.grid_h, grid.grid_w), (2, 2));
        assert_eq!(book.decode(&grid, 4, 4).expect("decoded"), image);
    }

    #[test]
    fn edges_are_repeated_and_cropped_back() {
        let image = noise_image(5, 3, 2);
        let mut set = PatchSet::new(4).expect("patch size");
        set.add_image(&image, 4).expect("stride");
        assert_eq!(set.len(), 2);
        // The second patch's columns beyond x = 4 repeat column 4.
        let second = &set.data[48..96];
        for row in 0..4 {
            let at = row * 12;
            assert_eq!(second[at..at + 3], second[at + 3..at + 6]);
        }
        let config = KMeansConfig {
            size: 2,
            epochs: 1,
            batch_size: 8,
            seed: 0,
        };
        let book = train(&set, &config, &mut |_| {}, &mut |_, _| {}).expect("trained");
        let back = book
            .decode(&book.encode(&image).expect("encoded"), 5, 3)
            .expect("decoded");
        assert_eq!(back, image);
    }

    #[test]
    fn training_is_deterministic_across_thread_counts() {
        let mut set = PatchSet::new(4).expect("patch size");
        for seed in 0..3 {
            set.add_image(&noise_image(64, 48, seed), 2)
                .expect("stride");
        }
        let config = KMeansConfig {
            size: 64,
            epochs: 3,
            batch_size: 100,
            seed: 3,
        };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| train(&set, &config, &mut |_| {}, &mut |_, _| {}))
                .expect("trained")
        };
        let one = run(1);
        let three = run(3);
        assert_eq!(one, three);
        let bytes = one.to_bytes().expect("saved");
        assert_eq!(bytes, three.to_bytes().expect("saved"));
        assert_eq!(
            Codebook::from_bytes(&bytes, "book").expect("loaded").size(),
            64
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let mut set = PatchSet::new(2).expect("patch size");
        set.add_image(&RgbImage::new(2, 2, vec![9; 12]).expect("sized"), 2)
            .expect("stride");
        let config = KMeansConfig {
            size: 2,
            ..KMeansConfig::default()
        };
        let error = train(&set, &config, &mut |_| {}, &mut |_, _| {}).unwrap_err();
        assert!(error.to_string().contains("distinct patches"), "{error}");
        assert!(Codebook::from_bytes(b"nonsense", "x.safetensors")
            .unwrap_err()
            .to_string()
            .starts_with("x.safetensors: "));
        let book = Codebook::from_codes(2, Array2::zeros((3, 12)));
        let grid = CodeGrid {
            indices: vec![0, 5],
            grid_h: 1,
            grid_w: 2,
        };
        let error = book.decode(&grid, 4, 2).unwrap_err();
        assert!(
            error.to_string().contains("index 5 at position 1"),
            "{error}"
        );
    }
}
