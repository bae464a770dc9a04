//! Property: for any input and any way of cutting it into chunks (1-byte chunks included), the
//! decoder dispatches the same events, and reports the same end, as for the whole input at once.
#![cfg(not(target_arch = "wasm32"))]

use assist_protocol::sse::{Decoder, End, Event};
use proptest::prelude::*;

fn whole(input: &[u8]) -> (Vec<Event>, End) {
    let mut decoder = Decoder::new();
    let events = decoder.feed(input).unwrap();
    (events, decoder.finish())
}

fn cut_at(input: &[u8], cuts: &[usize]) -> (Vec<Event>, End) {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    let mut start = 0;
    for point in points.into_iter().chain([input.len()]) {
        decoder
            .feed_into(&input[start..point], &mut events)
            .unwrap();
        start = point;
    }
    (events, decoder.finish())
}

/// Inputs made of the pieces event streams are made of, so the interesting cases (CR at a
/// chunk end, BOMs, split characters, fields without colons) come up often.
fn stream_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"data".to_vec()),
        Just(b"event:".to_vec()),
        Just(b"event: delta".to_vec()),
        Just(b"id:".to_vec()),
        Just(b"id: 7".to_vec()),
        Just(b"id:\0".to_vec()),
        Just(b"retry:".to_vec()),
        Just(b"retry: 3000".to_vec()),
        Just(b"retry:12x".to_vec()),
        Just(b":".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just("\u{FEFF}".as_bytes().to_vec()),
        Just("é🌍".as_bytes().to_vec()),
        Just(b"\xF0\x9F".to_vec()),
        Just(b"{\"text\":\"hi\"}".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn stream_like_input_cut_anywhere(input in stream_like(), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        prop_assert_eq!(cut_at(&input, &cuts), whole(&input));
    }

    #[test]
    fn arbitrary_bytes_cut_anywhere(input in proptest::collection::vec(any::<u8>(), 0..256), cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        prop_assert_eq!(cut_at(&input, &cuts), whole(&input));
    }

    #[test]
    fn one_byte_chunks(input in stream_like()) {
        let cuts: Vec<usize> = (0..input.len()).collect();
        prop_assert_eq!(cut_at(&input, &cuts), whole(&input));
    }
}
