"""HMAC signatures of webhook bodies: what a receiver checks."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from monitor.alerts import sign, verify

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
BODY = b'{"event":"change.detected","delivery_id":"d1","change":{"id":1}}'


def test_sign_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"s3cret", f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", TS, BODY) == "sha256=" + expected


def test_verifies_with_the_secret_and_not_with_another() -> None:
    signature = sign("s3cret", TS, BODY)
    assert verify("s3cret", TS, BODY, signature, now=NOW)
    assert verify("s3cret", str(TS), BODY, signature, now=NOW)  # straight from the header
    assert not verify("other", TS, BODY, signature, now=NOW)


def test_fails_when_body_or_timestamp_tampered() -> None:
    signature = sign("s3cret", TS, BODY)
    assert not verify("s3cret", TS, BODY.replace(b"1}", b"2}"), signature, now=NOW)
    assert not verify("s3cret", TS + 1, BODY, signature, now=NOW)
    assert not verify("s3cret", TS, BODY + b" ", signature, now=NOW)


def test_rejects_timestamps_older_than_five_minutes_or_far_ahead() -> None:
    signature = sign("s3cret", TS, BODY)
    assert verify("s3cret", TS, BODY, signature, now=NOW + timedelta(seconds=300))
    assert not verify("s3cret", TS, BODY, signature, now=NOW + timedelta(seconds=301))
    assert not verify("s3cret", TS, BODY, signature, now=NOW - timedelta(seconds=301))
    assert verify("s3cret", TS, BODY, signature, now=TS + 600.0, max_age=600)


def test_malformed_input_is_false_not_an_exception() -> None:
    signature = sign("s3cret", TS, BODY)
    assert not verify("s3cret", "soon", BODY, signature, now=NOW)
    assert not verify("s3cret", TS, BODY, "sha256=zz", now=NOW)
    assert not verify("s3cret", TS, BODY, "sha256=é" + signature[8:], now=NOW)
    assert not verify("s3cret", TS, BODY, "", now=NOW)


# HMAC zero-pads short keys, so "a" and "a\0" are the same key: leave NUL out
KEYS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)


@given(secret=KEYS, other=KEYS, body=st.binary(), ts=st.integers(0, 2**40))
def test_roundtrip_property(secret: str, other: str, body: bytes, ts: int) -> None:
    signature = sign(secret, ts, body)
    assert verify(secret, ts, body, signature, now=float(ts))
    assert verify(other, ts, body, signature, now=float(ts)) == (other == secret)


def test_secret_with_undecodable_environment_bytes_signs_over_the_raw_bytes() -> None:
    raw = b"k\xff"  # os.environ hands such bytes over as surrogate escapes
    secret = raw.decode("utf-8", "surrogateescape")
    expected = hmac.new(raw, f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(secret, TS, BODY) == "sha256=" + expected
