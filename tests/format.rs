//! The weight format: round trips, every error variant, the fingerprint against an
//! independent computation, and no panic on any byte string (proptest, 100 000 random
//! and 100 000 mutated buffers).

use proptest::prelude::*;
use typenet::format::{self, BufferTooSmall, FileError, LoadError};
use typenet::{Network, network};

type Net = network!(f32; 3 -> 4 Tanh -> 2 Softmax);
type Net64 = network!(f64; 3 -> 4 Tanh -> 2 Softmax);
type OtherAct = network!(f32; 3 -> 4 ReLU -> 2 Softmax);
type OtherSize = network!(f32; 3 -> 5 Tanh -> 2 Softmax);

fn sample() -> Net {
    let p: Vec<f32> = (0..Net::PARAMS).map(|k| k as f32 * 0.125 - 1.0).collect();
    Net::from_params(&p).unwrap()
}

/// FNV-1a 64 written out here from its definition, independent of the crate.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

#[test]
fn layout_is_as_documented() {
    let net = sample();
    let bytes = format::to_bytes(&net);
    assert_eq!(bytes.len(), 20 + 4 * Net::PARAMS);
    assert_eq!(&bytes[0..4], b"TNET");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 1);
    assert_eq!(bytes[6], 1, "f32 code");
    assert_eq!(bytes[7], 0);
    // Layers last to first: "4>2:softmax;" then "3>4:tanh;", sizes as u32 LE.
    let mut desc = Vec::new();
    for (i, o, name) in [(4u32, 2u32, "softmax"), (3, 4, "tanh")] {
        desc.extend_from_slice(&i.to_le_bytes());
        desc.extend_from_slice(&o.to_le_bytes());
        desc.extend_from_slice(name.as_bytes());
        desc.push(b';');
    }
    let fp = u64::from_le_bytes(bytes[8..16].try_into().unwrap());
    assert_eq!(fp, fnv1a(&desc));
    assert_eq!(
        u32::from_le_bytes(bytes[16..20].try_into().unwrap()) as usize,
        Net::PARAMS
    );
    for (k, p) in net.params().enumerate() {
        let at = 20 + 4 * k;
        assert_eq!(
            f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()),
            *p
        );
    }
}

#[test]
fn round_trips_in_f32_and_f64() {
    let net = sample();
    let back: Net = format::from_bytes(&format::to_bytes(&net)).unwrap();
    assert_eq!(back, net);
    let p: Vec<f64> = (0..Net64::PARAMS).map(|k| (k as f64).sin()).collect();
    let net64 = Net64::from_params(&p).unwrap();
    let bytes = format::to_bytes(&net64);
    assert_eq!(bytes.len(), 20 + 8 * Net64::PARAMS);
    assert_eq!(format::from_bytes::<f64, Net64>(&bytes).unwrap(), net64);
}

#[test]
fn each_error_is_distinct() {
    let good = format::to_bytes(&sample()).to_vec();
    let load = |b: &[u8]| format::from_bytes::<f32, Net>(b).unwrap_err();

    assert_eq!(load(&good[..10]), LoadError::TooShort { found: 10 });
    let mut b = good.clone();
    b[0] = b'X';
    assert_eq!(load(&b), LoadError::BadMagic);
    let mut b = good.clone();
    b[4] = 9;
    assert_eq!(load(&b), LoadError::UnsupportedVersion { found: 9 });
    let mut b = good.clone();
    b[7] = 1;
    assert_eq!(load(&b), LoadError::UnknownFlags { found: 1 });
    assert_eq!(
        format::from_bytes::<f64, Net64>(&good).unwrap_err(),
        LoadError::ScalarMismatch {
            expected: 2,
            found: 1
        }
    );
    assert!(matches!(
        format::from_bytes::<f32, OtherAct>(&good),
        Err(LoadError::ArchitectureMismatch { .. })
    ));
    assert!(matches!(
        format::from_bytes::<f32, OtherSize>(&good),
        Err(LoadError::ArchitectureMismatch { .. })
    ));
    let mut b = good.clone();
    b[16] = b[16].wrapping_add(1);
    assert_eq!(
        load(&b),
        LoadError::ParamCountMismatch {
            expected: Net::PARAMS,
            found: Net::PARAMS + 1
        }
    );
    assert_eq!(
        load(&good[..good.len() - 1]),
        LoadError::LengthMismatch {
            expected: good.len(),
            found: good.len() - 1
        }
    );
    let mut b = good.clone();
    b.push(0);
    assert_eq!(
        load(&b),
        LoadError::LengthMismatch {
            expected: good.len(),
            found: good.len() + 1
        }
    );
    let mut b = good.clone();
    b[20 + 4 * 5..20 + 4 * 6].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(load(&b), LoadError::NonFinite { index: 5 });

    // Every variant has a message.
    for e in [
        LoadError::BadMagic,
        LoadError::TooShort { found: 1 },
        LoadError::NonFinite { index: 5 },
    ] {
        assert!(!e.to_string().is_empty());
    }
    assert!(
        LoadError::ScalarMismatch {
            expected: 2,
            found: 1
        }
        .to_string()
        .contains("f32")
    );
}

#[test]
fn load_into_leaves_the_network_unchanged_on_error() {
    let mut net = sample();
    let before = net.clone();
    let mut bad = format::to_bytes(&Net::zeroed()).to_vec();
    bad[0] = 0;
    assert!(format::load_into(&mut net, &bad).is_err());
    assert_eq!(net, before);
    let good = format::to_bytes(&Net::zeroed());
    format::load_into(&mut net, &good).unwrap();
    assert_eq!(net, Net::zeroed());
}

#[test]
fn write_to_a_caller_buffer() {
    let net = sample();
    let mut small = [0u8; 10];
    assert_eq!(
        format::write_to(&net, &mut small),
        Err(BufferTooSmall {
            needed: format::encoded_len::<f32, Net>(),
            found: 10
        })
    );
    assert_eq!(small, [0; 10]);
    let mut big = [0u8; 512];
    let n = format::write_to(&net, &mut big).unwrap();
    assert_eq!(&big[..n], &format::to_bytes(&net)[..]);
}

#[test]
fn save_and_load_files() {
    let dir = std::env::temp_dir().join(format!("typenet-format-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("net.tnet");
    let net = sample();
    format::save(&net, &path).unwrap();
    let back: Net = format::load(&path).unwrap();
    assert_eq!(back, net);
    assert!(matches!(
        format::load::<f32, OtherAct>(&path),
        Err(FileError::Format(LoadError::ArchitectureMismatch { .. }))
    ));
    assert!(matches!(
        format::load::<f32, Net>(dir.join("missing.tnet")),
        Err(FileError::Read { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn architecture_mismatch_says_which_architecture_was_expected() {
    let bytes = format::to_bytes(&sample());
    let file_fp = u64::from_le_bytes(bytes[8..16].try_into().unwrap());
    let err = format::from_bytes::<f32, OtherSize>(&bytes).unwrap_err();
    let LoadError::ArchitectureMismatch {
        expected,
        found,
        architecture,
    } = err
    else {
        panic!("expected an architecture mismatch, got {err:?}");
    };
    assert_eq!(found, file_fp);
    assert_eq!(architecture.to_string(), "3 -> 5 Tanh -> 2 Softmax");
    assert_eq!(
        err.to_string(),
        format!(
            "the file was written for another architecture (sizes or activations differ): \
             expected 3 -> 5 Tanh -> 2 Softmax (fingerprint {expected:#018x}), \
             the file's fingerprint is {file_fp:#018x}"
        )
    );
    type Digits = network!(f32; 64 -> 64 ReLU -> 10 Softmax);
    let err = format::from_bytes::<f32, Digits>(&bytes).unwrap_err();
    assert!(
        err.to_string()
            .contains("(sizes or activations differ): expected 64 -> 64 ReLU -> 10 Softmax ("),
        "{err}"
    );
}

#[test]
fn file_errors_name_the_path() {
    use std::error::Error;
    let dir = std::env::temp_dir().join(format!("typenet-format-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.tnet");
    let err = format::load::<f32, Net>(&missing).unwrap_err();
    let FileError::Read { path, source } = &err else {
        panic!("expected a read error, got {err:?}");
    };
    assert_eq!(path, &missing);
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read the weight file {}: {source}",
            missing.display()
        )
    );
    assert!(
        err.source()
            .unwrap()
            .downcast_ref::<std::io::Error>()
            .is_some()
    );

    let unwritable = dir.join("no-such-dir").join("net.tnet");
    let err = format::save(&sample(), &unwritable).unwrap_err();
    let FileError::Write { path, source } = &err else {
        panic!("expected a write error, got {err:?}");
    };
    assert_eq!(path, &unwritable);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot write the weight file {}: {source}",
            unwritable.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]

    /// Any byte string: a network or an error, never a panic; and only the exact
    /// encoded length can succeed.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let r = format::from_bytes::<f32, Net>(&bytes);
        if r.is_ok() {
            prop_assert_eq!(bytes.len(), format::encoded_len::<f32, Net>());
        }
    }

    /// A valid file with bytes overwritten, truncated or extended: never a panic, and
    /// a change to the header is always detected.
    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in 0usize..8,
        extra in proptest::collection::vec(any::<u8>(), 0..3),
    ) {
        let mut bytes = format::to_bytes(&sample()).to_vec();
        let original = bytes.clone();
        for (at, v) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *v;
        }
        bytes.truncate(bytes.len() - cut.min(bytes.len()));
        bytes.extend_from_slice(&extra);
        match format::from_bytes::<f32, Net>(&bytes) {
            Ok(net) => {
                prop_assert_eq!(&bytes[..20], &original[..20], "a changed header was accepted");
                prop_assert!(net.params().all(|p| p.is_finite()));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
