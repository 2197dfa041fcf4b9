//! `.npy` (version 1.0) headers: a fixed 128-byte header for a C-order array, so that data can
//! be streamed after it and the header rewritten in place once the length is known.

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

/// The length of the first dimension in a header written by [`header`].
pub fn first_dimension(header: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(header.get(10..)?).ok()?;
    let shape = text.split("'shape': (").nth(1)?;
    shape.split(',').next()?.trim().parse().ok()
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
    }
}
