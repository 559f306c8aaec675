"""The keyed hash of a 身份证号 and the person key: how the portal recognises a person without the number.

The trainee import, a trainee added by hand and a teacher's record all use these, so one
person has one hash and one key wherever they are entered.
"""

import hashlib
import hmac
import re

from django.conf import settings

_HMAC_BASE = None


def _hmac_base():
    global _HMAC_BASE
    key = settings.SECRET_KEY.encode()
    if _HMAC_BASE is None or _HMAC_BASE[0] != key:
        _HMAC_BASE = (key, hmac.new(key, digestmod=hashlib.sha256))
    return _HMAC_BASE[1]


def keyed_hash(text):
    """HMAC-SHA256 (hex) keyed with SECRET_KEY: recognises a person without storing the number."""
    h = _hmac_base().copy()
    h.update(text.encode())
    return h.hexdigest()


def hash_id_number(id_number):
    return keyed_hash(normalise_id_number(id_number))


# The person key is the first 60 bits of the HMAC (of the 身份证号, or of name and phone) as an
# integer: a bigint compares, indexes and counts several times faster than 64 hex characters. Two
# different people share a key with a chance of about n²/2⁶¹ (4 in 10 million for a million people).
PERSON_KEY_HEX = 15


def person_key_for(id_hash, name, phone):
    return int((id_hash or keyed_hash(f"name:{name}|phone:{phone}"))[:PERSON_KEY_HEX], 16)


def normalise_id_number(value):
    return re.sub(r"\s", "", str(value or "")).upper()
