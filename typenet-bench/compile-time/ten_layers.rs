//! A 10-layer network (the W4 autoencoder shape) used for inference, a training step
//! and serialization, so every generic path is monomorphised.
use typenet::generic_array::GenericArray;
use typenet::loss::MeanSquaredError;
use typenet::optim::Adam;
use typenet::train::Trainer;
use typenet::{BoxedNetwork, Network, format, network};

type Net = network!(f32; 64 -> 32 ReLU -> 32 ReLU -> 32 Tanh -> 32 ReLU -> 8 ReLU -> 32 ReLU -> 32 Sigmoid -> 32 ReLU -> 32 ReLU -> 64 Identity);

fn main() {
    let mut net = Net::new_boxed_zeroed();
    typenet::init::initialize(&mut *net, &mut XorShift(7));
    let x = GenericArray::from_array([0.5_f32; 64]);
    let y = net.forward(&x);
    let mut trainer = Box::new(Trainer::new(Adam::new(0.01)));
    let loss = trainer.step(&mut *net, &MeanSquaredError, [(&x, &x)]).unwrap();
    let bytes = format::to_bytes(&*net);
    println!("{} {} {}", y[0], loss, bytes.len());
}

struct XorShift(u64);
impl typenet::rand_core::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
}
