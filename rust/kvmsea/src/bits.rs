//! Sets of bits of a C flags word, as Rust types with named members.

/// `bit_set! { Name { MEMBER = sys::C_BIT => "name", ... } }` (each with
/// its doc comment): a `Copy` set with `empty`, `from_bits` (unknown bits
/// kept), `bits`, `contains`, `is_empty`, `|`, and `Display` as the
/// members' names joined by `|` (`-` for none).
macro_rules! bit_set {
    ($(#[$doc:meta])* $name:ident { $($(#[$bdoc:meta])* $bit:ident = $c:path => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            $($(#[$bdoc])* pub const $bit: $name = $name($c);)*
            const NAMES: &'static [($name, &'static str)] = &[$(($name::$bit, $text),)*];

            /// The empty set.
            pub const fn empty() -> $name {
                $name(0)
            }

            /// The set of these C bits (unknown bits are kept).
            pub const fn from_bits(bits: u32) -> $name {
                $name(bits)
            }

            /// The C bits.
            pub const fn bits(self) -> u32 {
                self.0
            }

            /// Every member of `other` is in the set.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// No member.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }
        }

        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                $name(self.0 | rhs.0)
            }
        }

        /// The members' names joined with `|`, or `-` for none.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                if self.is_empty() {
                    return f.write_str("-");
                }
                let mut rest = self.0;
                let mut sep = "";
                for (bit, text) in Self::NAMES {
                    if self.contains(*bit) {
                        write!(f, "{sep}{text}")?;
                        sep = "|";
                        rest &= !bit.0;
                    }
                }
                if rest != 0 {
                    write!(f, "{sep}{rest:#x}")?;
                }
                Ok(())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }
    };
}

pub(crate) use bit_set;
