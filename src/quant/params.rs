//! [`QParams`]: the affine map between int8 values and real ones, and [`Range`], the
//! calibrated interval it is chosen from.

/// The quantization parameters of an int8 tensor: the real value of q is
/// `scale · (q − zero_point)`.
///
/// Activations are asymmetric (any zero point); weights are symmetric per output
/// channel (zero point 0, kept as a scale only). Zero is always exactly representable
/// (as `zero_point`), so zero padding, ReLU and zero biases are exact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QParams {
    /// The real step between consecutive int8 values (> 0).
    pub scale: f32,
    /// The int8 value that stands for 0.
    pub zero_point: i8,
}

/// The rule for a scale read from a file (a [`QParams::scale`] or a weight scale):
/// finite and > 0. Run-time reads ([`from_bytes`](super::from_bytes)) and compile-time
/// ones ([`static_qnetwork!`](crate::static_qnetwork!)) both test it.
pub(crate) const fn is_scale(v: f32) -> bool {
    v.is_finite() && v > 0.0
}

impl QParams {
    /// The parameters of a softmax output: scale 1/256, zero point −128, so that
    /// q = −128 is probability 0 and q = 127 is 255/256 (TensorFlow Lite's convention).
    pub const SOFTMAX: QParams = QParams {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };

    /// The int8 value nearest to `x`: clamp(round(x / scale) + zero_point, −128, 127),
    /// rounding half away from zero; NaN gives the zero point.
    ///
    /// Float arithmetic: for preparing inputs and for tests, outside the integer
    /// inference path.
    pub fn quantize(self, x: f32) -> i8 {
        let q = libm::round(f64::from(x) / f64::from(self.scale)) + f64::from(self.zero_point);
        if q.is_nan() {
            self.zero_point
        } else {
            q.clamp(-128.0, 127.0) as i8
        }
    }

    /// The real value of `q`: scale · (q − zero_point).
    ///
    /// Float arithmetic: for reading outputs and for tests, outside the integer
    /// inference path.
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (f32::from(q) - f32::from(self.zero_point))
    }

    /// The smallest and largest real values representable:
    /// scale · (−128 − zero_point) and scale · (127 − zero_point).
    pub fn bounds(self) -> (f32, f32) {
        (self.dequantize(-128), self.dequantize(127))
    }
}

/// A calibrated interval [min, max] of real values, always containing 0 (a new range
/// is [0, 0] and only widens).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen, or 0 if none was negative.
    pub min: f32,
    /// The largest value seen, or 0 if none was positive.
    pub max: f32,
}

impl Default for Range {
    fn default() -> Self {
        Range::ZERO
    }
}

impl Range {
    /// [0, 0], the range before any value is seen.
    pub const ZERO: Range = Range { min: 0.0, max: 0.0 };

    /// Widens the range to include every value of `values`; returns `false` (and
    /// leaves the range unchanged by that value) if a value is NaN or infinite.
    pub fn include(&mut self, values: &[f32]) -> bool {
        let mut finite = true;
        for &v in values {
            if v.is_finite() {
                self.min = self.min.min(v);
                self.max = self.max.max(v);
            } else {
                finite = false;
            }
        }
        finite
    }

    /// The asymmetric int8 parameters that cover the range, as TensorFlow Lite
    /// chooses them: scale = (max − min)/255 and zero point = round(−128 − min/scale),
    /// so that −128 stands for min and 127 for max up to the rounding of the zero point
    /// (which moves the covered interval by at most scale/2). An empty range [0, 0]
    /// gets scale 1/255 (any scale represents 0 exactly).
    ///
    /// Float arithmetic: runs when a network is quantized.
    pub fn params(self) -> QParams {
        let (min, max) = (f64::from(self.min.min(0.0)), f64::from(self.max.max(0.0)));
        let width = max - min;
        let mut scale = (width / 255.0) as f32;
        if !(scale.is_normal()) {
            scale = 1.0 / 255.0;
        }
        let zero_point = libm::round(-128.0 - min / f64::from(scale)).clamp(-128.0, 127.0) as i8;
        QParams { scale, zero_point }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_interval() {
        let p = Range { min: 0.0, max: 1.0 }.params();
        assert_eq!(p.zero_point, -128);
        assert_eq!(p.scale, 1.0 / 255.0);
        assert_eq!(p.quantize(0.0), -128);
        assert_eq!(p.quantize(1.0), 127);
        assert_eq!(p.quantize(2.0), 127);
        assert_eq!(p.quantize(f32::NAN), -128);
        assert_eq!(p.dequantize(-128), 0.0);
    }

    #[test]
    fn symmetric_interval_and_empty_range() {
        let p = Range {
            min: -2.0,
            max: 2.0,
        }
        .params();
        assert!(p.zero_point == 0 || p.zero_point == -1);
        assert_eq!(p.dequantize(p.zero_point), 0.0);
        let e = Range::ZERO.params();
        assert!(e.scale > 0.0);
        assert_eq!(e.dequantize(e.quantize(0.0)), 0.0);
    }

    #[test]
    fn include_widens_and_flags_non_finite() {
        let mut r = Range::ZERO;
        assert!(r.include(&[1.5, 0.5]));
        assert_eq!(r, Range { min: 0.0, max: 1.5 });
        assert!(!r.include(&[f32::NAN, -3.0, f32::INFINITY]));
        assert_eq!(
            r,
            Range {
                min: -3.0,
                max: 1.5
            }
        );
    }
}
