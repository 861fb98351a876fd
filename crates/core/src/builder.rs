//! The client builder every vendor crate declares, written once: [`vendor_client_builder!`].
//!
//! A vendor's `client.rs` states only what is its own — the credentials (with the hint of the
//! "is required" error), its defaults, its extra settings, and how its signer is built — and
//! the macro writes the rest the same way for all four crates: the struct, `Default` (the
//! vendor's base URL and rate limit), `Debug` (secrets print as `Secret(***)`), [`Configure`],
//! [`ConfigureTokens`] when the vendor has tokens, one setter per credential, and the start
//! of `build()` that checks every credential with [`check::credential`] or
//! [`check::secret_credential`] (one wording: `` `app_id` is required: … ``).
//!
//! [`Configure`]: crate::Configure
//! [`ConfigureTokens`]: crate::ConfigureTokens
//! [`check::credential`]: crate::check::credential
//! [`check::secret_credential`]: crate::check::secret_credential

use crate::{Error, Secret, check};

/// A credential type a client builder accepts: text ([`String`], trimmed) or a [`Secret`].
/// What [`vendor_client_builder!`] checks each credential with; not a public API.
#[doc(hidden)]
pub trait Credential: Sized {
    /// `value`, checked: a [`Config`](crate::ErrorKind::Config) error
    /// `` `field` is required: hint `` when it is missing or blank.
    fn required(
        vendor: &'static str,
        field: &str,
        value: Option<Self>,
        hint: &str,
    ) -> Result<Self, Error>;
}

impl Credential for String {
    fn required(
        vendor: &'static str,
        field: &str,
        value: Option<Self>,
        hint: &str,
    ) -> Result<Self, Error> {
        check::credential(vendor, field, value, hint)
    }
}

impl Credential for Secret {
    fn required(
        vendor: &'static str,
        field: &str,
        value: Option<Self>,
        hint: &str,
    ) -> Result<Self, Error> {
        check::secret_credential(vendor, field, value, hint)
    }
}

/// `show(value)`: how a builder's `Debug` prints a setting given with `=> show`.
#[doc(hidden)]
pub fn shown_with<T: ?Sized, R>(value: &T, show: impl FnOnce(&T) -> R) -> R {
    show(value)
}

/// Declares a vendor client builder: the struct, `Default`, `Debug`, `Configure`, optionally
/// `ConfigureTokens`, the credential setters and `build()`, the same in every vendor crate.
/// The macro writes the first paragraphs of the builder's and of `build()`'s documentation;
/// the attributes given add to them (an example, what is particular to the vendor).
///
/// ```text
/// scrm_core::vendor_client_builder! {
///     /// Builder of [`AcmeClient`] …
///     pub struct AcmeClientBuilder for Acme {
///         defaults: DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_MAX_CONCURRENT;
///         credentials {
///             /// The app id. Required.
///             app_id: String = "the app id from acme's console",
///             /// The app secret. Required; never printed.
///             app_secret: Secret = "the app secret from the same console",
///         }
///         settings {
///             tokens: TokenSettings = TokenSettings::new(&DEFAULT_TOKEN_INVALID_CODES),
///             ids: Option<Arc<dyn RequestIds>> = None => |ids| ids.is_some(),
///         }
///         /// Token store, refresh margin, token-invalid codes.
///         impl ConfigureTokens for tokens;
///     }
///
///     /// Builds the client …
///     fn build(self) -> Result<AcmeClient, Error> {
///         // `app_id: String` and `app_secret: Secret` are checked and bound here, `VENDOR`
///         // is the vendor's name; the settings and `self.options` are fields of `self`.
///     }
/// }
/// ```
///
/// Credentials are `String` (trimmed) or `Secret`, each `Option` in the struct, set with a
/// method of its name taking `impl Into<_>`, and checked in order before the body of
/// `build()` runs: a missing or blank one is a `Config` error
/// `` <vendor>: configuration error: `<name>` is required: <hint> ``. Settings are private
/// fields with a default; `Debug` prints them as they are, or through `=> show` (a closure
/// taking `&T`). Their setters, when there are any, are written in the vendor crate.
#[doc(hidden)]
#[macro_export]
macro_rules! vendor_client_builder {
    (
        $(#[$attr:meta])*
        pub struct $builder:ident for $vendor:ty {
            defaults: $base_url:expr, $requests_per_second:expr, $max_concurrent:expr;
            credentials {
                $( $(#[$cred_attr:meta])* $cred:ident: $cred_ty:ty = $hint:expr ),+ $(,)?
            }
            settings {
                $( $set:ident: $set_ty:ty = $set_default:expr $(=> $show:expr)? ),* $(,)?
            }
            $( $(#[$tokens_attr:meta])* impl ConfigureTokens for $tokens:ident; )?
        }

        $(#[$build_attr:meta])*
        fn build($self:ident) -> Result<$client:ident, $error:ty> $body:block
    ) => {
        #[doc = concat!(
            "Builder of [`", stringify!($client), "`]: its credentials, and the settings every ",
            "vendor crate shares (base URL, retries, rate limit, timeouts, transport, clock, page ",
            "options) from [`Configure`](scrm_core::Configure)."
        )]
        $( #[doc = $crate::__builder_tokens_doc!($tokens)] )?
        ///
        /// `Debug` never prints a secret credential: it shows `Secret(***)`.
        ///
        $(#[$attr])*
        #[derive(Clone)]
        #[must_use = "call .build() to get a client"]
        pub struct $builder {
            options: $crate::ClientOptions,
            $( $cred: ::core::option::Option<$cred_ty>, )+
            $( $set: $set_ty, )*
        }

        impl ::core::default::Default for $builder {
            #[doc = concat!("A builder with the defaults (see [`", stringify!($client), "::builder`]).")]
            fn default() -> Self {
                $builder {
                    options: $crate::ClientOptions::new(
                        $base_url,
                        $crate::RateLimit::new($requests_per_second, $max_concurrent),
                    ),
                    $( $cred: ::core::option::Option::None, )+
                    $( $set: $set_default, )*
                }
            }
        }

        impl ::core::fmt::Debug for $builder {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($builder))
                    .field("options", &self.options)
                    $( .field(stringify!($cred), &self.$cred) )+
                    $( .field(stringify!($set), $crate::__builder_debug_value!(&self.$set $(, $show)?)) )*
                    .finish()
            }
        }

        impl $crate::Configure for $builder {
            fn options_mut(&mut self) -> &mut $crate::ClientOptions {
                &mut self.options
            }
        }

        $(
            $(#[$tokens_attr])*
            impl $crate::ConfigureTokens for $builder {
                fn token_settings_mut(&mut self) -> &mut $crate::TokenSettings {
                    &mut self.$tokens
                }
            }
        )?

        impl $builder {
            $(
                $(#[$cred_attr])*
                pub fn $cred(mut self, $cred: impl ::core::convert::Into<$cred_ty>) -> Self {
                    self.$cred = ::core::option::Option::Some($cred.into());
                    self
                }
            )+

            /// Builds the client; sends nothing yet. Fails with
            /// [`ErrorKind::Config`](scrm_core::ErrorKind::Config) when a credential is missing
            /// or blank (`` `<name>` is required: <where to find it> ``, the wording of every
            /// vendor crate), or when the base URL is invalid (plain `http://` is accepted only
            /// for loopback hosts unless
            /// [`Configure::allow_insecure_http`](scrm_core::Configure::allow_insecure_http)).
            ///
            $(#[$build_attr])*
            pub fn build($self) -> ::core::result::Result<$client, $error> {
                const VENDOR: &str = <$vendor as $crate::Vendor>::NAME;
                $(
                    let $cred = <$cred_ty as $crate::__private::Credential>::required(
                        VENDOR,
                        stringify!($cred),
                        $self.$cred,
                        $hint,
                    )?;
                )+
                $body
            }
        }
    };
}

/// A setting's value for `Debug`: itself, or what `show` makes of it.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_debug_value {
    ($value:expr) => {
        $value
    };
    ($value:expr, $show:expr) => {
        &$crate::__private::shown_with($value, $show)
    };
}

/// The line of a builder's documentation for its token settings.
#[doc(hidden)]
#[macro_export]
macro_rules! __builder_tokens_doc {
    ($tokens:ident) => {
        "The token settings (store, refresh margin, token-invalid codes) come from \
         [`ConfigureTokens`](scrm_core::ConfigureTokens)."
    };
}
