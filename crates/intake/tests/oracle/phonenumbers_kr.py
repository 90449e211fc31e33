"""Google's libphonenumber (its Python port `phonenumbers`) as an independent
reading of Korean mobile numbers, for crates/intake/tests/libphonenumber.rs.

Reads one JSON string per line on stdin; writes one JSON object per line:
first {"version": ...}, then for each input {"mobile": bool, "national":
digits of the national format or null, "e164": ..., "why": ...}. A number
counts as a Korean mobile number when libphonenumber parses it with region
KR, finds it valid, in region KR and of type MOBILE (or FIXED_LINE_OR_MOBILE).
"""

import json
import sys

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def read(text):
    try:
        number = phonenumbers.parse(text, "KR")
    except phonenumbers.NumberParseException as e:
        return {"mobile": False, "national": None, "e164": None, "why": "not parsed: %s" % e}
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = "".join(c for c in phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL) if c.isdigit())
    if not phonenumbers.is_valid_number(number):
        why = "not a valid number"
    elif phonenumbers.region_code_for_number(number) != "KR":
        why = "a number of %s" % phonenumbers.region_code_for_number(number)
    elif phonenumbers.number_type(number) not in MOBILE_TYPES:
        why = "type %d, not mobile" % phonenumbers.number_type(number)
    else:
        return {"mobile": True, "national": national, "e164": e164, "why": ""}
    return {"mobile": False, "national": national, "e164": e164, "why": why}


def main():
    out = sys.stdout
    out.write(json.dumps({"version": phonenumbers.__version__}) + "\n")
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(read(json.loads(line))) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
