//! [`ByteMap`]: a hash map from byte strings to small values, its keys stored in one buffer.
//!
//! The vocabulary is looked up once per pre-tokenized piece, so this lookup is hot. Keeping keys
//! in one contiguous buffer (rather than one allocation each) and comparing short keys inline
//! (rather than through a `memcmp` call) makes it several times cheaper than a map of boxed keys.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Byte string -> `V`.
#[derive(Debug, Clone)]
pub struct ByteMap<V> {
    /// `(start, end)` of the key in `keys`, and the value.
    table: HashTable<(u32, u32, V)>,
    keys: Vec<u8>,
}

impl<V> Default for ByteMap<V> {
    fn default() -> Self {
        Self {
            table: HashTable::new(),
            keys: Vec::new(),
        }
    }
}

#[inline(always)]
fn hash(key: &[u8]) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// Equality tuned for short keys: a byte loop the compiler unrolls, no library call.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

impl<V: Copy> ByteMap<V> {
    /// An empty map with room for `n` keys.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            table: HashTable::with_capacity(n),
            keys: Vec::with_capacity(n * 8),
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn key(&self, start: u32, end: u32) -> &[u8] {
        &self.keys[start as usize..end as usize]
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<V> {
        self.table
            .find(hash(key), |&(start, end, _)| {
                same(self.key(start, end), key)
            })
            .map(|&(_, _, value)| value)
    }

    /// Whether `key` is present.
    #[inline]
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// Inserts `key -> value` unless `key` is present; returns the value already there, if any.
    pub fn insert_new(&mut self, key: &[u8], value: V) -> Option<V> {
        if let Some(existing) = self.get(key) {
            return Some(existing);
        }
        let start = self.keys.len() as u32;
        self.keys.extend_from_slice(key);
        let end = self.keys.len() as u32;
        let keys = &self.keys;
        self.table
            .insert_unique(hash(key), (start, end, value), |&(s, e, _)| {
                hash(&keys[s as usize..e as usize])
            });
        None
    }

    /// Removes every key, keeping the allocations.
    pub fn clear(&mut self) {
        self.table.clear();
        self.keys.clear();
    }

    /// Every key with its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], V)> + '_ {
        self.table
            .iter()
            .map(|&(start, end, value)| (self.key(start, end), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_and_iterate() {
        let mut map = ByteMap::default();
        assert_eq!(map.insert_new(b"abc", 1), None);
        assert_eq!(map.insert_new(b"", 2), None);
        assert_eq!(map.insert_new(b"abc", 3), Some(1));
        for i in 0..1000u32 {
            map.insert_new(format!("key {i}").as_bytes(), i + 10);
        }
        assert_eq!(map.get(b"abc"), Some(1));
        assert_eq!(map.get(b""), Some(2));
        assert_eq!(map.get(b"ab"), None);
        assert_eq!(map.get(b"key 999"), Some(1009));
        assert_eq!(map.len(), 1002);
        assert_eq!(
            map.iter().filter(|(k, _)| k.starts_with(b"key ")).count(),
            1000
        );
        map.clear();
        assert!(map.is_empty() && map.get(b"abc").is_none());
    }
}
