#!/usr/bin/env python3
"""
An independent implementation of the OSDP packet format (SIA OSDP 2.2, 5.9, Annex C) and of
the Secure Channel steps (Annex D), written from the specification's description and libosdp's
documentation, NOT from our TypeScript. It produces the expected hex for the golden files and
for the secure-packet vectors in secure-channel.test.ts. Needs the `cryptography` package.

    python3 independent_osdp.py            # prints every case as: name hex
"""
import struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def crc16_aug_ccitt(data: bytes) -> int:
    crc = 0x1D0F
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def checksum(data: bytes) -> int:
    return (-sum(data)) & 0xFF


def packet(addr, sqn, code, data=b"", reply=False, crc=True, scb=None, mac=None):
    scb_bytes = b"" if scb is None else bytes([2 + len(scb[1]), scb[0]]) + scb[1]
    length = 5 + len(scb_bytes) + 1 + len(data) + (4 if mac is not None else 0) + (2 if crc else 1)
    ctrl = sqn | (0x04 if crc else 0) | (0x08 if scb is not None else 0)
    body = bytes([0x53, addr | (0x80 if reply else 0)]) + struct.pack("<H", length) + bytes([ctrl]) + scb_bytes + bytes([code]) + data
    return body, length


def finish(body: bytes, crc=True) -> bytes:
    return body + (struct.pack("<H", crc16_aug_ccitt(body)) if crc else bytes([checksum(body)]))


def plain(addr, sqn, code, data=b"", reply=False, crc=True, scb=None):
    return finish(packet(addr, sqn, code, data, reply, crc, scb)[0], crc)


def ecb(key, block):
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def cbc(key, iv, data, decrypt=False):
    c = Cipher(algorithms.AES(key), modes.CBC(iv))
    x = c.decryptor() if decrypt else c.encryptor()
    return x.update(data) + x.finalize()


def session_keys(scbk, rnd_a):
    return {name: ecb(scbk, bytes([0x01, b]) + rnd_a[:6] + bytes(8)) for name, b in (("enc", 0x82), ("mac1", 0x01), ("mac2", 0x02))}


def osdp_mac(keys, iv, msg):
    if len(msg) % 16:
        msg = msg + b"\x80" + bytes((16 - (len(msg) + 1) % 16) % 16)
    if len(msg) > 16:
        iv = cbc(keys["mac1"], iv, msg[:-16])[-16:]
    return cbc(keys["mac2"], iv, msg[-16:])


def seal(keys, last_other_mac, addr, sqn, code, data, reply):
    if data:
        padded = data + b"\x80" + bytes((16 - (len(data) + 1) % 16) % 16)
        data = cbc(keys["enc"], bytes(~b & 0xFF for b in last_other_mac), padded)
        scs = 0x18 if reply else 0x17
    else:
        scs = 0x16 if reply else 0x15
    body, _ = packet(addr, sqn, code, data, reply, True, (scs, b""), mac=b"1234")
    mac = osdp_mac(keys, last_other_mac, body)
    return finish(body + mac[:4]), mac


SCBK_D = bytes(range(0x30, 0x40))
RND_A = bytes(range(0xB0, 0xB8))
RND_B = bytes(range(0xA0, 0xA8))


def cases():
    k = session_keys(SCBK_D, RND_A)
    server = ecb(k["enc"], RND_B + RND_A)
    client = ecb(k["enc"], RND_A + RND_B)
    rmac_i = ecb(k["mac2"], ecb(k["mac1"], server))
    yield "keys", (k["enc"] + k["mac1"] + k["mac2"]).hex()
    yield "client-cryptogram", client.hex()
    yield "server-cryptogram", server.hex()
    yield "rmac-i", rmac_i.hex()
    # A secure exchange right after the handshake: OUT(0, temporary on, 3 s) then ACK, then POLL/ACK.
    out, c_mac = seal(k, rmac_i, 0x00, 2, 0x68, bytes([0x00, 0x05, 0x1E, 0x00]), False)
    yield "secure-out", out.hex()
    ack, r_mac = seal(k, c_mac, 0x00, 2, 0x40, b"", True)
    yield "secure-ack", ack.hex()
    poll, c_mac = seal(k, r_mac, 0x00, 3, 0x60, b"", False)
    yield "secure-poll", poll.hex()
    istatr, r_mac = seal(k, c_mac, 0x00, 3, 0x49, bytes([0x01, 0x00]), True)
    yield "secure-istatr", istatr.hex()


def goldens():
    yield "poll", plain(0x00, 1, 0x60)
    yield "id", plain(0x00, 0, 0x61, b"\x00")
    yield "cap", plain(0x01, 1, 0x62, b"\x00")
    yield "lstat", plain(0x00, 2, 0x64)
    yield "istat", plain(0x00, 3, 0x65)
    yield "ostat", plain(0x00, 1, 0x66)
    yield "out", plain(0x00, 2, 0x68, bytes([0x00, 0x05, 0x1E, 0x00, 0x01, 0x01, 0x00, 0x00]))
    yield "led", plain(0x00, 3, 0x69, bytes([0, 0, 2, 5, 5, 2, 0, 0x14, 0, 1, 1, 0, 1, 1]))
    yield "buz", plain(0x00, 1, 0x6A, bytes([0, 2, 2, 1, 3]))
    yield "text", plain(0x00, 2, 0x6B, bytes([0, 3, 5, 0, 0, 11]) + b"Prokhodite!")
    yield "keyset", plain(0x00, 3, 0x75, bytes([1, 16]) + bytes(range(0x00, 0x10)))
    yield "chlng", plain(0x00, 1, 0x76, RND_A, scb=(0x11, b"\x00"))
    yield "ack", plain(0x00, 1, 0x40, reply=True)
    yield "busy", plain(0x00, 0, 0x79, reply=True)
    yield "nak", plain(0x00, 2, 0x41, b"\x04", reply=True)
    yield "pdid", plain(0x00, 0, 0x45, bytes([0x5C, 0x26, 0x23, 0x01, 0x02, 0x39, 0x30, 0x00, 0x00, 0x01, 0x02, 0x03]), reply=True)
    yield "pdcap", plain(0x00, 1, 0x46, bytes([1, 1, 2, 2, 1, 2, 4, 1, 1, 5, 1, 1, 6, 1, 1, 8, 1, 0, 9, 1, 0]), reply=True)
    yield "lstatr", plain(0x00, 2, 0x48, bytes([0, 1]), reply=True)
    yield "istatr", plain(0x00, 3, 0x49, bytes([1, 0]), reply=True)
    yield "ostatr", plain(0x00, 1, 0x4A, bytes([0, 1]), reply=True)
    yield "raw", plain(0x00, 2, 0x50, bytes([0, 1, 26, 0, 0x12, 0x34, 0x56, 0xC0]), reply=True)
    yield "com", plain(0x05, 3, 0x54, bytes([5]) + struct.pack("<I", 115200), reply=True)
    k = session_keys(SCBK_D, RND_A)
    client = ecb(k["enc"], RND_A + RND_B)
    server = ecb(k["enc"], RND_B + RND_A)
    yield "ccrypt", plain(0x00, 1, 0x76, bytes(range(1, 9)) + RND_B + client, reply=True, scb=(0x12, b"\x00"))
    yield "scrypt", plain(0x00, 2, 0x77, server, scb=(0x13, b"\x00"))
    yield "rmac_i", plain(0x00, 2, 0x78, ecb(k["mac2"], ecb(k["mac1"], server)), reply=True, scb=(0x14, b"\x01"))


if __name__ == "__main__":
    for name, value in cases():
        print(name, value)
    for name, value in goldens():
        print("golden", name, value.hex())
