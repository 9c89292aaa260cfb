# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Keys the tests share between dpdk-ipsec-loop configurations and scapy SAs."""

from scapy.all import IP
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


def scapy_sa(alg, spi, src, dst):
    """scapy's own RFC 4303 tunnel-mode SA with the same keys."""
    tun = IP(src=src, dst=dst)
    if alg == "aes-128-gcm":
        # scapy takes the RFC 4106 salt as the key's last 4 bytes
        return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM",
                                   crypt_key=bytes.fromhex(KEY + SALT), tunnel_header=tun)
    if alg == "aes-128-cbc-sha256":
        return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-CBC",
                                   crypt_key=bytes.fromhex(KEY), auth_algo="SHA2-256-128",
                                   auth_key=bytes.fromhex(AUTH_KEY), tunnel_header=tun)
    if alg == "null":
        return SecurityAssociation(ESP, spi=spi, crypt_algo="NULL", auth_algo="NULL",
                                   tunnel_header=tun)
    raise ValueError(alg)
