"""Content encodings from a real loopback server (issue 13, finding 3): a zstd or gzip bomb stops at the
10 MiB cap with the decoder's memory bounded (measured in a child process with a 2 GiB address-space limit),
a genuine zstd page decodes, and `br` or an unknown coding is an error, never a version."""

from __future__ import annotations

import gzip
import json
import resource
import sqlite3
import subprocess
import sys
import zlib

import pytest
import zstandard

from monitor.errors import FetchError
from monitor.fetch import fetch_document, make_client

MiB = 1024 * 1024
PAGE = ("<html><body><main><h1>Terms</h1>" + "".join(
    f"<p>Clause {i}: we keep your data only as long as section {i} allows.</p>" for i in range(60))
    + "</main></body></html>").encode()
PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from monitor.errors import FetchError
from monitor.fetch import fetch_document, make_client
with make_client() as client:
    try:
        fetch_document(sys.argv[1], client=client)
        outcome = "ok"
    except FetchError as exc:
        outcome = str(exc)
    except MemoryError:
        outcome = "MemoryError"
print(json.dumps({"outcome": outcome, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def zstd_bomb(decoded_mib: int) -> bytes:
    """A zstd stream of `decoded_mib` MiB of zeros, built without holding them in memory."""
    compressor = zstandard.ZstdCompressor(level=19).compressobj()
    block = b"\0" * MiB
    return b"".join([compressor.compress(block) for _ in range(decoded_mib)] + [compressor.flush()])


@pytest.fixture(scope="module")
def bombs() -> dict[str, tuple[bytes, str]]:
    deflater = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * MiB
    gz = b"".join([deflater.compress(block) for _ in range(1024)] + [deflater.flush()])
    return {"/zstd-bomb": (zstd_bomb(4096), "zstd"), "/gzip-bomb": (gz, "gzip")}


def probe(url: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("path", ["/zstd-bomb", "/gzip-bomb"])
def test_a_bomb_stops_at_the_cap_with_bounded_memory(path, bombs, page_server):
    body, coding = bombs[path]
    assert len(body) < 1 * MiB                         # 4 GiB of zeros in a few hundred KB
    page_server.set(path, body, headers={"Content-Encoding": coding})
    result = probe(page_server.url(path))
    assert "exceeds the 10485760-byte cap" in str(result["outcome"]), result
    baseline = probe(page_server.url("/nothing-here"))     # the same child fetching a 404
    assert float(result["maxrss_mb"]) - float(baseline["maxrss_mb"]) < 64, (result, baseline)
    print(f"{path}: {len(body)} bytes sent, peak RSS {result['maxrss_mb']:.0f} MB "
          f"(a 404: {baseline['maxrss_mb']:.0f} MB)")


def test_a_zstd_page_decodes(page_server):
    page_server.set("/z", zstandard.ZstdCompressor().compress(PAGE), headers={"Content-Encoding": "zstd"})
    page_server.set("/g", gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    with make_client() as client:
        for path in ("/z", "/g"):
            assert fetch_document(page_server.url(path), client=client).body == PAGE


def test_a_corrupt_zstd_body_is_an_error(page_server):
    page_server.set("/bad", b"\x28\xb5\x2f\xfd" + b"garbage" * 50, headers={"Content-Encoding": "zstd"})
    with make_client() as client, pytest.raises(FetchError, match="undecodable"):
        fetch_document(page_server.url("/bad"), client=client)


@pytest.mark.parametrize("coding", ["br", "compress", "x-custom"])
def test_an_encoding_tosmon_cannot_decode_is_an_error_never_a_version(coding, page_server, write_watchlist,
                                                                       run_cli, db_path):
    page_server.set("/p", b"\x1b\x4f\x00\xf8" + PAGE[:300], headers={"Content-Encoding": coding})
    write_watchlist(f"services:\n  acme:\n    documents:\n      terms:\n        url: {page_server.url('/p')}\n")
    result = run_cli("check")
    assert f"content encoding '{coding}' is not supported" in result.output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
    conn.close()


def test_no_memory_limit_leaks_into_the_test_process():
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY
