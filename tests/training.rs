//! End-to-end training on real data with the examples' own set-ups: each example file is
//! included here as a module and its `run` is called, so the test trains exactly what
//! `cargo run --example NAME` trains. Digits and iris must reach their test-accuracy
//! bars and sine its test-MSE bar, with the examples' fixed seeds.

#[allow(dead_code)]
#[path = "../examples/03-digits.rs"]
mod digits;
#[allow(dead_code)]
#[path = "../examples/02-iris.rs"]
mod iris;
#[allow(dead_code)]
#[path = "../examples/04-sine.rs"]
mod sine;

use typenet::loss::SoftmaxCrossEntropy;
use typenet::train::evaluate;

#[test]
fn digits_reach_the_accuracy_bar() {
    let images = digits::load(digits::DATA).unwrap();
    assert_eq!(images.len(), 1797);
    let mut epochs = 0;
    let digits::Trained {
        net,
        history,
        train,
        test,
    } = digits::run(&images, |_| epochs += 1).unwrap();
    assert_eq!(
        (epochs, history.reports.len()),
        (digits::EPOCHS, digits::EPOCHS)
    );
    assert_eq!((train.samples, test.samples), (1438, 359));
    assert!(
        test.accuracy >= digits::BAR,
        "digits: test accuracy {:.4} below {}",
        test.accuracy,
        digits::BAR
    );
    // The last epoch's report evaluated the same network on the same test part.
    assert_eq!(history.last().unwrap().test, Some(test));
    // The held-out file the firmware classifies is that test part.
    let (_, heldout, _) = digits::split(&images);
    let samples: Vec<_> = heldout
        .iter()
        .map(|(x, d)| (digits::input(x), usize::from(*d)))
        .collect();
    assert_eq!(
        evaluate(&net, &SoftmaxCrossEntropy, &samples).unwrap(),
        test
    );
}

#[test]
fn a_bad_digits_line_is_an_error_naming_the_line() {
    let header: Vec<String> = (0..64).map(|k| format!("p{k}")).collect();
    let good = vec!["0"; 64].join(",");
    let file = std::env::temp_dir().join(format!("typenet-digits-{}.csv", std::process::id()));
    let file = file.to_str().unwrap();
    let cases = [
        (
            format!("{good},10"),
            "line 2: not 64 pixels 0..=16 and a digit",
        ),
        (
            format!("17,{}", vec!["0"; 63].join(",") + ",3"),
            "line 2: not 64 pixels",
        ),
        (format!("{good},3\n0,0,1"), "found record with 3 fields"),
        (format!("{good},3\n{good},x"), "line: 3"),
    ];
    for (rows, message) in cases {
        std::fs::write(file, format!("{},digit\n{rows}\n", header.join(","))).unwrap();
        let error = digits::load(file).unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
    }
    std::fs::write(file, format!("{},digit\n{good},9\n", header.join(","))).unwrap();
    assert_eq!(digits::load(file).unwrap(), vec![([0; 64], 9)]);
    std::fs::remove_file(file).unwrap();
}

#[test]
fn iris_reaches_the_accuracy_bar() {
    let flowers = iris::load().unwrap();
    assert_eq!(flowers.len(), 150);
    let (_, _, test) = iris::run(&flowers, iris::SEED).unwrap();
    assert_eq!(test.samples, 30);
    assert!(
        test.accuracy >= iris::BAR,
        "iris: test accuracy {:.4} below {}",
        test.accuracy,
        iris::BAR
    );
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let flowers = iris::load().unwrap();
    let (a, scale_a, _) = iris::run(&flowers, iris::SEED).unwrap();
    let (b, scale_b, _) = iris::run(&flowers, iris::SEED).unwrap();
    assert_eq!((a.clone(), scale_a), (b, scale_b));
    let (c, _, _) = iris::run(&flowers, iris::SEED + 1).unwrap();
    assert_ne!(a, c);
}

#[test]
fn sine_reaches_the_mse_bar() {
    let mut epochs = 0;
    let (_, test) = sine::run(|_| epochs += 1).unwrap();
    assert_eq!((epochs, test.samples), (sine::EPOCHS, 200));
    assert!(
        test.loss < sine::BAR,
        "sine: test MSE {:e} not below {:e}",
        test.loss,
        sine::BAR
    );
}
