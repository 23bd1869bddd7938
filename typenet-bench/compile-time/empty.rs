//! The baseline: a crate that depends on typenet and uses nothing of it.
fn main() {
    println!("{}", std::hint::black_box(1));
}
