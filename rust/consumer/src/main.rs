//! Decodes an SEA syndrome through kvmsea, as any user of the crate would
//! (rust/check.sh builds it with no registry, linked through pkg-config).
#![forbid(unsafe_code)]

fn main() {
    let esr = kvmsea::esr::Esr::decode(0x9200_0050);
    assert!(esr.is_sea());
    println!("consumer: {esr}");
}
