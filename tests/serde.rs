//! Serde round trips and the architecture check (feature `serde`).
#![cfg(feature = "serde")]

use typenet::{Network, network};

type Net = network!(f64; 2 -> 3 Tanh -> 1 Sigmoid);
type Other = network!(f64; 2 -> 3 ReLU -> 1 Sigmoid);
type Deeper = network!(f64; 2 -> 3 Tanh -> 1 Sigmoid -> 1 Identity);

fn sample() -> Net {
    let p: Vec<f64> = (0..Net::PARAMS).map(|k| k as f64 / 8.0 - 0.5).collect();
    Net::from_params(&p).unwrap()
}

#[test]
fn json_round_trip_and_layout() {
    let net = sample();
    let json = serde_json::to_string(&net).unwrap();
    assert!(
        json.starts_with(r#"{"layers":[[2,3,"tanh"],[3,1,"sigmoid"]],"params":[-0.5,-0.375,"#),
        "{json}"
    );
    let back: Net = serde_json::from_str(&json).unwrap();
    assert_eq!(back, net);
}

#[test]
fn f32_round_trip() {
    type N32 = network!(f32; 3 -> 2 Softmax);
    let net = N32::from_params(&[0.25; 8]).unwrap();
    let back: N32 = serde_json::from_str(&serde_json::to_string(&net).unwrap()).unwrap();
    assert_eq!(back, net);
}

#[test]
fn another_architecture_is_an_error() {
    let json = serde_json::to_string(&sample()).unwrap();
    let e = serde_json::from_str::<Other>(&json)
        .unwrap_err()
        .to_string();
    assert!(e.contains("layer 1 does not match"), "{e}");
    let e = serde_json::from_str::<Deeper>(&json)
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 layers, expected 3"), "{e}");
}

#[test]
fn wrong_parameter_counts_and_fields_are_errors() {
    let layers = r#""layers":[[2,3,"tanh"],[3,1,"sigmoid"]]"#;
    let few = format!("{{{layers},\"params\":[1.0,2.0]}}");
    assert!(
        serde_json::from_str::<Net>(&few)
            .unwrap_err()
            .to_string()
            .contains("13 parameters")
    );
    let many = format!("{{{layers},\"params\":[{}]}}", vec!["0.5"; 14].join(","));
    assert!(
        serde_json::from_str::<Net>(&many)
            .unwrap_err()
            .to_string()
            .contains("more than 13")
    );
    let missing = format!("{{{layers}}}");
    assert!(
        serde_json::from_str::<Net>(&missing)
            .unwrap_err()
            .to_string()
            .contains("params")
    );
    let unknown = r#"{"weights":[]}"#;
    assert!(serde_json::from_str::<Net>(unknown).is_err());
    assert!(serde_json::from_str::<Net>("[1, 2").is_err());
}
