// `uint!` names what it was given: here a negative number.
type Size = typenet_macros::uint!(-3);

fn main() {
    let _: Option<Size> = None;
}
