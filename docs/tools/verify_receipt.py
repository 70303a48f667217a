#!/usr/bin/env python3
"""Verify a CIAF ledger receipt offline, without the store, the server or the CIAF library.

    python3 verify_receipt.py RECEIPT.json PUBLIC.pem [--id ID]

Checks, from scratch: the checkpoint is a C2SP signed note signed by PUBLIC.pem (ECDSA P-256 over SHA-256 of the
note body, DER; key id = first 4 bytes of SHA-256 of the key's DER SubjectPublicKeyInfo); it signs the receipt's
tree size and root; the RFC 9162 inclusion path leads from the leaf to that root; the leaf's "seq" is the leaf
index (and its "id" is ID). Needs Python 3 and the `cryptography` package. Exit 0 valid, 1 invalid, 2 usage.
"""
import argparse
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()  # RFC 9162 2.1.1


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(hash_: bytes, index: int, size: int, path: list, root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2, step by step."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hash_
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def check_checkpoint(note: str, key, failures: list):
    """Returns (tree size, root hash) of a correctly signed note, else None (with the reasons in failures)."""
    body, blank, signature = note.partition("\n\n")
    lines = body.split("\n")
    if not blank or len(lines) != 3 or not signature.startswith("\u2014 ") or not signature.endswith("\n") \
            or "\n" in signature[:-1] or len(signature[2:-1].split(" ")) != 2:
        failures.append("checkpoint: not a signed note with a 3-line body and one signature line")
        return None
    origin, size, root_b64 = lines
    name, signed_b64 = signature[2:-1].split(" ")
    raw = base64.b64decode(signed_b64, validate=True)
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if name != origin:
        failures.append("checkpoint: the signature line does not name the origin")
    if raw[:4] != hashlib.sha256(spki).digest()[:4]:
        failures.append("checkpoint signature: key id %s is not this key's" % raw[:4].hex())
    try:
        key.verify(raw[4:], (body + "\n").encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        failures.append("checkpoint signature: does not verify with this key")
    return int(size), base64.b64decode(root_b64, validate=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("receipt")
    parser.add_argument("public_key")
    parser.add_argument("--id")
    args = parser.parse_args()
    try:
        with open(args.receipt, encoding="utf-8") as f:
            receipt = json.load(f)
        with open(args.public_key, "rb") as f:
            key = serialization.load_pem_public_key(f.read())
    except (OSError, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        print("error: the public key is not ECDSA P-256", file=sys.stderr)
        return 2

    failures = []
    try:
        leaf, index, size = receipt["leaf"], receipt["leaf_index"], receipt["tree_size"]
        path = [bytes.fromhex(h) for h in receipt["inclusion_path"]]
        root = bytes.fromhex(receipt["root_hash"])
        signed = check_checkpoint(receipt["checkpoint"], key, failures)
        if signed and signed != (size, root):
            failures.append("checkpoint: it signs another tree size or root than the receipt's")
        if not verify_inclusion(leaf_hash(leaf.encode("utf-8")), index, size, path, root):
            failures.append("inclusion: the path does not lead from the leaf to the root")
        fields = json.loads(leaf)
        if fields.get("seq") != index:
            failures.append("leaf: its seq is not the leaf index")
        if args.id is not None and fields.get("id") != args.id:
            failures.append("leaf: it names id %r, not %r" % (fields.get("id"), args.id))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        failures.append("receipt: malformed (%s: %s)" % (type(e).__name__, e))

    for failure in failures:
        print("INVALID: " + failure)
    if not failures:
        print("OK: leaf %d (%s %s) is in the signed log of %d leaves" % (index, fields.get("kind"), fields.get("id"), size))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
