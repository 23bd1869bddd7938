//! The held-out digits of `embedded/data/heldout.bin` (65 bytes per image: 64 pixels
//! 0..16 row by row, then the label) and the tally the firmware prints, shared by the
//! host references of the firmware, the examples CI compares byte for byte with the
//! Cortex-M binaries (`digits_heldout.rs`, `digits_q16.rs`, `digits_int8.rs` beside
//! this file).

/// The file the firmware embeds.
pub const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/embedded/data/heldout.bin");

/// Reads the held-out images; an error names the file and the problem.
pub fn load() -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(HELDOUT).map_err(|e| format!("{HELDOUT}: {e}"))?;
    if bytes.len() % 65 != 0 {
        return Err(format!(
            "{HELDOUT}: {} bytes is not a whole number of 65-byte images",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// Correct predictions and the FNV-1a 64 checksum of the predicted classes, as the
/// firmware computes them.
pub struct Tally {
    correct: usize,
    images: usize,
    checksum: u64,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Tally {
            correct: 0,
            images: 0,
            checksum: 0xcbf2_9ce4_8422_2325,
        }
    }

    /// Counts one image's prediction against its label.
    pub fn record(&mut self, predicted: Option<usize>, label: u8) {
        self.images += 1;
        self.correct += usize::from(predicted == Some(usize::from(label)));
        // An output of NaNs predicts no class (`argmax` gives `None`): u64::MAX in the
        // checksum, as in the firmware.
        self.checksum ^= predicted.map_or(u64::MAX, |p| p as u64);
        self.checksum = self.checksum.wrapping_mul(0x0000_0100_0000_01b3);
    }

    /// The two lines the firmware prints, `name` naming the number format.
    pub fn print(&self, name: &str) {
        println!(
            "{name}: {} of {} held-out images correct",
            self.correct, self.images
        );
        println!("predictions checksum: {:016x}", self.checksum);
    }
}
