//! `Trainer::step` with fuzzed parameters, inputs, targets, batch sizes, optimizers,
//! learning rates, momenta and clip norms, in f32 and Q16. The all-or-nothing rule:
//! a refused step leaves the network and the optimizer bit for bit as they were; an
//! accepted one leaves only finite parameters and returns a finite mean loss.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typenet::fixed::Q16;
use typenet::loss::{BinaryCrossEntropy, Huber, Loss, MeanSquaredError};
use typenet::optim::{Adam, Optimizer, RmsProp, Sgd};
use typenet::train::Trainer;
use typenet::{Arr, Network, Scalar, TrainError, network};
use typenet_fuzz::param_bits;

type Net<T> = network!(T; 2 -> 3 Tanh -> 1 Sigmoid);
type Sample<T> = (Arr<T, typenet::typenum::U2>, Arr<T, typenet::typenum::U1>);

/// The one call of `Trainer::step`: if its batch argument changes shape, adapt here.
fn step<T: Scalar, O: Optimizer<T, Net<T>>, L: Loss<T, Net<T>, Arr<T, typenet::typenum::U1>>>(
    trainer: &mut Trainer<T, Net<T>, O>,
    net: &mut Net<T>,
    loss: &L,
    batch: &[Sample<T>],
) -> Result<T, TrainError> {
    trainer.step(net, loss, batch.iter().map(|(x, t)| (x, t)))
}

/// Reads the fuzz input as a stream of 4-byte scalars and small choices.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn word(&mut self) -> [u8; 4] {
        [self.byte(), self.byte(), self.byte(), self.byte()]
    }
}

/// A scalar from 4 fuzzed bytes: any f32 bit pattern (NaN, ∞, subnormals), any Q16.
trait FromWord: Scalar {
    fn from_word(w: [u8; 4]) -> Self;
}
impl FromWord for f32 {
    fn from_word(w: [u8; 4]) -> f32 {
        f32::from_le_bytes(w)
    }
}
impl FromWord for Q16 {
    fn from_word(w: [u8; 4]) -> Q16 {
        Q16::from_bits(i32::from_le_bytes(w))
    }
}

fn run<T: FromWord, O: Optimizer<T, Net<T>> + core::fmt::Debug + Clone>(
    input: &mut Input<'_>,
    optimizer: O,
) {
    let params: Vec<T> = (0..Net::<T>::PARAMS)
        .map(|_| T::from_word(input.word()))
        .collect();
    let Ok(mut net) = Net::<T>::from_params(&params) else {
        return;
    };
    let mut trainer = Trainer::new(optimizer);
    if input.byte() & 1 == 1 {
        let c = T::from_word(input.word());
        match trainer.clone().try_with_clip_norm(c) {
            Ok(t) => trainer = t,
            // refused exactly when negative or NaN
            Err(_) => assert!(!(c >= T::zero()), "clip norm {c} refused"),
        }
    }
    let loss_kind = input.byte() % 3;
    let huber = Huber {
        delta: T::from_word(input.word()),
    };
    for _ in 0..3 {
        let n = usize::from(input.byte() % 9);
        let batch: Vec<Sample<T>> = (0..n)
            .map(|_| {
                let x = Arr::<T, _>::from_array([
                    T::from_word(input.word()),
                    T::from_word(input.word()),
                ]);
                let t = Arr::<T, _>::from_array([T::from_word(input.word())]);
                (x, t)
            })
            .collect();
        let before = param_bits(&net);
        let opt_before = format!("{:?}", trainer.optimizer);
        let result = match loss_kind {
            0 => step(&mut trainer, &mut net, &MeanSquaredError, &batch),
            1 => step(&mut trainer, &mut net, &BinaryCrossEntropy, &batch),
            _ => step(&mut trainer, &mut net, &huber, &batch),
        };
        match result {
            Ok(mean) => {
                assert!(mean.is_finite(), "mean loss {mean}");
                assert!(!batch.is_empty());
                for p in net.params() {
                    assert!(p.is_finite(), "accepted step left parameter {p}");
                }
            }
            Err(e) => {
                assert_eq!(
                    param_bits(&net),
                    before,
                    "refused step ({e}) changed the network"
                );
                assert_eq!(
                    format!("{:?}", trainer.optimizer),
                    opt_before,
                    "refused step ({e}) changed the optimizer"
                );
            }
        }
    }
}

fn optimizers<T: FromWord>(input: &mut Input<'_>) {
    let lr = T::from_word(input.word());
    let m = T::from_word(input.word());
    match input.byte() % 5 {
        0 => run(input, Sgd::<T, Net<T>>::new(lr)),
        1 => run(input, Sgd::<T, Net<T>>::new(lr).with_momentum(m)),
        2 => run(
            input,
            Sgd::<T, Net<T>>::new(lr)
                .with_nesterov(m)
                .with_weight_decay(m),
        ),
        3 => run(input, Adam::<T, Net<T>>::new(lr)),
        _ => run(input, RmsProp::<T, Net<T>>::new(lr).with_alpha(m)),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    if input.byte() & 1 == 0 {
        optimizers::<f32>(&mut input);
    } else {
        optimizers::<Q16>(&mut input);
    }
});
