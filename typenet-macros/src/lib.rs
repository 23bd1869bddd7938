//! The procedural macro behind typenet's layer sizes: [`uint!`] turns any integer
//! literal into the typenum type of that number.
//!
//! typenum names its numbers `U0` to `U1024` (and some powers of two and ten beyond),
//! and `typenum::U<N>` only works for those, so `network!(f32; 784 -> 2000 ReLU -> 10
//! Softmax)` could not name its 2000-wide layer. [`uint!`] writes the number out in
//! binary the way typenum does, for any value up to `u64::MAX`:
//!
//! ```
//! // 6 = 0b110: the most significant bit is innermost, as in typenum's own `U6`.
//! type Six = typenet_macros::uint!(::typenum; 6);
//! let same: typenum::U6 = Six::default();
//! # let _ = same;
//!
//! type Wide = typenet_macros::uint!(::typenum; 2_000);
//! assert_eq!(<Wide as typenum::Unsigned>::USIZE, 2000);
//! ```
//!
//! # The path to typenum
//! A procedural macro cannot write `$crate`, so the expansion has to be told where
//! typenum is. The input is `uint!(PATH; N)` or `uint!(N)`:
//!
//! - With `PATH;`, the tokens before the `;` are copied unchanged in front of every
//!   typenum name (`PATH::UInt`, `PATH::UTerm`, `PATH::B0`, `PATH::B1`). typenet's
//!   `network!` passes `$crate::typenum`; the macro receives the `$crate` as one
//!   identifier token, and copied unchanged it keeps its meaning (typenet's crate
//!   root, whatever name the user's crate gave typenet), so
//!   the expansion works from inside typenet's `macro_rules!` macros, in typenet
//!   itself, and in crates that renamed typenet in their `Cargo.toml`. Anyone else
//!   passes a path to a typenum crate, e.g. `uint!(::typenum; 2000)` or
//!   `uint!(my_typenet::typenum; 2000)`.
//! - Without a path, the expansion names `::typenet::typenum`, the re-export of a
//!   user who depends on typenet under its own name.
//!
//! # What is accepted
//! Exactly one unsigned decimal integer literal: digits, optionally with `_`
//! separators and a `usize`, `u32` or `u64` suffix, at most `u64::MAX` (and at most
//! `u32::MAX` with the `u32` suffix). `0` is `UTerm`. Anything else — a negative
//! number, a float, a hexadecimal literal, another suffix, a string, an identifier,
//! no token or several — expands to a `compile_error!` whose sentence names what was
//! given and what is accepted, pointing at the input.
//!
//! The crate has no dependencies: it uses only the compiler's `proc_macro` API (no
//! syn, quote or proc-macro2), so it adds little to typenet's build time.

#![deny(missing_docs)]

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// The typenum type of an integer literal: `uint!(PATH; N)` or `uint!(N)`.
///
/// `uint!(::typenum; 2)` is `::typenum::UInt<::typenum::UInt<::typenum::UTerm,
/// ::typenum::B1>, ::typenum::B0>`, the same type as `typenum::U2`; without a path the
/// names are taken from `::typenet::typenum`. See the [crate documentation](crate) for
/// the path and the accepted literals.
///
/// ```
/// type T = typenet_macros::uint!(::typenum; 65_536u64);
/// assert_eq!(<T as typenum::Unsigned>::U64, 65_536);
/// ```
///
/// ```compile_fail
/// // A float is not a size: "expected an unsigned decimal integer literal ...,
/// // but found the float literal `2.5`".
/// type T = typenet_macros::uint!(::typenum; 2.5);
/// ```
#[proc_macro]
pub fn uint(input: TokenStream) -> TokenStream {
    expand(input)
}

/// What the macro accepts, as the end of its error sentences.
const ACCEPTED: &str = "an unsigned decimal integer literal such as `2000` \
    (with optional `_` separators and an optional `usize`, `u32` or `u64` suffix)";

/// A compile error spanning the input tokens from `first` to `last`.
struct Error {
    message: String,
    first: Span,
    last: Span,
}

impl Error {
    /// The error as a type: `PATH::U<{ ::core::compile_error!("message"); 0 }>`.
    ///
    /// A bare `compile_error!` in a type position leaves the type `()`, and then every
    /// use of the network adds errors about `()` not being a size; with the error in a
    /// constant that is then 0, the sentence is the only error. Without a path (an
    /// empty one before `;`) the bare `compile_error!` is all there is.
    fn into_type(self, prefix: Option<&[TokenTree]>) -> TokenStream {
        let error = self.into_compile_error();
        let Some(prefix) = prefix else {
            return error.into_iter().collect();
        };
        let span = Span::call_site();
        let mut block = error;
        block.push(punct(';', Spacing::Alone, span));
        block.push(Literal::usize_unsuffixed(0).into());
        let mut ty = prefix.to_vec();
        ty.extend(path_sep(span));
        ty.push(Ident::new("U", span).into());
        ty.push(punct('<', Spacing::Alone, span));
        ty.push(Group::new(Delimiter::Brace, block.into_iter().collect()).into());
        ty.push(punct('>', Spacing::Alone, span));
        ty.into_iter().collect()
    }

    /// `::core::compile_error!("message")`, spanned so that the error points at the input.
    fn into_compile_error(self) -> Vec<TokenTree> {
        let (first, last) = (self.first, self.last);
        let mut message = Literal::string(&self.message);
        message.set_span(last);
        let mut args = Group::new(Delimiter::Parenthesis, TokenTree::Literal(message).into());
        args.set_span(last);
        let mut tokens = path_sep(first);
        tokens.push(Ident::new("core", first).into());
        tokens.extend(path_sep(first));
        tokens.push(Ident::new("compile_error", first).into());
        tokens.push(punct('!', Spacing::Alone, first));
        tokens.push(args.into());
        tokens
    }
}

/// Splits the optional `PATH;` off and expands the number.
fn expand(input: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let semi = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
    let (prefix, number) = match semi {
        Some(k) => {
            if k == 0 {
                let span = tokens[0].span();
                let error = Error {
                    message: "expected a path to the typenum crate before `;` \
                        (e.g. `::typenum; 2000`), but found nothing"
                        .into(),
                    first: span,
                    last: span,
                };
                return error.into_type(None);
            }
            (tokens[..k].to_vec(), &tokens[k + 1..])
        }
        None => (default_prefix(), &tokens[..]),
    };
    match number_of(number) {
        Ok(n) => uint_tokens(n, &prefix),
        Err(error) => error.into_type(Some(&prefix)),
    }
}

/// `::typenet::typenum`.
fn default_prefix() -> Vec<TokenTree> {
    let span = Span::call_site();
    let mut path = path_sep(span);
    path.push(Ident::new("typenet", span).into());
    path.extend(path_sep(span));
    path.push(Ident::new("typenum", span).into());
    path
}

/// The value of the number part, or an error naming what it is.
fn number_of(tokens: &[TokenTree]) -> Result<u64, Error> {
    // A literal forwarded by a `macro_rules!` fragment (`$n:literal`, `$n:expr`) may
    // arrive wrapped in an invisible group: look inside.
    if let [TokenTree::Group(g)] = tokens
        && g.delimiter() == Delimiter::None
    {
        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
        return number_of(&inner);
    }
    let error = |what: String| {
        let span = |t: &TokenTree| t.span();
        Error {
            message: format!("expected {ACCEPTED}, but found {what}"),
            first: tokens.first().map_or_else(Span::call_site, span),
            last: tokens.last().map_or_else(Span::call_site, span),
        }
    };
    let shown = || tokens.iter().cloned().collect::<TokenStream>().to_string();
    match tokens {
        [] => Err(error("nothing".into())),
        [TokenTree::Literal(lit)] => parse_size(&lit.to_string()).map_err(error),
        [TokenTree::Punct(minus), TokenTree::Literal(lit)] if minus.as_char() == '-' => {
            Err(error(format!("the negative number `-{lit}`")))
        }
        [TokenTree::Ident(ident)] => Err(error(format!("the identifier `{ident}`"))),
        [TokenTree::Group(_)] => Err(error(format!("the group `{}`", shown()))),
        [TokenTree::Punct(_)] => Err(error(format!("the punctuation `{}`", shown()))),
        [_, ..] => Err(error(format!(
            "{} tokens `{}`; give exactly one literal",
            tokens.len(),
            shown()
        ))),
    }
}

/// The value of an integer literal's source text, or what the text is if it is not
/// an accepted size (for the error sentence).
fn parse_size(text: &str) -> Result<u64, String> {
    let bytes = text.as_bytes();
    let kind = match bytes {
        [b'-', ..] => return Err(format!("the negative number `{text}`")),
        [b'"', ..] | [b'r', ..] => "string literal",
        [b'b', b'\'', ..] => "byte literal",
        [b'b', ..] => "byte string literal",
        [b'c', ..] => "C string literal",
        [b'\'', ..] => "character literal",
        [b'0', b'x' | b'X', ..] => "hexadecimal literal",
        [b'0', b'o' | b'O', ..] => "octal literal",
        [b'0', b'b' | b'B', ..] => "binary literal",
        [b'0'..=b'9', ..] => "",
        _ => "literal",
    };
    if !kind.is_empty() {
        return Err(format!("the {kind} `{text}`"));
    }
    let body_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len());
    let (body, suffix) = text.split_at(body_len);
    let max = match suffix {
        "" | "usize" | "u64" => u64::MAX,
        "u32" => u64::from(u32::MAX),
        _ if suffix.starts_with(['.', 'e', 'E']) || suffix == "f32" || suffix == "f64" => {
            return Err(format!("the float literal `{text}`"));
        }
        _ => return Err(format!("the literal `{text}` with the suffix `{suffix}`")),
    };
    let mut value: u64 = 0;
    for digit in body.bytes().filter(|&b| b != b'_') {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .filter(|&v| v <= max)
            .ok_or_else(|| match suffix {
                "u32" => format!("`{text}`, which is above u32::MAX (its suffix is `u32`)"),
                _ => format!("`{text}`, which is above u64::MAX"),
            })?;
    }
    Ok(value)
}

/// Builds the typenum number `n` from `uterm` (`UTerm`) by wrapping it once per binary
/// digit, most significant first: `wrap(inner, bit)` is `UInt<inner, B0 or B1>`. 0 is
/// `uterm` itself, and no number has leading zeros, as in typenum.
fn build_uint<T>(n: u64, uterm: T, mut wrap: impl FnMut(T, bool) -> T) -> T {
    let digits = u64::BITS - n.leading_zeros();
    (0..digits)
        .rev()
        .fold(uterm, |inner, k| wrap(inner, (n >> k) & 1 == 1))
}

/// The type tokens of `n`, every typenum name written as `prefix::Name`.
fn uint_tokens(n: u64, prefix: &[TokenTree]) -> TokenStream {
    let span = Span::call_site();
    let name = |name: &str| {
        let mut path = prefix.to_vec();
        path.extend(path_sep(span));
        path.push(Ident::new(name, span).into());
        path
    };
    build_uint(n, name("UTerm"), |inner, bit| {
        let mut ty = name("UInt");
        ty.push(punct('<', Spacing::Alone, span));
        ty.extend(inner);
        ty.push(punct(',', Spacing::Alone, span));
        ty.extend(name(if bit { "B1" } else { "B0" }));
        ty.push(punct('>', Spacing::Alone, span));
        ty
    })
    .into_iter()
    .collect()
}

/// `::`
fn path_sep(span: Span) -> Vec<TokenTree> {
    vec![
        punct(':', Spacing::Joint, span),
        punct(':', Spacing::Alone, span),
    ]
}

fn punct(c: char, spacing: Spacing, span: Span) -> TokenTree {
    let mut p = Punct::new(c, spacing);
    p.set_span(span);
    p.into()
}

#[cfg(test)]
mod tests {
    use super::{build_uint, parse_size};

    /// The type `build_uint` makes, written out with typenum's short names.
    fn spelled(n: u64) -> String {
        build_uint(n, "UTerm".to_string(), |inner, bit| {
            format!("UInt<{inner}, {}>", if bit { "B1" } else { "B0" })
        })
    }

    /// The binary digits of a spelled number: the `B0`/`B1` in the order written,
    /// which is most significant (innermost) first.
    fn digits(spelled: &str) -> String {
        spelled.split('B').skip(1).map(|rest| &rest[..1]).collect()
    }

    #[test]
    fn small_numbers_are_typenums_own() {
        assert_eq!(spelled(0), "UTerm");
        assert_eq!(spelled(1), "UInt<UTerm, B1>");
        // typenum's U2.
        assert_eq!(spelled(2), "UInt<UInt<UTerm, B1>, B0>");
        assert_eq!(spelled(6), "UInt<UInt<UInt<UTerm, B1>, B1>, B0>");
    }

    #[test]
    fn large_numbers_are_their_binary_digits() {
        for n in [1024, 2000, 65_536, u64::MAX] {
            let s = spelled(n);
            assert_eq!(digits(&s), format!("{n:b}"), "{n}");
            assert_eq!(s.matches("UInt<").count(), format!("{n:b}").len(), "{n}");
            assert!(
                s.starts_with("UInt<UInt<") && s.contains("<UTerm, B1>"),
                "{n}"
            );
        }
        assert_eq!(digits(&spelled(1024)), "10000000000");
        assert_eq!(digits(&spelled(2000)), "11111010000");
        assert_eq!(digits(&spelled(65_536)), format!("1{}", "0".repeat(16)));
        assert_eq!(digits(&spelled(u64::MAX)), "1".repeat(64));
    }

    #[test]
    fn accepted_literals() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("2000"), Ok(2000));
        assert_eq!(parse_size("2_000"), Ok(2000));
        assert_eq!(parse_size("65_536usize"), Ok(65_536));
        assert_eq!(parse_size("7u32"), Ok(7));
        assert_eq!(parse_size("4294967295u32"), Ok(u64::from(u32::MAX)));
        assert_eq!(parse_size("18446744073709551615u64"), Ok(u64::MAX));
        assert_eq!(parse_size("18_446_744_073_709_551_615"), Ok(u64::MAX));
    }

    #[test]
    fn rejected_literals_are_named() {
        let rejected = |text: &str| parse_size(text).unwrap_err();
        assert_eq!(rejected("2.5"), "the float literal `2.5`");
        assert_eq!(rejected("1e3"), "the float literal `1e3`");
        assert_eq!(rejected("1f32"), "the float literal `1f32`");
        assert_eq!(rejected("-5"), "the negative number `-5`");
        assert_eq!(rejected("0x10"), "the hexadecimal literal `0x10`");
        assert_eq!(rejected("0b10"), "the binary literal `0b10`");
        assert_eq!(rejected("5u8"), "the literal `5u8` with the suffix `u8`");
        assert_eq!(rejected("5i32"), "the literal `5i32` with the suffix `i32`");
        assert_eq!(rejected("\"5\""), "the string literal `\"5\"`");
        assert_eq!(rejected("'5'"), "the character literal `'5'`");
        assert_eq!(rejected("b'5'"), "the byte literal `b'5'`");
        assert_eq!(
            rejected("18446744073709551616"),
            "`18446744073709551616`, which is above u64::MAX"
        );
        assert_eq!(
            rejected("4294967296u32"),
            "`4294967296u32`, which is above u32::MAX (its suffix is `u32`)"
        );
    }
}
