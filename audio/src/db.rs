//! Power to decibels, as `librosa.power_to_db`: `10 log10(max(amin, S)) - 10 log10(max(amin,
//! ref))`, then, with `top_db`, every value raised to at least the maximum minus `top_db`.

use crate::error::{AudioError, Result};
use crate::logarithm::scaled_ln_in_place;

/// The settings of [`power_to_db`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbConfig {
    /// The reference power (0 dB).
    pub reference: f32,
    /// Powers below this count as this.
    pub amin: f32,
    /// Dynamic range kept below the maximum; `None` keeps everything.
    pub top_db: Option<f32>,
}

impl Default for DbConfig {
    /// librosa's defaults: reference 1, amin 1e-10, top_db 80.
    fn default() -> Self {
        Self {
            reference: 1.0,
            amin: 1e-10,
            top_db: Some(80.0),
        }
    }
}

/// Converts powers to decibels in place.
pub fn power_to_db(values: &mut [f32], config: &DbConfig) -> Result<()> {
    check(config)?;
    to_db(values, config);
    if let Some(top_db) = config.top_db {
        floor_below_max(values, top_db);
    }
    Ok(())
}

/// Checks the settings.
pub fn check(config: &DbConfig) -> Result<()> {
    if config.amin.is_nan() || config.amin <= 0.0 {
        return Err(AudioError::BadParameter(format!(
            "amin {} must be positive",
            config.amin
        )));
    }
    if config.top_db.is_some_and(|t| t.is_nan() || t < 0.0) {
        return Err(AudioError::BadParameter(
            "top_db must be non-negative".into(),
        ));
    }
    Ok(())
}

/// The decibels of each value on its own, before any `top_db` floor.
pub fn to_db(values: &mut [f32], config: &DbConfig) {
    let offset = 10.0 * f64::from(config.amin.max(config.reference)).log10();
    for v in values.iter_mut() {
        *v = config.amin.max(*v);
    }
    scaled_ln_in_place(values, 10.0 / std::f64::consts::LN_10, -offset);
}

/// Raises every value to at least the maximum minus `range`.
pub fn floor_below_max(values: &mut [f32], range: f32) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let floor = max - range;
    for v in values.iter_mut() {
        *v = v.max(floor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decibels_with_floor_and_range() {
        let mut values = [1.0, 0.1, 1e-12, 100.0];
        power_to_db(&mut values, &DbConfig::default()).unwrap();
        assert_eq!(values[0], 0.0);
        assert!((values[1] + 10.0).abs() < 1e-5);
        // 1e-12 is floored at amin (-100 dB), then raised to 20 dB - 80.
        assert_eq!(values[2], -60.0);
        assert_eq!(values[3], 20.0);
        assert!(power_to_db(
            &mut values,
            &DbConfig {
                amin: 0.0,
                ..DbConfig::default()
            }
        )
        .is_err());
    }
}
