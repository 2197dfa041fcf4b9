//! `.npy` (version 1.0) headers: a fixed 128-byte header for a C-order array, so that data can
//! be streamed after it and the header rewritten in place once the length is known; and the
//! reading of any C-order `.npy` header (versions 1 to 3) and of integer arrays.

/// Length of the headers written here (room for any shape; a multiple of 64).
pub const HEADER_BYTES: usize = 128;

/// The header of a C-order array of `shape` with items of type `descr` (`<f4`, `<u2`, ...).
pub fn header(descr: &str, shape: &[u64]) -> Vec<u8> {
    let dims = match shape {
        [n] => format!("{n},"),
        _ => shape
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}");
    let pad = HEADER_BYTES - 10 - 1 - dict.len();
    dict.extend(std::iter::repeat_n(' ', pad));
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

/// An item type `.npy` arrays are written with.
pub trait Element: Copy {
    /// The item type in the header (`<u4`, `<f4`, ...).
    const DESCR: &'static str;
    /// Appends the item's little-endian bytes.
    fn put(self, out: &mut Vec<u8>);
}

macro_rules! element {
    ($($type:ty => $descr:literal),*) => {$(
        impl Element for $type {
            const DESCR: &'static str = $descr;
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
element!(u8 => "|u1", u16 => "<u2", u32 => "<u4", u64 => "<u8", i64 => "<i8", f32 => "<f4");

/// A whole `.npy` file: the header of a C-order array of `shape`, then `values`.
pub fn to_bytes<T: Element>(shape: &[u64], values: &[T]) -> Vec<u8> {
    let mut bytes = header(T::DESCR, shape);
    bytes.reserve(std::mem::size_of_val(values));
    for &value in values {
        value.put(&mut bytes);
    }
    bytes
}

/// The length of the first dimension in a header written by [`header`].
pub fn first_dimension(header: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(header.get(10..)?).ok()?;
    let shape = text.split("'shape': (").nth(1)?;
    shape.split(',').next()?.trim().parse().ok()
}

/// What a `.npy` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The item type, e.g. `<i8`, `<f4`.
    pub descr: String,
    pub shape: Vec<usize>,
    /// Where the data starts in the file.
    pub data_offset: usize,
}

/// Largest `.npy` array read by [`read_u32_file`]: 4 GiB.
pub const MAX_ARRAY_BYTES: u64 = 1 << 32;

/// What is wrong with the bytes of a `.npy` file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NpyError {
    #[error("not a .npy file (no \\x93NUMPY magic)")]
    NotNpy,
    #[error("unsupported .npy version {0}")]
    Version(u8),
    /// The header is cut short, not text, or lacks or garbles a field.
    #[error("{0}")]
    Header(String),
    #[error("Fortran-order .npy arrays are not supported")]
    FortranOrder,
    /// The item type is not a little-endian integer.
    #[error("{0:?} arrays are not integer codes (little-endian integers only)")]
    NotIntegers(String),
    #[error("{bytes} bytes of data where shape {shape:?} needs {needed}")]
    Length {
        bytes: usize,
        shape: Vec<usize>,
        needed: u128,
    },
    /// A value that is negative or does not fit in a `u32`.
    #[error("value {value} at index {index} is not a code")]
    NotACode { value: i128, index: usize },
}

/// Reads the header at the start of a `.npy` file; only C-order arrays are accepted.
pub fn read_header(bytes: &[u8]) -> Result<Header, NpyError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(NpyError::NotNpy);
    }
    let (length, start) = match bytes[6] {
        1 => (
            usize::from(u16::from_le_bytes([bytes[8], bytes[9]])),
            10usize,
        ),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        version => return Err(NpyError::Version(version)),
    };
    let bad = |message: String| NpyError::Header(message);
    let text = bytes
        .get(start..start.saturating_add(length))
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| bad("truncated or non-text .npy header".into()))?;
    let field = |name: &str| {
        text.split(&format!("'{name}':"))
            .nth(1)
            .map(str::trim_start)
            .ok_or_else(|| bad(format!("the .npy header has no '{name}'")))
    };
    if !field("fortran_order")?.starts_with("False") {
        return Err(NpyError::FortranOrder);
    }
    let descr = field("descr")?
        .strip_prefix('\'')
        .and_then(|d| d.split('\'').next())
        .ok_or_else(|| bad("bad 'descr' in the .npy header".into()))?
        .to_owned();
    let dims = field("shape")?
        .strip_prefix('(')
        .and_then(|d| d.split(')').next())
        .ok_or_else(|| bad("bad 'shape' in the .npy header".into()))?;
    let shape = dims
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse()
                .map_err(|_| bad(format!("bad dimension {d:?} in the .npy header")))
        })
        .collect::<Result<_, _>>()?;
    Ok(Header {
        descr,
        shape,
        data_offset: start + length,
    })
}

/// An integer `.npy` array (`u1`..`u8`, `i1`..`i8`, little-endian, C order) as its shape and
/// its values, each of which must fit in a `u32`.
pub fn read_u32_array(bytes: &[u8]) -> Result<(Vec<usize>, Vec<u32>), NpyError> {
    let header = read_header(bytes)?;
    let descr = header.descr.as_str();
    let not_integers = || NpyError::NotIntegers(descr.to_owned());
    let signed = match descr.get(1..2) {
        Some("i") => true,
        Some("u") => false,
        _ => return Err(not_integers()),
    };
    let width: usize = match (descr.as_bytes()[0], &descr[2..]) {
        (b'<' | b'|', "1") => 1,
        (b'<', "2") => 2,
        (b'<', "4") => 4,
        (b'<', "8") => 8,
        _ => return Err(not_integers()),
    };
    let data = &bytes[header.data_offset.min(bytes.len())..];
    let needed = header
        .shape
        .iter()
        .fold(width as u128, |n, &d| n.saturating_mul(d as u128));
    if data.len() as u128 != needed {
        return Err(NpyError::Length {
            bytes: data.len(),
            shape: header.shape,
            needed,
        });
    }
    let values = data
        .chunks_exact(width)
        .enumerate()
        .map(|(index, item)| {
            let mut raw = [0u8; 8];
            raw[..width].copy_from_slice(item);
            let value = if signed {
                // Sign-extend from `width` bytes.
                let shift = 64 - 8 * width as u32;
                i128::from((i64::from_le_bytes(raw) << shift) >> shift)
            } else {
                i128::from(u64::from_le_bytes(raw))
            };
            u32::try_from(value).map_err(|_| NpyError::NotACode { value, index })
        })
        .collect::<Result<_, _>>()?;
    Ok((header.shape, values))
}

/// The integer array in the `.npy` file at `path` (at most [`MAX_ARRAY_BYTES`]), as
/// [`read_u32_array`] reads it; an error names the file.
pub fn read_u32_file(path: &std::path::Path) -> crate::error::Result<(Vec<usize>, Vec<u32>)> {
    let bytes = crate::files::read_bounded(path, MAX_ARRAY_BYTES)?;
    read_u32_array(&bytes).map_err(|e| crate::error::CorpusError::BadInput {
        path: path.display().to_string(),
        line: 0,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_standard() {
        let one = header("<u2", &[1234]);
        assert_eq!(one.len(), HEADER_BYTES);
        assert_eq!(one[127], b'\n');
        assert!(String::from_utf8_lossy(&one).contains("'shape': (1234,)"));
        assert_eq!(first_dimension(&one), Some(1234));
        let two = header("<f4", &[80, 3000]);
        assert!(String::from_utf8_lossy(&two).contains("'shape': (80, 3000)"));
        assert_eq!(first_dimension(&two), Some(80));
        let read = read_header(&two).unwrap();
        assert_eq!(
            read,
            Header {
                descr: "<f4".into(),
                shape: vec![80, 3000],
                data_offset: HEADER_BYTES
            }
        );
        assert!(read_header(b"not numpy at all").is_err());
    }

    #[test]
    fn arrays_are_written_whole_and_read_back() {
        let bytes = to_bytes(&[2, 2], &[3u32, 0, 1023, 7]);
        assert_eq!(&bytes[..HEADER_BYTES], &header("<u4", &[2, 2])[..]);
        assert_eq!(
            read_u32_array(&bytes).unwrap(),
            (vec![2, 2], vec![3, 0, 1023, 7])
        );
        let floats = to_bytes(&[1], &[1.5f32]);
        assert_eq!(&floats[HEADER_BYTES..], &1.5f32.to_le_bytes());
        assert!(String::from_utf8_lossy(&floats).contains("'<f4'"));
    }

    #[test]
    fn integer_arrays_read_back() {
        let mut bytes = header("<i8", &[2, 2]);
        bytes.extend([3i64, 0, 1023, 7].iter().flat_map(|v| v.to_le_bytes()));
        assert_eq!(
            read_u32_array(&bytes).unwrap(),
            (vec![2, 2], vec![3, 0, 1023, 7])
        );
        let mut bytes = header("<u2", &[3]);
        bytes.extend([1u16, 2, 65535].iter().flat_map(|v| v.to_le_bytes()));
        assert_eq!(
            read_u32_array(&bytes).unwrap(),
            (vec![3], vec![1, 2, 65535])
        );
        let mut negative = header("<i4", &[1]);
        negative.extend((-1i32).to_le_bytes());
        assert!(read_u32_array(&negative)
            .unwrap_err()
            .to_string()
            .contains("-1 at index 0"));
        let mut short = header("<u4", &[2]);
        short.extend(1u32.to_le_bytes());
        assert!(read_u32_array(&short)
            .unwrap_err()
            .to_string()
            .contains("needs 8"));
        assert!(read_u32_array(&header("<f4", &[0]))
            .unwrap_err()
            .to_string()
            .contains("not integer"));
    }
}
