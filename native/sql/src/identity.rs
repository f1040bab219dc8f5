//! What every zkmr SQL function declares the same way: the name DataFusion matches (lower
//! case), the name users write (its alias, `zkMatMul`) and its signature.

use datafusion::logical_expr::Signature;

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct Identity {
    pub name: String,
    pub aliases: Vec<String>,
    pub signature: Signature,
}

impl Identity {
    /// The function users call `display`, taking arguments as `signature` says.
    pub fn new(display: &str, signature: Signature) -> Self {
        Self {
            name: display.to_ascii_lowercase(),
            aliases: vec![display.into()],
            signature,
        }
    }
}

/// The `name`, `aliases` and `signature` of a `ScalarUDFImpl` whose `identity` field is an
/// [`Identity`]: the part of every function's implementation that says nothing about it.
macro_rules! identity_methods {
    () => {
        fn name(&self) -> &str {
            &self.identity.name
        }

        fn aliases(&self) -> &[String] {
            &self.identity.aliases
        }

        fn signature(&self) -> &datafusion::logical_expr::Signature {
            &self.identity.signature
        }
    };
}
pub(crate) use identity_methods;
