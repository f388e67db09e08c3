//! The seeds' documented response decodes and re-encodes to equal JSON.

use member_types::{Envelope, Member};

const SEED_RESPONSE: &str = include_str!("../../../fixtures/responses/update-member-seed.json");

#[test]
fn seed_example_round_trips() {
    let original: serde_json::Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    let envelope: Envelope<Member> = serde_json::from_str(SEED_RESPONSE).unwrap();
    let member = envelope.result.as_ref().unwrap();
    assert_eq!(
        member.id.as_ref().unwrap().as_str(),
        "4536bcfad5faccb111b47003c79917fa"
    );
    assert_eq!(member.roles[0].name, "Account Administrator");
    let back = serde_json::to_value(&envelope).unwrap();
    assert_eq!(back, original);
}
