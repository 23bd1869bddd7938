//! Shape errors and misuse are compile errors with a message that names the rule, and
//! a layer size that is not an unsigned integer literal is a compile error saying what
//! is accepted. The `.stderr` snapshots are pinned to the toolchain in
//! `rust-toolchain.toml`.

#[test]
fn shape_errors_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
    // With a `pass` case trybuild builds instead of checking, so errors raised while
    // instantiating generic code (const assertions) show up in the cases above too.
    t.pass("tests/compile_pass/*.rs");
}
