//! Random identifiers in the API's style.

/// 32 lowercase hexadecimal characters, like the API's member and policy ids.
pub(crate) fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A `cf-ray` value: 16 hexadecimal characters and `-MOCK` (the real API
/// ends with the data centre's code).
pub(crate) fn cf_ray() -> String {
    format!("{:016x}-MOCK", rand::random::<u64>())
}
