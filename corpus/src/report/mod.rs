//! Compression per language.
