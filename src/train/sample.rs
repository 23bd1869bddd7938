//! [`Sample`]: what [`Trainer::step`](crate::train::Trainer::step),
//! [`evaluate`](crate::train::evaluate) and [`Fit`](crate::fit::Fit) take as one
//! training sample.

use crate::net::arr::Arr;
use generic_array::ArrayLength;

/// A labelled training sample: an input a^0 of `M` (the network's M_0) entries and a
/// target. Implemented for the pair `(input, target)`, for the pair of references
/// `(&input, &target)`, and for a reference to any sample, so that a batch can be
/// given as `&data`, `data.iter()`, `data[..32].iter()` or `inputs.iter().zip(&targets)`
/// over a `Vec<(Arr<T, M>, Tg)>` or a slice, without copying or re-pairing.
///
/// ```
/// use typenet::{network, Network, optim::Sgd, loss::MeanSquaredError, train::Trainer};
/// use typenet::generic_array::GenericArray;
///
/// type Net = network!(f64; 1 -> 1 Identity);
/// let mut net = Net::zeroed();
/// let mut trainer = Trainer::new(Sgd::new(0.1));
/// let data = vec![(GenericArray::from_array([1.0]), GenericArray::from_array([3.0]))];
/// trainer.step(&mut net, &MeanSquaredError, &data).unwrap(); // items &(x, t)
/// trainer.step(&mut net, &MeanSquaredError, data.iter().map(|(x, t)| (x, t))).unwrap();
/// trainer.step(&mut net, &MeanSquaredError, data.clone()).unwrap(); // owned (x, t)
/// ```
#[diagnostic::on_unimplemented(
    message = "the items of this batch are not training samples of the network's input size M_0",
    label = "each item must be a pair (input, target) whose input has `Network::INPUTS` entries",
    note = "a training sample is a pair (input, target) (or a reference to one, or a pair of references) whose input is an array of the network's M_0 entries (`Network::INPUTS`)"
)]
pub trait Sample<T, M: ArrayLength> {
    /// The target's type: a class index, a vector `Arr<T, M_N>`, … (whatever the loss
    /// scores).
    type Target: ?Sized;
    /// The input a^0.
    fn input(&self) -> &Arr<T, M>;
    /// The target.
    fn target(&self) -> &Self::Target;
}

impl<T, M: ArrayLength, Tg> Sample<T, M> for (Arr<T, M>, Tg) {
    type Target = Tg;
    #[inline]
    fn input(&self) -> &Arr<T, M> {
        &self.0
    }
    #[inline]
    fn target(&self) -> &Tg {
        &self.1
    }
}

impl<T, M: ArrayLength, Tg: ?Sized> Sample<T, M> for (&Arr<T, M>, &Tg) {
    type Target = Tg;
    #[inline]
    fn input(&self) -> &Arr<T, M> {
        self.0
    }
    #[inline]
    fn target(&self) -> &Tg {
        self.1
    }
}

impl<T, M: ArrayLength, S: Sample<T, M> + ?Sized> Sample<T, M> for &S {
    type Target = S::Target;
    #[inline]
    fn input(&self) -> &Arr<T, M> {
        (**self).input()
    }
    #[inline]
    fn target(&self) -> &S::Target {
        (**self).target()
    }
}
