#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the tests' real examples:
the README's configurations, the backends' test vectors and mapping tests' answers, the
scanner's and the journal's test inputs. Run from anywhere; rewrites the seed files it names
and leaves any other corpus file alone. Layouts: each target's `input` doc comment."""

import hashlib
import hmac
import json
import pathlib
import re
import struct

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
US = "\x1f"


def put(target, name, data):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


# money: mode 0 typed (text), 1 wire (JSON number text), 2 an amount (8 bytes LE).
for i, t in enumerate(["12", "12.3", "12.30", "０１２．５", "100000.00", "100000.01", "0", "-1", "1e3",
                       " 7.05 ", "0.01", "99999999999999999", "012.5", ".5", "5.", "1.234", "１２３"]):
    put("money", f"typed-{i}", b"\x00" + t.encode())
for i, t in enumerate(["12.3", "3.0", "100", "0.01", "1E2", "-0", "-0.00", "12.345", "79228162514264337593543950335",
                       "1e-7", "0.10", "18446744073709551.615"]):
    put("money", f"wire-{i}", b"\x01" + t.encode())
for i, n in enumerate([1, 1230, 10_000_000, 2**64 - 1, 99_999_999_999_999_999]):
    put("money", f"amount-{i}", b"\x02" + struct.pack("<Q", n))

# payment_code: read, prefix, suffix.
codes = ["134520273825387649", "284520273825387649", "6212345678901234567", "20261130000042", "1234567890",
         "12345678901234567890123456789012", "123456789", "1345 2027 3825 3876 49"]
for i, c in enumerate(codes):
    put("payment_code", f"bare-{i}", c + "\r\n")
for i, (p, s) in enumerate([("]Q1", ""), ("", "#"), ("STX", "ETX"), ("a", "1a"), ("\x02", "\x03")]):
    put("payment_code", f"framed-{i}", f"{p}{codes[i]}{s}\r\n{US}{p}{US}{s}")
put("payment_code", "redact", "paid with 134520273825387649 for bill 42, 余额不足 6212345678901234567")

# wedge_rules: burst text, prefix, suffix.
for i, t in enumerate(codes[:6] + ["12.34", "100000.00", "B-1001", "0000000000012"]):
    put("wedge_rules", f"bare-{i}", t)
for i, (p, s) in enumerate([("]Q1", ""), ("", "#"), ("$", "$"), ("a", "1a")]):
    put("wedge_rules", f"framed-{i}", f"{p}{codes[i]}{s}{US}{p}{US}{s}")


# scanner_frame: terminator, gap ms, max len, then writes (pause u16, cut, tick, len, bytes).
def frames(term, gap, max_len, writes):
    out = bytes([term, gap, max_len])
    for pause, cut, tick, b in writes:
        out += struct.pack("<HBBB", pause, cut, tick, len(b)) + b
    return out


CODE, CODE2 = b"134567890123456789", b"2812345678901234"
put("scanner_frame", "cr", frames(0, 49, 63, [(0, 128, 0, CODE + b"\r"), (500, 9, 200, CODE2 + b"\r\n")]))
put("scanner_frame", "lf", frames(1, 49, 63, [(0, 10, 0, CODE + b"\n"), (5, 128, 128, b"12\r34"), (5, 0, 0, b"\n")]))
put("scanner_frame", "crlf", frames(2, 49, 63, [(0, 200, 0, CODE + b"\r\n\r\n"), (1, 1, 1, CODE + b"\r"), (5, 0, 0, b"\n")]))
put("scanner_frame", "none", frames(3, 49, 63, [(0, 50, 0, CODE), (20, 128, 128, CODE2), (600, 0, 128, CODE)]))
put("scanner_frame", "partial", frames(0, 49, 63, [(0, 64, 0, b"13456789"), (1000, 0, 250, CODE + b"\r")]))
put("scanner_frame", "toolong", frames(0, 49, 15, [(0, 128, 0, CODE + CODE + b"\r" + CODE2 + b"\r")]))
put("scanner_frame", "blank", frames(1, 49, 63, [(0, 3, 0, b"\r\n\r\r\n\n\r\n")]))

# tourv5_answer: op byte (op % 8: 0 QR, 1 pay status of a payment, 2 of a query, 3 POS barcode,
# 4 POS bill, 5 login, 6–7 status rule), then the body.
vectors = ROOT / "crates/backends/tests/it/vectors"
tv = {
    "tourv5_wechat_scan_code.json": [0],
    "tourv5_koudai_barcode.json": [1, 2],
    "tourv5_alipay_query.json": [2],
    "tourv5_pos_wechat_barcode.json": [3],
}
for f, ops in tv.items():
    answer = json.loads((vectors / f).read_text())["answer"]
    for op in ops:
        put("tourv5_answer", f"{f[:-5]}-{op}", bytes([op]) + json.dumps(answer).encode())
tests = {
    0: [{"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "autoid": "A", "codeurl": "weixin://x"}},
        {"errcode": -1, "errmsg": "billtype wrong", "tag": None}, {"errcode": 0, "errmsg": "", "tag": {"autoid": "A"}}],
    1: [{"errcode": e, "errmsg": "msg", "tag": {"billnum": "B1", "autoid": "A1", "paystatus": p, "paystatusdesc": ""}}
        for e, p in [(0, "SUCCESS"), (0, " USERPAYING "), (1, "NOTPAY"), (-1, "PAYERROR"), (7, "CLOSED"), (0, "REFUND")]]
       + [{"errcode": 0, "errmsg": None}],
    3: [{"errcode": e, "errmsg": "m", "tag": {"billnum": "B", "autoid": 9, "billpaystate": s}}
        for e, s in [(0, "3"), (0, "2"), (1, "1"), (-1, None), (5, "3")]],
    4: [{"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "paystate": "3", "billvalue": 100, "paidvalue": 100}},
        {"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "paystate": "2", "billvalue": 100, "paidvalue": 30.5}},
        {"errcode": 0, "errmsg": "", "tag": {"billnum": "B", "paystate": "9"}},
        {"errcode": 1, "errmsg": "", "tag": {"billnum": "B", "paystate": "3"}}],
    5: [{"errcode": 0, "errmsg": "", "tag": {"MerchantName": "测试商户", "UserAlias": "cashier",
                                             "ServerTime": "2026-11-30 16:15:00", "HawkRealKey": "q8cXbDYv0yQ="}}],
}
for op, answers in tests.items():
    for i, a in enumerate(answers):
        put("tourv5_answer", f"mapping-{op}-{i}", bytes([op | 0x30]) + json.dumps(a, ensure_ascii=False).encode())
put("tourv5_answer", "status-500", bytes([6]) + b'\xf4{"Message":"An error has occurred."}')
put("tourv5_answer", "status-401", bytes([0x56]) + b'\x91{"Message":"Authorization has been denied."}')

# cloudpay_answer: op (bit 0: signed mode, bit 1: the answer's order is ours), a change's
# place, then the whole answer body, or the response_content to sign.
cp_scan = json.loads((vectors / "cloudpay_scan_code_pay.json").read_text())["answer"]
put("cloudpay_answer", "scan-code-pay-vector", b"\x00\x05" + json.dumps(cp_scan).encode())
put("cloudpay_answer", "scan-code-pay-content", b"\x03\x05" + cp_scan["response_content"].encode())
refunds = json.loads((vectors / "cloudpay_refund.json").read_text())["answers"]
for name, rc in refunds.items():
    put("cloudpay_answer", f"refund-{name}", b"\x03\x11" + json.dumps(rc, ensure_ascii=False).encode())


def order(key, state, fee):
    return {"order_content": {"out_trade_no": "sbx1", "transaction_id": "T1", "total_fee": fee,
                              key: {"current_trade_state": state}}}


contents = [
    {"status": 0, "query_order": order("wxpay_order_content_ext", 2, 100)},
    {"status": 0, "micro_pay": order("alipay_order_content_ext", "6", 100)},
    {"status": 0, "micro_pay": order("wxpay_order_content_ext", 6, 100)},
    {"status": 0, "query_order": order("alipay_order_content_ext", 7, 100)},
    {"status": 3}, {"status": 103}, {"status": 101, "description": "bad"}, {"status": 104, "description": "余额不足"},
    {"status": 102}, {"status": 104, "internal_status": 407}, {"status": 555},
    {"status": 0, "scan_code_pay": {"code_url": "weixin://wxpay/x", "nonce_str": "n"}},
    {"status": 0, "close_order": {}},
    {"status": 0, "refund": {"refund_order_content": {"out_refund_no": "r", "refund_fee": 5,
                                                      "alipay_refund_order_content_ext": {"refund_status": 2}}}},
    {"status": 0, "query_refund_order": {"refund_order_content": None}},
]
for i, c in enumerate(contents):
    put("cloudpay_answer", f"mapping-{i}", bytes([3, i]) + json.dumps(c, ensure_ascii=False).encode())
key = b"0123456789abcdef0123456789ABCDEF"
for i, c in enumerate(contents[:3]):
    text = json.dumps(c)
    code = hmac.new(key, text.encode(), hashlib.sha256).hexdigest().upper()
    body = {"response_content": text, "authen_info": {"a": {"authen_type": 1, "authen_code": code}}}
    put("cloudpay_answer", f"signed-{i}", bytes([2, 0]) + json.dumps(body).encode())
    put("cloudpay_answer", f"unsigned-{i}", bytes([2, 0]) + json.dumps({"response_content": text}).encode())

# hawk_header: mode (bit 2 hex key; % 4: 0 WWW-Authenticate, 1 Authorization, 2 stale, 3 signed).
put("hawk_header", "stale-www", b"\x00" + b'Hawk ts="1764490500", tsm="3n9yq4mTJq+Pr6vE8Ug0sQk0lFZ0w2XQ0fNH8X0aK7g=", error="Stale timestamp"')
put("hawk_header", "www-repeated", b"\x04" + b'Hawk ts="1", ts="2", tsm="AAAA"')
put("hawk_header", "authorization", b"\x01" + b'Hawk id="cashier", ts="1764490500", nonce="Ab3dE6gH9jK1", '
    b'hash="2L5Y8k4dlkqh3J6Nx0bQxg2hS0p8LUxS6Y3XmF6dYdo=", mac="m6yH1cWm9Hn3m1M4kq8xvP0M5b8h5Rj3wGm7aQ6p7yE="')
put("hawk_header", "authorization-absurd-ts", b"\x01" + b'Hawk id="a", ts="99999999999999999999", nonce="n", mac="m"')
put("hawk_header", "stale", b"\x02" + struct.pack("<QHB", 1764490500, 3, ord("7")))
put("hawk_header", "stale-hex", b"\x06" + struct.pack("<QHB", 999999999999, 20, ord("+")))
put("hawk_header", "signed", b"\x03" + struct.pack("<IH", 1764490500, 7)
    + ("/api/UnPos/User/Login/ByPwd" + US + '"2026-11-30 16:15:00"').encode())
put("hawk_header", "signed-query", b"\x03" + struct.pack("<IH", 1, 40)
    + ("/api/Pos/MiniProgram/Busi/Sell/MainRow/Query/ByBillNum/B%201?x=1" + US).encode())

# config: every TOML block of the README, and the settings tests' own.
readme = (ROOT / "README.md").read_text()
for i, block in enumerate(re.findall(r"```toml\n(.*?)```", readme, re.S)):
    put("config", f"readme-{i}", block)
for i, t in enumerate(['till = "02"\noperator = "zz003"\nlang = "en"\nmax_amount = "500"\n',
                       '[poll.wechat_barcode]\nfirst_after = 1.5\nevery = 2\ngive_up = 45\n',
                       '[scanner]\nport = "COM3"\nterminator = "crlf"\n[scanner.framing]\nprefix = "]Q1"\n',
                       '[routing]\nwechat = "cloud-barcode"\n', 'timezone = "Mars/Base"\n', '[poll]\nwechat_barcod = 1\n']):
    put("config", f"small-{i}", t)


# journal_row: mode (0 attempt, 1 refund, 2 a time), then columns (kind byte and value).
def good(*picks):
    return b"".join(bytes([0, p]) for p in picks)


put("journal_row", "attempt-good", b"\x00" + good(*([0] * 19)))
put("journal_row", "attempt-picks", b"\x00" + good(*range(1, 20)))
put("journal_row", "attempt-negative-amount", b"\x00" + good(0, 0) + b"\x01" + struct.pack("<q", -5))
put("journal_row", "attempt-text-in-int", b"\x00" + good(0) + b"\x03\x04abcd")
put("journal_row", "attempt-blob-bill", b"\x00" + good(0) + b"\x04\x03\xff\xfe\x00")
put("journal_row", "attempt-null-channel", b"\x00" + good(0, 0, 0) + b"\x05")
put("journal_row", "attempt-real-time", b"\x00" + good(*([0] * 13)) + b"\x02" + struct.pack("<d", 1.5))
put("journal_row", "refund-good", b"\x01" + good(*([0] * 11)))
put("journal_row", "refund-picks", b"\x01" + good(*range(1, 12)))
for i, t in enumerate(["2026-11-30T08:15:00.123Z", "2026-11-30T16:15:00+08:00", "2026-11-30T08:15:00.123456789Z",
                       "+10000-01-01T00:00:00Z", "2026-11-30 08:15:00Z", "2016-12-31T23:59:60.500Z", "2026-11-30",
                       "0000-02-29", "2026-02-29"]):
    put("journal_row", f"time-{i}", b"\x02" + t.encode())
