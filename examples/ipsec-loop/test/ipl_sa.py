# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Keys the tests share between dpdk-ipsec-loop configurations and scapy SAs."""

import hashlib
import hmac
import struct

from scapy.all import IP, IPv6
from scapy.layers.ipsec import SecurityAssociation, ESP

ALGS = ("aes-128-gcm", "aes-128-cbc-sha256")

KEY = "2b7e151628aed2a6abf7158809cf4f3c"
SALT = "deadbeef"
AUTH_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def conf_words(alg):
    """The algorithm and key words of an 'sa' line."""
    if alg == "aes-128-gcm":
        return "aes-128-gcm key %s salt %s" % (KEY, SALT)
    if alg == "aes-128-cbc-sha256":
        return "aes-128-cbc-sha256 key %s auth-key %s" % (KEY, AUTH_KEY)
    if alg == "null":
        return "null"
    raise ValueError(alg)


def scapy_sa(alg, spi, src, dst, esn=None, tos=0):
    """scapy's own RFC 4303 tunnel-mode SA with the same keys; esn: the high-order 32 bits
    of 64-bit sequence numbers (RFC 4303 2.2.1), None without ESN; tos: of its outer
    header."""
    tun = IP(src=src, dst=dst, tos=tos) if ":" not in src else IPv6(src=src, dst=dst, tc=tos)
    kw = {"tunnel_header": tun}
    if esn is not None:
        kw.update(esn_en=True, esn=esn)
    if alg == "aes-128-gcm":
        # scapy takes the RFC 4106 salt as the key's last 4 bytes
        return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM",
                                   crypt_key=bytes.fromhex(KEY + SALT), **kw)
    if alg == "aes-128-cbc-sha256":
        return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-CBC",
                                   crypt_key=bytes.fromhex(KEY), auth_algo="SHA2-256-128",
                                   auth_key=bytes.fromhex(AUTH_KEY), **kw)
    if alg == "null":
        return SecurityAssociation(ESP, spi=spi, crypt_algo="NULL", auth_algo="NULL", **kw)
    raise ValueError(alg)


def _esp_offset(raw):
    return 20 if raw[0] >> 4 == 4 else 40


def esn_icv_fix(alg, pkt, esn):
    """scapy 2.5 leaves the high-order sequence bits out of HMAC ICVs (its sign() is called
    without them); RFC 4303 2.2.1 appends them after the trailer. Re-sign pkt (an outer IP
    packet of ours made by scapy) as the RFC says; GCM needs nothing (its AAD has them)."""
    raw = bytes(pkt)
    if alg != "aes-128-cbc-sha256":
        return raw
    body = raw[_esp_offset(raw):-16]
    icv = hmac.new(bytes.fromhex(AUTH_KEY), body + struct.pack("!L", esn),
                   hashlib.sha256).digest()[:16]
    return raw[:-16] + icv


def esn_icv_ok(alg, raw, esn):
    """Whether the ICV of raw (an outer IP packet) is right for the high bits esn."""
    return alg != "aes-128-cbc-sha256" or esn_icv_fix(alg, raw, esn) == raw
