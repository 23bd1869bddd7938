//! Trains a network on the device itself: XOR with a 2 → 8 tanh → 1 sigmoid network,
//! binary cross-entropy and Adam, mini-batches of the four samples, no heap. Prints the
//! loss before and after training and the four predictions; exits with failure unless
//! the final loss is below `BAR` and every prediction is on the right side of ½.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rand_core::SeedableRng;
use typenet::generic_array::GenericArray;
use typenet::loss::BinaryCrossEntropy;
use typenet::optim::Adam;
use typenet::train::{Trainer, evaluate};
use typenet::{Network, init, network};

type XorNet = network!(f32; 2 -> 8 Tanh -> 1 Sigmoid);

/// The final mean loss must be below this.
const BAR: f32 = 0.05;
const STEPS: usize = 500;

#[entry]
fn main() -> ! {
    let inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(GenericArray::from_array);
    let targets = [0.0, 1.0, 1.0, 0.0].map(|t| GenericArray::from_array([t]));
    let data = || inputs.iter().zip(targets.iter());

    let mut net = XorNet::zeroed();
    init::initialize(&mut net, &mut rand_pcg::Pcg32::seed_from_u64(7));
    let mut trainer = Trainer::new(Adam::new(0.05));

    let before = match evaluate(&net, &BinaryCrossEntropy, data()) {
        Ok(e) => e.loss,
        Err(e) => {
            hprintln!("evaluation failed: {}", e);
            typenet_firmware::exit(false)
        }
    };
    hprintln!("xor: loss before training {}", before);
    for _ in 0..STEPS {
        if let Err(e) = trainer.step(&mut net, &BinaryCrossEntropy, data()) {
            hprintln!("training step failed: {}", e);
            typenet_firmware::exit(false)
        }
    }
    let after = match evaluate(&net, &BinaryCrossEntropy, data()) {
        Ok(e) => e,
        Err(e) => {
            hprintln!("evaluation failed: {}", e);
            typenet_firmware::exit(false)
        }
    };
    hprintln!("xor: loss after {} Adam steps {}", STEPS, after.loss);
    for (x, t) in data() {
        hprintln!(
            "xor: {:?} -> {} (target {})",
            x.as_slice(),
            net.forward(x)[0],
            t[0]
        );
    }
    let learned = after.loss < BAR && after.accuracy == 1.0;
    if learned {
        hprintln!("xor: learned (loss below {})", BAR);
    } else {
        hprintln!("xor: NOT learned (bar {})", BAR);
    }
    typenet_firmware::exit(learned)
}
